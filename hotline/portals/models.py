"""The portal network: one locally branded reporting page per country or partner."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.lib.languages import languages

CODE_RE = re.compile(r"^[a-z0-9]{2,16}$")
ONION_RE = re.compile(r"^[a-z2-7]{56}\.onion$")
HOSTNAME_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def supported_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def language_name(code: str) -> str:
    """The language's name in itself, as the language menus show it (its language.yaml)."""
    language = languages().get(code)
    return language.name if language else code


def validate_code(value: str) -> None:
    if not CODE_RE.match(value):
        raise ValidationError(_("Use 2 to 16 lower-case letters or digits."))
    if value in RESERVED_CODES:
        raise ValidationError(_("This code is reserved."))


RESERVED_CODES = {"static", "staff", "api", "admin", "media", "healthz", "readyz", "metrics"}


def validate_languages(value: Any) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("List at least one language."))
    unknown = [lang for lang in value if lang not in supported_languages()]
    if unknown:
        raise ValidationError(
            _("Unsupported language(s): %(langs)s."), params={"langs": ", ".join(map(str, unknown))}
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("A language is listed twice."))


def validate_texts(value: Any) -> None:
    """A per-language text: {"en": "...", "fr": "..."}."""
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValidationError(_("Give a text per language code, e.g. {\"en\": \"…\"}."))
    unknown = [k for k in value if k not in supported_languages()]
    if unknown:
        raise ValidationError(
            _("Unsupported language(s): %(langs)s."), params={"langs": ", ".join(unknown)}
        )


def validate_hostnames(value: Any) -> None:
    if not isinstance(value, list) or not all(
        isinstance(h, str) and HOSTNAME_RE.match(h) for h in value
    ):
        raise ValidationError(_("List host names in lower case, e.g. [\"report.example.test\"]."))


def validate_onion(value: str) -> None:
    if value and not ONION_RE.match(value):
        raise ValidationError(_("An onion address is 56 letters and digits followed by .onion."))


def pick(texts: dict[str, str], lang: str, fallbacks: list[str]) -> str:
    """The text in lang, else in the first fallback language that has one."""
    for candidate in [lang, *fallbacks]:
        if texts.get(candidate):
            return texts[candidate]
    return ""


class Portal(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True, validators=[validate_code])
    name = models.CharField(_("name"), max_length=100)
    names = models.JSONField(_("name per language"), default=dict, blank=True,
                             validators=[validate_texts])
    country = models.CharField(_("country"), max_length=2,
                               help_text=_("ISO 3166-1 alpha-2 code, e.g. GM."))
    languages = models.JSONField(_("languages"), default=list, validators=[validate_languages],
                                 help_text=_("Ordered; the first is the default."))
    intro = models.JSONField(_("introduction per language"), default=dict, blank=True,
                             validators=[validate_texts])
    # Database defaults on the fields added after 0001: rows written by code (or a migration
    # test) that predates them still insert.
    reassurance = models.JSONField(
        _("reassurance per language"), default=dict, db_default={}, blank=True,
        validators=[validate_texts],
        help_text=_("One line shown at the top of the landing page and the report form; "
                    "empty: the product's own line."))
    enabled = models.BooleanField(_("enabled"), default=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False)
    hostnames = models.JSONField(_("own host names"), default=list, blank=True,
                                 validators=[validate_hostnames])
    onion_address = models.CharField(_("onion address"), max_length=62, blank=True,
                                     validators=[validate_onion])
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("portal")
        verbose_name_plural = _("portals")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        self.country = (self.country or "").upper()
        if not re.match(r"^[A-Z]{2}$", self.country):
            raise ValidationError({"country": _("Use a two-letter ISO 3166-1 code.")})

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def display_name(self, lang: str) -> str:
        return pick(self.names, lang, self.languages) or self.name

    def intro_text(self, lang: str) -> str:
        return pick(self.intro, lang, self.languages)

    def reassurance_text(self, lang: str) -> str:
        return pick(self.reassurance, lang, self.languages)


class Partner(models.Model):
    portal = models.ForeignKey(Portal, models.CASCADE, related_name="partners")
    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("link"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    # A PNG re-encoded by portals/logos.py (no metadata, bounded size), served by the product
    # itself so that a public page loads nothing from elsewhere.
    logo = models.BinaryField(_("logo"), blank=True, null=True, editable=False)
    logo_width = models.PositiveSmallIntegerField(default=0, db_default=0, editable=False)
    logo_height = models.PositiveSmallIntegerField(default=0, db_default=0, editable=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")

    def __str__(self) -> str:
        return self.name


class HelpContact(models.Model):
    class Kind(models.TextChoices):
        EMERGENCY = "emergency", _("Emergency number")
        CHILD_HELPLINE = "child_helpline", _("Child helpline")
        POLICE = "police", _("Police")
        OTHER = "other", _("Other help")

    portal = models.ForeignKey(Portal, models.CASCADE, related_name="help_contacts")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    label = models.JSONField(_("name per language"), default=dict, validators=[validate_texts])
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    url = models.URLField(_("link"), blank=True)
    text = models.JSONField(_("text per language"), default=dict, blank=True,
                            validators=[validate_texts])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("help contact")
        verbose_name_plural = _("help contacts")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.phone or self.url}"

    def label_in(self, lang: str) -> str:
        return pick(self.label, lang, self.portal.languages) or str(self.get_kind_display())

    def text_in(self, lang: str) -> str:
        return pick(self.text, lang, self.portal.languages)

    @property
    def tel(self) -> str:
        """The number as a tel: link wants it: digits and a leading +, nothing else."""
        return TEL_JUNK.sub("", self.phone)


TEL_JUNK = re.compile(r"[^0-9+*#]")


class StatusCheckDay(models.Model):
    """How many status checks found a report, per portal and day: how many reporters come
    back. Only a count: nothing here points at a report, a receipt or a visitor."""

    portal = models.ForeignKey(Portal, models.CASCADE, related_name="status_check_days")
    day = models.DateField()
    checks = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["portal", "day"],
                                               name="one_status_count_per_portal_day")]

    def __str__(self) -> str:
        return f"{self.portal_id} {self.day}: {self.checks}"
