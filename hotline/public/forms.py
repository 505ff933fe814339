from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from hotline.intake.addresses import address_batch
from hotline.intake.models import Report
from hotline.lib import receipts


class ReportForm(forms.Form):
    urls = forms.CharField(
        label=_("Web addresses"),
        help_text=_("One address per line, up to 20. Paste them as they are; "
                    "you do not need to visit them again."),
        max_length=20 * 2100,
        error_messages={"required": _("Enter at least one web address.")},
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false",
                                     "dir": "ltr", "inputmode": "url"}),
    )
    content_kind = forms.ChoiceField(
        label=_("What does it show?"),
        choices=Report.ContentKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what it shows.")},
    )
    urgent = forms.BooleanField(
        label=_("A child may be in immediate danger, or the abuse is happening now"),
        help_text=_("Optional. Tick this if you think so: an analyst will look at your report "
                    "first. If a child is in danger, also call the emergency services."),
        required=False,
    )
    where_found = forms.CharField(
        label=_("Where did you find it? (optional)"),
        help_text=_("For example a search, an app, a message or another web page."),
        required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    description = forms.CharField(
        label=_("Anything else we should know? (optional)"),
        required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    contact = forms.EmailField(
        label=_("Your e-mail address (optional)"),
        help_text=_("Only if you want us to contact you about this report. "
                    "You can stay anonymous: leave it empty."),
        required=False, max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    feedback = forms.BooleanField(
        label=_("Tell me by e-mail what happens to my report"),
        help_text=_("A few short messages, for example when it has been assessed or the "
                    "material removed. They never contain the address you reported. We delete "
                    "your e-mail address after the last one."),
        required=False,
    )
    # A field people never see and bots fill in.
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)

    def clean_urls(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["urls"].splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            raise forms.ValidationError(_("Enter at least one web address."), code="required")
        if len(lines) > settings.REPORT_MAX_URLS:
            raise forms.ValidationError(
                ngettext_lazy(
                    "Enter at most %(max)d web address.",
                    "Enter at most %(max)d web addresses. You entered %(count)d; "
                    "send the rest in another report.",
                    "max",
                ),
                params={"max": settings.REPORT_MAX_URLS, "count": len(lines)},
                code="too_many",
            )
        batch = address_batch(lines)
        if batch.invalid:
            raise forms.ValidationError([forms.ValidationError(
                _("Line %(line)d, “%(text)s”, is not a web address. Enter an address "
                  "such as https://example.org/page or example.org/page."),
                params={"line": bad.position + 1, "text": Truncator(bad.text).chars(60)},
                code="invalid_url",
            ) for bad in batch.invalid])
        return batch.kept

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("feedback") and not data.get("contact") and "contact" not in self.errors:
            self.add_error("contact", forms.ValidationError(
                _("Enter your e-mail address to get messages about your report, or untick "
                  "the box."), code="feedback_without_contact"))
        return data

    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class StatusForm(forms.Form):
    code = forms.CharField(
        label=_("Receipt code"),
        help_text=_("The 20 digits you were given when you sent your report."),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric",
                                      "dir": "ltr", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        code = receipts.normalise(self.cleaned_data["code"])
        if not (code.isdigit() and code.isascii() and len(code) == receipts.DIGITS):
            raise forms.ValidationError(
                _("A receipt code has %(digits)d digits. Check what you typed."),
                params={"digits": receipts.DIGITS}, code="format",
            )
        if not receipts.is_well_formed(code):
            # The last digit is a check digit: it catches a changed or swapped digit.
            raise forms.ValidationError(
                _("This code has a typing mistake: compare each digit with your receipt."),
                code="check_digit",
            )
        return code
