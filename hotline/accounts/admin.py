from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import AuthenticatorApp, User, WebAuthnCredential

# django_otp's own page for authenticator apps shows the seed, as text and as a QR code, and
# lets an administrator type one in. Authenticator apps are listed below instead.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


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


@admin.register(AuthenticatorApp)
class AuthenticatorAppAdmin(admin.ModelAdmin):
    """Administrators remove a lost authenticator app here; only its owner adds one, and the
    seed is never shown (it is sealed in the database, and nobody needs it but the phone)."""

    list_display = ["name", "user", "confirmed", "created_at", "last_used_at"]
    search_fields = ["user__email", "name"]
    fields = readonly_fields = ("user", "name", "confirmed", "created_at", "last_used_at")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
