"""Classification under the schemes an administrator keeps (all data, no code per scheme)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _

from .models import Scheme, Verdict


def enabled_schemes() -> list[Scheme]:
    return list(Scheme.objects.filter(enabled=True).prefetch_related("options"))


def scheme_fields(schemes: list[Scheme]) -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for scheme in schemes:
        choices = [(o.code, o.label) for o in scheme.options.all()]
        if scheme.multiple:
            fields[f"scheme_{scheme.code}"] = forms.MultipleChoiceField(
                label=scheme.name, choices=choices, required=False,
                help_text=scheme.help_text, widget=forms.CheckboxSelectMultiple)
        else:
            fields[f"scheme_{scheme.code}"] = forms.ChoiceField(
                label=scheme.name, choices=choices, required=False,
                help_text=scheme.help_text, widget=forms.RadioSelect)
    return fields


def classification_from(cleaned: dict[str, Any], verdict: str,
                        schemes: list[Scheme]) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The classification to store, and errors per field (only CSAM is classified)."""
    if verdict != Verdict.CSAM:
        return {}, {}
    result: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    for scheme in schemes:
        value = cleaned.get(f"scheme_{scheme.code}")
        chosen = [v for v in (value if isinstance(value, list) else [value]) if v]
        if scheme.required and not chosen:
            errors[f"scheme_{scheme.code}"] = _("Required for this verdict.")
        if chosen:
            result[scheme.code] = chosen
    return result, errors


class ClassificationError(ValueError):
    """A classification that does not fit the schemes; the message says where."""


def classification_check(value: object, schemes: list[Scheme] | None = None
                         ) -> dict[str, list[str]]:
    """A classification as it is stored: scheme code → the chosen option codes. Without
    schemes only its shape is checked (what the case page needs to show and pre-fill it);
    with them, every scheme and option must exist and a single-choice scheme has one option.
    Classifications from outside (partner banks, the admin) pass here before they are kept."""
    if not isinstance(value, dict):
        raise ClassificationError(_("a classification must be an object of scheme codes "
                                    "and their option codes"))
    known = {scheme.code: scheme for scheme in schemes or []}
    for code, chosen in value.items():
        if (not isinstance(chosen, list) or not chosen
                or not all(isinstance(option, str) and option for option in chosen)):
            raise ClassificationError(_("%(scheme)s must be a list of option codes")
                                      % {"scheme": code})
        if schemes is None:
            continue
        scheme = known.get(code)
        if scheme is None:
            raise ClassificationError(_("%(scheme)s is not a classification scheme")
                                      % {"scheme": code})
        options = {option.code for option in scheme.options.all()}
        for option in chosen:
            if option not in options:
                raise ClassificationError(_("%(option)s is not an option of %(scheme)s")
                                          % {"option": option, "scheme": code})
        if len(chosen) > 1 and not scheme.multiple:
            raise ClassificationError(_("%(scheme)s takes one option only") % {"scheme": code})
    return value


def describe(classification: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(scheme name, option labels) for display."""
    if not classification:
        return []
    schemes = {s.code: s for s in Scheme.objects.prefetch_related("options")}
    rows = []
    for code, chosen in classification.items():
        scheme = schemes.get(code)
        if scheme is None:
            rows.append((code, ", ".join(chosen)))
            continue
        labels = {o.code: o.label for o in scheme.options.all()}
        rows.append((scheme.name, ", ".join(labels.get(c, c) for c in chosen)))
    return rows
