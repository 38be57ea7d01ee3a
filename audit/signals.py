"""Logins, successful or not, are audit events (等保 2.0: 身份鉴别与安全审计)."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import EventResult
from .services import record


@receiver(user_logged_in)
def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(actor=user, action="auth.login", subject=user, subject_label=user.get_username())


@receiver(user_logged_out)
def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(actor=user, action="auth.logout", subject=user, subject_label=user.get_username())


@receiver(user_login_failed)
def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    record(
        actor=None, action="auth.login_failed", subject_type="auth.user", subject_label=username,
        result=EventResult.FAILURE, changes={"username": username},
    )
