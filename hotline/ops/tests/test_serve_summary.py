"""What `hotline serve` (and so `make run`) tells the person who started it."""

from __future__ import annotations

from pathlib import Path

from django.test import SimpleTestCase, override_settings

from hotline.ops.management.commands.serve import where_notices_go

FILES = "django.core.mail.backends.filebased.EmailBackend"
SMTP = "django.core.mail.backends.smtp.EmailBackend"


class WhereNoticesGoTest(SimpleTestCase):
    @override_settings(EMAIL_BACKEND=FILES, EMAIL_HOST="", EMAIL_FILE_PATH=Path("/srv/var/mail"))
    def test_it_names_the_mail_folder_in_development(self) -> None:
        said = where_notices_go()
        self.assertIn("/srv/var/mail", said)
        self.assertIn("EMAIL_HOST", said)

    @override_settings(EMAIL_BACKEND=SMTP, EMAIL_HOST="smtp.hub.example.test", EMAIL_PORT=587)
    def test_it_names_the_mail_server_when_there_is_one(self) -> None:
        self.assertIn("smtp.hub.example.test:587", where_notices_go())
