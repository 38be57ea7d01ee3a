"""Pages of the account checks in `credentials`: the second-factor code, enrolling an authenticator app,
and the password change that also renews the 90-day term."""

import time
from typing import Any
from urllib.parse import urlencode

import django_otp
import qrcode
import qrcode.image.svg
from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import record
from audit.signals import home_organization

from . import credentials
from .forms import StyledFormMixin


class CodeForm(StyledFormMixin, forms.Form):
    token = forms.RegexField(label="动态口令", regex=r"^\d{6}$", max_length=6,
                             error_messages={"invalid": "请输入验证器上的 6 位数字。"},
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def _record(request: HttpRequest, action: str, *, failed: bool = False) -> None:
    user = request.user
    record(actor=user, action=action, organization=home_organization(user), subject=user,
           subject_label=user.get_username(), result="failure" if failed else "success")


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """Asks an administrator for the code of their authenticator app (TOTP, 30-second steps)."""
    devices = TOTPDevice.objects.devices_for_user(request.user, confirmed=True)
    if not devices.exists():
        return redirect(f"{reverse('second_factor_setup')}?{urlencode({'next': _next_url(request)})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = django_otp.match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            django_otp.login(request, device)
            _record(request, "auth.second_factor")
            return redirect(_next_url(request))
        _record(request, "auth.second_factor_failed", failed=True)
        form.add_error("token", "动态口令不正确或已过期，请重新输入。")
    return render(request, "registration/second_factor.html", {"form": form, "next": _next_url(request)})


@login_required
@transaction.atomic
def second_factor_setup(request: HttpRequest) -> HttpResponse:
    """Binds an authenticator app: shows the key as a QR code and as text, and confirms it with one code."""
    if TOTPDevice.objects.devices_for_user(request.user, confirmed=True).exists():
        return redirect("second_factor")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="身份验证器", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            django_otp.login(request, device)
            _record(request, "auth.second_factor_enrol")
            return redirect(_next_url(request))
        form.add_error("token", "动态口令不正确，请核对手机时间后重新输入。")
    qr_svg = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return render(request, "registration/second_factor_setup.html", {
        "form": form, "next": _next_url(request), "secret": credentials.totp_secret(device),
        "qr_svg": qr_svg.to_string(encoding="unicode"),
    })


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's change page, which also records the change and starts a new 90-day term in the session."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        expires = self.request.session.get(credentials.SESSION_PASSWORD_EXPIRES)
        context["expired"] = expires is not None and time.time() > expires
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        credentials.remember_checks(self.request, self.request.user)
        _record(self.request, "auth.password_change")
        return response
