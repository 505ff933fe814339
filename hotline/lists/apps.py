from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListsConfig(AppConfig):
    name = "hotline.lists"
    verbose_name = _("Lists and hash banks")

    def ready(self) -> None:
        from hotline.capture.signals import capture_done
        from hotline.cases.signals import case_closed

        from . import tasks

        capture_done.connect(tasks.capture_done, dispatch_uid="lists.capture_match")
        case_closed.connect(tasks.case_closed, dispatch_uid="lists.disagreements")
