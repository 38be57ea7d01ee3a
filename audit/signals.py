"""Logins, successful or not, are audit events (等保 2.0: 身份鉴别与安全审计).

A login belongs to no organization by itself; it is filed under the user's broadest granted
organization, so the auditors of that county see it on the audit trail page. A failure for an
unknown account name lands on the global chain (Django admin only). Passwords never reach the
event: the failure records the account name typed, nothing else from the credentials.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from branches.models import Organization
from branches.scoping import Role

from .models import EventResult
from .services import record

_ROLE_CODENAMES = [role.codename for role in Role]


def home_organization(user: Any) -> Organization | None:
    """The highest organization the user holds any role on (one query, no grant cache touched)."""
    if user is None or user.pk is None:
        return None
    return (
        Organization.objects.filter(
            user_grants__user=user, user_grants__permission__codename__in=_ROLE_CODENAMES, is_active=True,
        )
        .order_by("depth", "path")
        .first()
    )


@receiver(user_logged_in)
def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(
        actor=user, action="auth.login", organization=home_organization(user), subject=user,
        subject_label=user.get_username(),
    )


@receiver(user_logged_out)
def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(
            actor=user, action="auth.logout", organization=home_organization(user), subject=user,
            subject_label=user.get_username(),
        )


@receiver(user_login_failed)
def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    user_model = get_user_model()
    username = str(credentials.get(user_model.USERNAME_FIELD, "") or credentials.get("username", ""))[:150]
    target = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first() if username else None
    record(
        actor=None, action="auth.login_failed", organization=home_organization(target),
        subject=target, subject_type="auth.user", subject_label=username,
        result=EventResult.FAILURE, changes={"username": username},
    )
