"""What follows a confirmed CSAM verdict, in order, in one place.

A case is confirmed when an independent senior analyst agrees with a CSAM assessment (or a
third senior decides after a disagreement). The cases app then sends ``case_confirmed`` inside
the confirming transaction; this is its only receiver, so everything below is stored together
with the confirmation, or not at all:

1. the URL goes on the URL list members block (its whole domain for a dedicated site);
2. the hashes of its captured media go into the hub's own bank;
3. a takedown is opened, recording the content's hash; once the transaction commits, a
   background task traces the host (DNS, country and network, abuse contact),
4. routes it (host, partner hotline or police: takedown/routing.py),
5. and sends the first notice (takedown/services.py: takedown_trace → notice_create).
"""

from __future__ import annotations

from typing import Any

from hotline.cases.models import Case
from hotline.lists.services import own_bank_add, url_list_add

from .models import Takedown
from .services import takedown_start


def confirmation_run(*, case: Case) -> Takedown:
    url_list_add(case)
    own_bank_add(case)
    return takedown_start(case)


def case_confirmed(sender: Any, *, case: Case, **kwargs: Any) -> None:
    """Receiver of cases' ``case_confirmed`` (connected in hotline/takedown/apps.py)."""
    confirmation_run(case=case)
