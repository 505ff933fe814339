from __future__ import annotations

from email.message import Message

from django.utils import timezone

from hotline.cases.models import Case
from hotline.takedown.models import Recipient, Takedown
from hotline.testing.base import StaffTestCase


class TakedownTestCase(StaffTestCase):
    def setUp(self) -> None:
        super().setUp()
        Recipient.objects.create(name="Police unit (test)", email="police@police.example.test",
                                 language="en")
        Recipient.objects.create(name="International desk (test)",
                                 email="desk@international.example.test", language="en")

    def active_takedown(self, case: Case, chain: list[dict[str, str]], *,
                        sha256: str = "") -> Takedown:
        """A takedown past routing (the trace has its own tests)."""
        takedown = Takedown.objects.get(case=case)
        takedown.route = Takedown.Route.NOTICE
        takedown.chain = chain
        takedown.state = Takedown.State.ACTIVE
        takedown.recorded_sha256 = sha256 or takedown.recorded_sha256
        takedown.next_check_at = timezone.now()
        takedown.save()
        return takedown


def payload(part: Message) -> str:
    data = part.get_payload(decode=True)
    assert isinstance(data, bytes)
    return data.decode()


HOST = {"kind": "host", "name": "", "email": "abuse@hosting.example.test", "language": "fr"}
POLICE = {"kind": "police", "name": "Police unit (test)",
          "email": "police@police.example.test", "language": "en"}
