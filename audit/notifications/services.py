"""Sending notifications. `notify` is idempotent per (user, key)."""

from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from branches.models import Organization

from .models import Notification


@transaction.atomic
def notify(*, user: AbstractBaseUser, key: str, kind: str, title: str, body: str = "", url: str = "",
           organization: Organization | None = None) -> bool:
    """Creates the notification unless this user already has one with this key. True if created."""
    _, created = Notification.objects.get_or_create(
        user=user, key=key,
        defaults={"kind": kind, "title": title[:200], "body": body, "url": url, "organization": organization},
    )
    return created


def notify_many(*, users: Iterable[AbstractBaseUser], key: str, kind: str, title: str, body: str = "",
                url: str = "", organization: Organization | None = None) -> int:
    """Notifies each user once; returns how many were new. One INSERT for the lot."""
    rows = [Notification(user=u, key=key, kind=kind, title=title[:200], body=body, url=url,
                         organization=organization) for u in users]
    if not rows:
        return 0
    before = Notification.objects.filter(key=key, user__in=[r.user for r in rows]).count()
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return Notification.objects.filter(key=key, user__in=[r.user for r in rows]).count() - before


@transaction.atomic
def notification_mark_read(*, user: AbstractBaseUser, notification: Notification) -> None:
    if notification.user_id != user.pk:
        raise PermissionError("not the recipient")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
