"""The staff admin's partner form: a logo upload is stored only as its re-encoded PNG."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict
from PIL import Image, PngImagePlugin

from hotline.portals.admin import PartnerForm
from hotline.portals.models import Partner
from hotline.testing.base import StaffTestCase


def upload(name: str, fmt: str = "PNG") -> SimpleUploadedFile:
    out = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "made by someone@example.test")
    Image.new("RGB", (640, 200), (11, 107, 58)).save(
        out, format=fmt, **({"pnginfo": info} if fmt == "PNG" else {}))
    return SimpleUploadedFile(name, out.getvalue(), content_type=f"image/{fmt.lower()}")


class PartnerFormTestCase(StaffTestCase):
    def form(self, partner: Partner, **files: SimpleUploadedFile) -> PartnerForm:
        data = {"name": partner.name, "url": partner.url, "position": partner.position}
        return PartnerForm(data, MultiValueDict({k: [v] for k, v in files.items()}),
                           instance=partner)

    def test_an_uploaded_logo_is_stored_re_encoded(self) -> None:
        partner = Partner.objects.filter(portal=self.gm).first()
        assert partner is not None
        form = self.form(partner, logo_upload=upload("logo.png"))
        self.assertTrue(form.is_valid(), form.errors)
        form.save()
        partner.refresh_from_db()
        self.assertEqual((partner.logo_width, partner.logo_height), (320, 100))
        assert partner.logo is not None
        logo = bytes(partner.logo)
        self.assertTrue(logo.startswith(b"\x89PNG"))
        self.assertNotIn(b"someone@example.test", logo)

    def test_a_jpeg_is_refused_with_a_clear_message(self) -> None:
        partner = Partner.objects.filter(portal=self.gm).first()
        assert partner is not None
        form = self.form(partner, logo_upload=upload("logo.jpg", "JPEG"))
        self.assertFalse(form.is_valid())
        self.assertEqual(form.errors["logo_upload"], ["Upload the logo as a PNG image."])
        partner.refresh_from_db()
        self.assertIsNone(partner.logo)

    def test_a_logo_can_be_removed(self) -> None:
        partner = Partner.objects.filter(portal=self.gm).first()
        assert partner is not None
        form = self.form(partner, logo_upload=upload("logo.png"))
        self.assertTrue(form.is_valid())
        form.save()
        form = PartnerForm({"name": partner.name, "url": partner.url, "position": 0,
                            "logo_remove": "on"}, instance=partner)
        self.assertTrue(form.is_valid())
        form.save()
        partner.refresh_from_db()
        self.assertIsNone(partner.logo)
        self.assertEqual(partner.logo_width, 0)

    def test_the_portal_admin_page_offers_the_upload(self) -> None:
        page = self.as_user(self.admin).get(f"/staff/admin/portals/portal/{self.gm.pk}/change/")
        self.assertContains(page, 'enctype="multipart/form-data"')
        self.assertContains(page, 'name="partners-0-logo_upload"')
        self.assertContains(page, 'name="reassurance_0"')  # one field per language
