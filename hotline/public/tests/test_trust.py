"""Who runs a portal, the portal's reassurance, partner logos and the safety page."""

from __future__ import annotations

import io

from PIL import Image

from hotline.portals.logos import reencode
from hotline.portals.models import Partner, Portal
from hotline.testing.base import PublicTestCase


def png(width: int = 40, height: int = 20) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (11, 79, 163)).save(out, format="PNG")
    return out.getvalue()


class WhoRunsTheMTestCase(PublicTestCase):
    def test_every_portal_page_names_the_hub_and_its_partners_at_the_top(self) -> None:
        with self.settings(HUB_NAME="Example Hotline Foundation"):
            for path in ["/gm/en/", "/gm/en/report/", "/gm/en/status/", "/gm/en/privacy/",
                         "/gm/en/figures/", "/gm/en/safety/"]:
                r = self.client.get(path)
                self.assertContains(
                    r, "Run by Example Hotline Foundation together with Gambia Child "
                       "Protection Network (demo), Ministry of Communications and Digital "
                       "Economy (demo).", msg_prefix=path)
        Partner.objects.filter(portal=self.gm).delete()
        with self.settings(HUB_NAME="Example Hotline Foundation"):
            self.assertContains(self.client.get("/gm/en/"), "Run by Example Hotline Foundation.")

    def test_the_reassurance_is_the_portals_own_line_in_the_pages_language(self) -> None:
        self.assertContains(self.client.get("/km/ar/"), "الإبلاغ عن عنوان ويب هو التصرف الصحيح")
        self.assertContains(self.client.get("/km/fr/report/"),
                            "Signaler une adresse web, c&#x27;est faire ce qu&#x27;il faut.")

    def test_a_portal_without_a_line_shows_the_products_own(self) -> None:
        Portal.objects.filter(code="gm").update(reassurance={})
        for path in ["/gm/en/", "/gm/en/report/"]:
            self.assertContains(self.client.get(path), "Reporting a web address is the right "
                                "thing to do. You do not need to give your name.")

    def test_a_partner_logo_is_shown_and_served_by_the_product(self) -> None:
        partner = Partner.objects.filter(portal=self.gm).first()
        assert partner is not None
        partner.logo, partner.logo_width, partner.logo_height = reencode(png())
        partner.save()
        r = self.client.get("/gm/en/")
        src = f"/gm/partners/{partner.pk}/logo.png"
        self.assertContains(r, f'<img src="{src}" width="40" height="20" alt="">')
        logo = self.client.get(src)
        self.assertEqual(logo.status_code, 200)
        self.assertEqual(logo["Content-Type"], "image/png")
        self.assertEqual(logo.content, bytes(partner.logo))
        self.assertEqual(logo.cookies, {})
        # The report form stays free of images.
        self.assertNotContains(self.client.get("/gm/en/report/"), "<img")

    def test_logos_of_other_portals_or_missing_logos_are_404(self) -> None:
        partner = Partner.objects.filter(portal=self.gm).first()
        assert partner is not None
        self.assertEqual(self.client.get(f"/gm/partners/{partner.pk}/logo.png").status_code, 404)
        partner.logo, partner.logo_width, partner.logo_height = reencode(png())
        partner.save()
        self.assertEqual(self.client.get(f"/km/partners/{partner.pk}/logo.png").status_code, 404)
        Portal.objects.filter(code="gm").update(enabled=False)
        self.assertEqual(self.client.get(f"/gm/partners/{partner.pk}/logo.png").status_code, 404)

    def test_the_safety_page_explains_the_quick_exit_and_the_history(self) -> None:
        r = self.client.get("/gm/en/report/")
        self.assertContains(r, '<a class="safe" href="/gm/en/safety/">Staying safe</a>')
        r = self.client.get("/gm/en/safety/")
        self.assertContains(r, "Leave this site quickly")
        self.assertContains(r, "Clear your browsing history")
