from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TakedownConfig(AppConfig):
    name = "hotline.takedown"
    verbose_name = _("Takedown")
