from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListsConfig(AppConfig):
    name = "hotline.lists"
    verbose_name = _("Lists and hash banks")

    def ready(self) -> None:
        from hotline.cases.signals import case_opened

        from . import tasks

        case_opened.connect(tasks.case_opened, dispatch_uid="lists.case_capture")
