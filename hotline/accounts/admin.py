from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import AuthenticatorApp, User, WebAuthnCredential
from .services import second_factor_remove, staff_reset

# django_otp's own page for authenticator apps shows the seed, as text and as a QR code, and
# lets an administrator type one in. Authenticator apps are listed below instead.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


def _reset_failed(admin_page: admin.ModelAdmin[Any], request: HttpRequest, user: User) -> None:
    admin_page.message_user(request, _(
        "Nothing was changed: the set-up link for %(email)s could not be sent. Check the mail "
        "settings and try again.") % {"email": user.email}, messages.ERROR)


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
    actions = ["send_setup_link"]

    @admin.action(description=gettext_lazy("Send a new set-up link (the password stops working)"))
    def send_setup_link(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            try:
                staff_reset(user=user, by=request.user, reason="admin")  # type: ignore[arg-type]
            except OSError:
                _reset_failed(self, request, user)
                return
            self.message_user(request, _("%(email)s was sent a new set-up link.")
                              % {"email": user.email}, messages.SUCCESS)


class LostFactorAdmin(admin.ModelAdmin):
    """Administrators remove a lost second factor here; only its owner adds one. Removing one
    resets the account (accounts.services.second_factor_remove): its password stops working and
    its owner gets a new set-up link, so that knowing the password is not enough to enrol a
    factor in its place. Django's plain delete, which would skip that, is never offered."""

    actions = ["remove_lost_factors"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def _remove(self, request: HttpRequest, devices: list[Any]) -> bool:
        for device in devices:
            try:
                second_factor_remove(device=device, by=request.user)  # type: ignore[arg-type]
            except OSError:
                _reset_failed(self, request, device.user)
                return False
            self.message_user(request, _(
                "%(factor)s was removed and %(email)s was sent a new set-up link; their "
                "password no longer works.") % {"factor": device, "email": device.user.email},
                messages.SUCCESS)
        return True

    @admin.action(description=gettext_lazy("Remove as lost: reset the account and send a new "
                                           "set-up link"))
    def remove_lost_factors(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._remove(request, list(queryset.select_related("user")))

    def delete_view(self, request: HttpRequest, object_id: str,
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # Django shows its confirmation page; the confirmed removal goes through the service.
        device: Model | None = self.get_object(request, unquote(object_id))
        if (request.method != "POST" or device is None
                or not self.has_delete_permission(request, device)):
            return super().delete_view(request, object_id, extra_context)
        opts = self.model._meta
        if self._remove(request, [device]):
            return HttpResponseRedirect(reverse(
                f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        return HttpResponseRedirect(reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change", args=[device.pk]))


@admin.register(WebAuthnCredential)
class WebAuthnCredentialAdmin(LostFactorAdmin):
    list_display = ["name", "user", "created", "last_used"]
    search_fields = ["user__email", "name"]
    readonly_fields = ["user", "name", "created", "last_used", "sign_count"]
    exclude = ["credential_id", "public_key"]


@admin.register(AuthenticatorApp)
class AuthenticatorAppAdmin(LostFactorAdmin):
    """The seed is never shown: it is sealed in the database, and only the phone needs it."""

    list_display = ["name", "user", "confirmed", "created_at", "last_used_at"]
    search_fields = ["user__email", "name"]
    fields = readonly_fields = ("user", "name", "confirmed", "created_at", "last_used_at")
