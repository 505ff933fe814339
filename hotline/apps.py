"""Project-level application configuration."""

from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    """Django's admin with the staff admin site as ``admin.site`` (the documented way to
    replace the default site: every app's ``admin.register`` then lands on it)."""

    default_site = "hotline.admin.StaffAdminSite"
