"""The anonymity sweep: nothing that identifies a reporter reaches a table or a log line."""

from __future__ import annotations

import logging

from django.db import connection
from django.test import Client

from hotline.testing.base import PublicTestCase

ADDRESS = "203.0.113.77"
FORWARDED = "198.51.100.99"
AGENT = "Mozilla/5.0 (DistinctiveAgent zq7x)"
REFERRER = "https://referrer-zq7x.example.test/page"
# zq7x is also in the reporter's e-mail address and answer, which are only ever stored sealed.
MARKERS = [ADDRESS, FORWARDED, "DistinctiveAgent", "zq7x"]


class CapturingHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # Everything a handler could write: the message, the exception and the request object.
        text = logging.Formatter("%(name)s %(message)s").format(record)
        text += " " + repr(record.__dict__)
        request = getattr(record, "request", None)
        if request is not None:  # what an error-mail handler would include
            text += " " + repr(request.META)
        self.lines.append(text)


class AnonymityTestCase(PublicTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.handler = CapturingHandler()
        root = logging.getLogger()
        self.old_level = root.level
        root.addHandler(self.handler)
        root.setLevel(logging.DEBUG)
        for name in ["django", "django.request", "django.server", "django.security"]:
            logging.getLogger(name).addHandler(self.handler)

    def tearDown(self) -> None:
        root = logging.getLogger()
        root.removeHandler(self.handler)
        root.setLevel(self.old_level)
        for name in ["django", "django.request", "django.server", "django.security"]:
            logging.getLogger(name).removeHandler(self.handler)

    def ask_and_answer(self, client: Client, code: str) -> None:
        from hotline.accounts.models import User
        from hotline.cases.questions import question_ask
        from hotline.cases.services import report_intake
        from hotline.intake.models import Report
        from hotline.testing.base import make_user

        report = Report.objects.get()
        report_intake(report_id=report.pk)
        link = report.case_links.select_related("case").first()
        assert link is not None, "the report was not taken in"
        analyst = make_user("analyst-sweep@hub.example.test", User.Role.ANALYST)
        question = question_ask(case=link.case, report=report, analyst=analyst,
                                text="Do you know the password?")
        r = client.post("/gm/en/status/answer/", {"code": code, "question": question.pk,
                                                  "answer": "the answer zq7x"})
        self.assertContains(r, "your answer was sent")

    def test_nothing_identifying_is_stored_or_logged(self) -> None:
        client = Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT, HTTP_REFERER=REFERRER,
                        HTTP_X_FORWARDED_FOR=FORWARDED, HTTP_SEC_FETCH_SITE="same-origin")
        with self.captureOnCommitCallbacks(execute=True):
            r = client.post("/gm/en/report/", self.report_data(
                contact="me-zq7x@example.test", feedback="on", urgent="on"))
        self.assertEqual(r.status_code, 200)
        code = self.receipt_from(r)
        client.post("/gm/en/status/", {"code": code})
        # A question through the receipt, answered from the same client: the answer is sealed,
        # and the answer page stores nothing of the client either.
        self.ask_and_answer(client, code)
        # The pages of trust and safety: the code's text file, staying safe, a portal's 404.
        client.post("/gm/en/receipt.txt", {"code": code})
        for path in ["/gm/en/safety/", "/gm/en/no-such-page/", "/favicon.ico"]:
            client.get(path)
        client.post("/gm/en/report/", self.report_data(urls="javascript:x"))  # 400, logged
        client.get("/nowhere/en/")  # 404, logged
        client.post("/gm/en/report/", b"x" * 70_000, content_type="text/plain")  # 413
        client.post("/gm/en/report/", self.report_data(), HTTP_SEC_FETCH_SITE="cross-site")

        self.assertGreater(len(self.handler.lines), 0, "the sweep saw no log line at all")
        for line in self.handler.lines:
            for marker in MARKERS:
                self.assertNotIn(marker, line)

        rows_seen = 0
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names():
                cursor.execute(f'SELECT * FROM "{table}"')
                for row in cursor.fetchall():
                    rows_seen += 1
                    text = " ".join(
                        bytes(v).decode("latin-1") if isinstance(v, (bytes, memoryview))
                        else str(v) for v in row
                    )
                    for marker in [*MARKERS, code.replace(" ", "")]:
                        self.assertNotIn(marker, text, f"{marker} found in {table}")
        self.assertGreater(rows_seen, 0)
