from __future__ import annotations

from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "hotline.stats"
    label = "stats"
    verbose_name = "Figures"
