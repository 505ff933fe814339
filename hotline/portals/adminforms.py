"""The admin's forms for portals and help contacts: a text per language is typed into one
labelled field per language (right to left where the language is), lists into plain text,
never JSON."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import HelpContact, Portal


class PerLanguageWidget(forms.MultiWidget):
    template_name = "portals/widgets/per_language.html"

    def __init__(self, *, textarea: bool = False, attrs: dict[str, Any] | None = None) -> None:
        self.languages = list(settings.LANGUAGES)
        widgets = []
        for code, _name in self.languages:
            extra = {"lang": code, "dir": "rtl" if code in settings.LANGUAGES_BIDI else "ltr"}
            widgets.append(forms.Textarea(attrs={"rows": 3, "cols": 60, **extra}) if textarea
                           else forms.TextInput(attrs={"size": 60, **extra}))
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[str]:
        texts = value if isinstance(value, dict) else {}
        return [str(texts.get(code, "")) for code, _name in self.languages]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        for sub, (code, language) in zip(context["widget"]["subwidgets"], self.languages,
                                         strict=True):
            sub["language"] = f"{language} ({code})"
        return context


class PerLanguageField(forms.MultiValueField):
    """{"en": "…", "fr": "…"} from one field per language; empty ones are left out."""

    def __init__(self, *, textarea: bool = False, **kwargs: Any) -> None:
        self.codes = [code for code, _name in settings.LANGUAGES]
        fields = [forms.CharField(required=False, strip=True) for _code in self.codes]
        super().__init__(fields, widget=PerLanguageWidget(textarea=textarea),
                         require_all_fields=False, **kwargs)

    def compress(self, data_list: list[str]) -> dict[str, str]:
        return {code: text for code, text in zip(self.codes, data_list or [], strict=False)
                if text}


class WordsField(forms.CharField):
    """A list typed as words separated by commas, spaces or new lines, order kept."""

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(map(str, value)) if isinstance(value, list) else value

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value) or ""
        return [word for word in text.replace(",", " ").split() if word]


class PortalForm(forms.ModelForm):
    names = PerLanguageField(label=_("Name per language"), required=False)
    intro = PerLanguageField(label=_("Introduction per language"), textarea=True,
                             required=False)
    reassurance = PerLanguageField(
        label=_("Reassurance line per language"), textarea=True, required=False,
        help_text=_("One line at the top of the landing page and the report form; empty: the "
                    "product's own line."))
    languages = WordsField(label=_("Languages"), help_text=_(
        "Language codes, the default first, e.g. “fr, en”."))
    hostnames = WordsField(label=_("Own host names"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("One per line, e.g. report.example.test."))

    class Meta:
        model = Portal
        fields = ["code", "name", "names", "country", "languages", "intro", "reassurance",
                  "enabled", "is_demo", "hostnames", "onion_address"]


class HelpContactForm(forms.ModelForm):
    label = PerLanguageField(label=_("Name per language"))
    text = PerLanguageField(label=_("Text per language"), textarea=True, required=False)

    class Meta:
        model = HelpContact
        fields = ["kind", "label", "phone", "url", "text", "position"]
