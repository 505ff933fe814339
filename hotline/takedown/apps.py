from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TakedownConfig(AppConfig):
    name = "hotline.takedown"
    verbose_name = _("Takedown")

    def ready(self) -> None:
        from hotline.cases.signals import case_confirmed

        from . import checks, confirmation  # noqa: F401  (checks registers itself)

        case_confirmed.connect(confirmation.case_confirmed, dispatch_uid="takedown.confirmation")
