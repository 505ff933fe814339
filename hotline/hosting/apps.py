from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HostingConfig(AppConfig):
    name = "hotline.hosting"
    verbose_name = _("Hosting trace")

    def ready(self) -> None:
        from hotline.cases.signals import case_opened

        from . import tasks

        case_opened.connect(tasks.case_opened, dispatch_uid="hosting.case_trace")
