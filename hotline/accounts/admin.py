from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User, WebAuthnCredential


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    filter_horizontal = ["portals"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("first_name", "last_name")}),
        ("Access", {"fields": ("role", "portals", "is_active")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",),
                             "fields": ("email", "role", "password1", "password2")}),)
    readonly_fields = ["last_login", "date_joined"]


@admin.register(WebAuthnCredential)
class WebAuthnCredentialAdmin(admin.ModelAdmin):
    """Administrators remove a lost key here; keys are added only by their owner."""

    list_display = ["name", "user", "created", "last_used"]
    search_fields = ["user__email", "name"]
    readonly_fields = ["user", "name", "created", "last_used", "sign_count"]
    exclude = ["credential_id", "public_key"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
