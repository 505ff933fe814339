from __future__ import annotations

from django.test import override_settings

from hotline.cases import services as cases
from hotline.cases.models import Case
from hotline.cases.tests.base import StaffTestCase


@override_settings(REVIEW_SHARE_CSAM=1.0, REVIEW_SHARE_OTHER=0.0)
class ListsTestCase(StaffTestCase):
    CLASSIFICATION = {"uk_category": ["c"], "inhope": ["baseline"], "industry": ["B2"],
                      "age_band": ["14-15"], "site_type": ["image_host"],
                      "media_type": ["image"]}

    def confirm(self, url: str, *, dedicated: bool = False) -> Case:
        """Report a URL, assess it as CSAM and have a senior confirm it."""
        self.report(url)
        case = self.case_for(case_url(url))
        cases.case_claim(case_id=case.pk, user=self.analyst)
        cases.case_assess(case_id=case.pk, analyst=self.analyst, verdict="csam",
                          classification=self.CLASSIFICATION, dedicated=dedicated)
        cases.case_claim(case_id=case.pk, user=self.senior)
        cases.case_review(case_id=case.pk, reviewer=self.senior, agrees=True)
        case.refresh_from_db()
        assert case.confirmed
        return case


def case_url(url: str) -> str:
    from hotline.lib.urlcanon import canonicalise

    return canonicalise(url).url
