from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from hotline.audit.services import audit_record

from . import throttle
from .models import AuthenticatorApp, User, WebAuthnCredential
from .services import (
    account_unlock,
    second_factor_remove,
    second_factors_reset,
    staff_invited,
    staff_reset,
)

# django_otp's own page for authenticator apps shows the seed, as text and as a QR code, and
# lets an administrator type one in. Authenticator apps are listed below instead.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
# Access follows the one role of each staff member (User.role); groups mean nothing here.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


def _reset_failed(admin_page: admin.ModelAdmin[Any], request: HttpRequest, user: User) -> None:
    admin_page.message_user(request, _(
        "Nothing was changed: the set-up link for %(email)s could not be sent. Check the mail "
        "settings and try again.") % {"email": user.email}, messages.ERROR)


class StaffAddForm(forms.ModelForm):
    """Who the new staff member is and what they may do; they choose their own password from
    the set-up link they are sent."""

    class Meta:
        model = User
        fields = ["email", "role", "portals"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") == User.Role.PARTNER and not data.get("portals"):
            self.add_error("portals", _("A partner sees the figures of their portals only: "
                                        "choose at least one."))
        elif data.get("role") != User.Role.PARTNER and data.get("portals"):
            self.add_error("portals", _("Only partners are tied to portals."))
        return data

    def save(self, commit: bool = True) -> User:
        user: User = super().save(commit=False)
        user.email = user.email.lower()
        user.set_unusable_password()
        if commit:
            user.save()
            self.save_m2m()
        return user


class SetupMailFailed(Exception):
    pass


def _factor_rows(user: User) -> list[tuple[str, str, Any, Any]]:
    rows: list[tuple[str, str, Any, Any]] = [
        (str(_("Authenticator app")), app.name, app.created_at, app.last_used_at)
        for app in AuthenticatorApp.objects.filter(user=user, confirmed=True)]
    rows += [(str(_("Security key")), key.name, key.created, key.last_used)
             for key in WebAuthnCredential.objects.filter(user=user)]
    return rows


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email",)}),
        (gettext_lazy("Person"), {"fields": ("first_name", "last_name")}),
        (gettext_lazy("Access"), {"fields": ("role", "portals", "is_active")}),
        (gettext_lazy("Second factors"), {"fields": ("second_factors", "locked")}),
        (gettext_lazy("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_form = StaffAddForm
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "role", "portals"),
                             "description": gettext_lazy(
                                 "No password is set here: the new staff member is e-mailed "
                                 "a one-time link to choose one and set up a second factor.")}),)
    readonly_fields = ["last_login", "date_joined", "second_factors", "locked"]
    actions = ["send_setup_link", "reset_second_factors", "unlock_accounts"]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest,
                                 **kwargs: Any) -> Any:
        # A few portals: plain check boxes (Django's filter widget fails axe's ARIA rules).
        if db_field.name == "portals":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("Second factors"))
    def second_factors(self, user: User) -> str:
        rows = _factor_rows(user)
        if not rows:
            return str(_("None yet"))
        return format_html_join(
            mark_safe("<br>"), "{}: {} ({})",
            ((kind, name, _("last used %(when)s") % {"when": date_format(used, "Y-m-d H:i")}
              if used else _("never used")) for kind, name, _created, used in rows))

    @admin.display(description=gettext_lazy("Sign-in"))
    def locked(self, user: User) -> str:
        return str(_("Locked after failed attempts") if throttle.is_locked(user.email)
                   else _("Not locked"))

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        user = self.get_object(request, unquote(object_id))
        if user is not None:
            # The page lists the member's second factors: who looked at them is on record.
            audit_record(actor=request.user, action="admin.factors.view", obj=user)
        return super().change_view(request, object_id, form_url, extra_context)

    def user_change_password(self, request: HttpRequest, id: str,
                             form_url: str = "") -> HttpResponse:
        # Administrators never choose anyone's password: "send a new set-up link" instead.
        raise PermissionDenied

    def response_add(self, request: HttpRequest, obj: User,
                     post_url_continue: str | None = None) -> HttpResponse:
        # Still inside the admin's transaction: when the mail cannot go out, the account is
        # not kept.
        try:
            staff_invited(user=obj, by=request.user)  # type: ignore[arg-type]
        except OSError as e:
            raise SetupMailFailed from e
        self.message_user(request, _("A one-time set-up link was sent to %(email)s.")
                          % {"email": obj.email}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:accounts_user_changelist"))

    def add_view(self, request: HttpRequest, form_url: str = "",
                 extra_context: dict[str, Any] | None = None) -> HttpResponse:
        try:
            return super().add_view(request, form_url, extra_context)
        except SetupMailFailed:
            # Nothing was kept (the admin's transaction rolled back). A second pass shows the
            # form as it was typed, with the error, so that nothing has to be typed again.
            request.setup_mail_failed = True  # type: ignore[attr-defined]
            return super().add_view(request, form_url, extra_context)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False,
                 **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if not getattr(request, "setup_mail_failed", False):
            return form

        class MailFailed(form):  # type: ignore[valid-type,misc]
            def clean(self) -> dict[str, Any]:
                super().clean()
                raise forms.ValidationError(_(
                    "Nothing was saved: the set-up link could not be sent. Check the mail "
                    "settings and try again."))

        return MailFailed

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

    @admin.action(description=gettext_lazy(
        "Reset the second factor: remove every factor, the password stops working, a new "
        "set-up link is sent"))
    def reset_second_factors(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            try:
                second_factors_reset(user=user, by=request.user)  # type: ignore[arg-type]
            except OSError:
                _reset_failed(self, request, user)
                return
            self.message_user(request, _(
                "The second factors of %(email)s were removed and a new set-up link was sent; "
                "their password no longer works.") % {"email": user.email}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Unlock: forget failed sign-in attempts"))
    def unlock_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            account_unlock(user=user, by=request.user)  # type: ignore[arg-type]
            self.message_user(request, _("The failed sign-in attempts on %(email)s were "
                                         "forgotten: they can sign in again.")
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

    def changelist_view(self, request: HttpRequest,
                        extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # Who looked at staff members' second factors is on record, list and page alike.
        audit_record(actor=request.user, action="admin.factors.view",
                     model=self.model._meta.model_name, query=request.GET.urlencode()[:200])
        return super().changelist_view(request, extra_context)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        device = self.get_object(request, unquote(object_id))
        if device is not None:
            audit_record(actor=request.user, action="admin.factors.view", obj=device.user,
                         model=self.model._meta.model_name, factor=device.pk)
        return super().change_view(request, object_id, form_url, extra_context)

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
