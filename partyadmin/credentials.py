"""Account security on top of the password login (等保 2.0 level 3, DESIGN §2.7): a password expires after
90 days (the user is sent to the change page until they change it) and every administrator proves a second
factor, a TOTP code (django-otp), before any page.

This is wiring like the settings: it reads roles from `branches.scoping` and writes audit events. Both
checks are decided once, at login, and kept in the session, so an ordinary request costs no query.
"""

import base64
import time
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from branches.scoping import Role, roles_of

from .models import PasswordRecord

SESSION_PASSWORD_EXPIRES = "password_expires_at"  # noqa: S105 - a session key, not a secret
SESSION_SECOND_FACTOR = "second_factor_required"
ADMINISTRATOR_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})


def password_set_at(user: AbstractBaseUser) -> datetime:
    """When the current password was set: the latest remembered one, else when the account was made."""
    latest = PasswordRecord.objects.filter(user_id=user.pk).values_list("changed_at", flat=True).first()
    return latest or user.date_joined  # type: ignore[attr-defined]


def password_expires_at(user: AbstractBaseUser) -> datetime:
    return password_set_at(user) + timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)


def is_administrator(user: AbstractBaseUser) -> bool:
    return bool(user.is_superuser or user.is_staff  # type: ignore[attr-defined]
                or roles_of(user) & ADMINISTRATOR_ROLES)


def second_factor_required(user: AbstractBaseUser) -> bool:
    return settings.ADMIN_SECOND_FACTOR and is_administrator(user)


def remember_checks(request: HttpRequest, user: AbstractBaseUser) -> None:
    request.session[SESSION_PASSWORD_EXPIRES] = password_expires_at(user).timestamp()
    request.session[SESSION_SECOND_FACTOR] = second_factor_required(user)


@receiver(user_logged_in)
def on_login(sender: Any, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        remember_checks(request, user)


def totp_secret(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed in (base32, no padding)."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


# URL names a user may reach while a check is pending.
_OPEN_URL_NAMES = ("login", "logout", "password_change", "password_change_done", "second_factor",
                   "second_factor_setup")


class AccountSecurityMiddleware:
    """Sends an administrator without a verified second factor to the code page, and a user whose password
    has expired to the change page. Needs `django_otp.middleware.OTPMiddleware` before it."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response
        self._open_paths: frozenset[str] | None = None

    def _is_open(self, request: HttpRequest) -> bool:
        if self._open_paths is None:
            self._open_paths = frozenset(reverse(name) for name in _OPEN_URL_NAMES)
        path = request.path_info
        return path in self._open_paths or path.startswith((settings.STATIC_URL, "/jsi18n/"))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not hasattr(request, "session") or self._is_open(request):
            return self.get_response(request)
        if request.session.get(SESSION_SECOND_FACTOR) and not user.is_verified():
            return self._refuse(request, "second_factor", "请先完成动态口令验证。")
        expires = request.session.get(SESSION_PASSWORD_EXPIRES)
        if expires is not None and time.time() > expires:
            return self._refuse(request, "password_change", "密码已超过有效期，请先修改密码。")
        return self.get_response(request)

    def _refuse(self, request: HttpRequest, url_name: str, message: str) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            return JsonResponse({"code": f"account.{url_name}", "detail": message}, status=403)
        return redirect(f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}")
