"""System checks of what takedown needs to work (``hotline check --deploy`` runs them)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, register
from django.core.checks import Warning as CheckWarning


def notices_only_written_to_files() -> bool:
    """Notices go to files under EMAIL_FILE_PATH instead of out by e-mail."""
    return settings.EMAIL_BACKEND.endswith(".filebased.EmailBackend") or not settings.EMAIL_HOST


@register("email", deploy=True)
def check_notices_are_sent(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not notices_only_written_to_files():
        return []
    return [CheckWarning(
        f"EMAIL_HOST is not set: takedown notices are written to files under "
        f"{settings.EMAIL_FILE_PATH} and never sent.",
        hint="Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD_FILE, "
             "EMAIL_USE_TLS as the mail server needs).",
        id="takedown.W001")]
