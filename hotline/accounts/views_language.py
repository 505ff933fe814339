"""Each staff member chooses the language of their own staff pages (stored on their account)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from hotline.lib.languages import languages
from hotline.lib.staffaccess import staff_view

from .models import User


def language_choices() -> list[tuple[str, str]]:
    default = languages()[settings.LANGUAGE_CODE].name
    return [("", _("The hub's language (%(name)s)") % {"name": default})] + [
        (code, f"{language.name} ({language.english_name})")
        for code, language in languages().items()]


class LanguageForm(forms.ModelForm):  # type: ignore[type-arg]
    language = forms.ChoiceField(label=gettext_lazy("Language of your staff pages"),
                                 required=False)

    class Meta:
        model = User
        fields = ["language"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices()  # type: ignore[attr-defined]


@staff_view()
@require_http_methods(["GET", "POST"])
def language(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = LanguageForm(request.POST or None, instance=user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            with translation.override(user.language or settings.LANGUAGE_CODE):
                messages.success(request, _("Your staff pages are now in this language."))
            return HttpResponseRedirect(reverse("accounts:language"))
        return render(request, "accounts/language.html", {"form": form}, status=400)
    return render(request, "accounts/language.html", {"form": form})
