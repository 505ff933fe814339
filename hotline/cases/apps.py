from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "hotline.cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from hotline.intake.signals import report_stored

        from . import tasks

        report_stored.connect(tasks.report_stored, dispatch_uid="cases.report_intake")
