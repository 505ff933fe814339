from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaptureConfig(AppConfig):
    name = "hotline.capture"
    verbose_name = _("Captures")

    def ready(self) -> None:
        from hotline.cases.signals import case_opened

        from . import tasks

        case_opened.connect(tasks.case_opened, dispatch_uid="capture.case_capture")
