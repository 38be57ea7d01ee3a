"""Sending notifications. `notify` is idempotent per (user, key).

E-mail is optional and off by default (NOTIFY_BY_EMAIL): when on, each new notification is also
mailed to its recipient, if they have an address, once the sending transaction commits, so that
no mail goes out for work that was rolled back and no SMTP call is made inside a transaction.

Marking notifications read is the reader's own inbox state, not a record of the organization, so
it writes no audit event (the action that caused a notification is audited where it happens).
"""

import logging
from collections.abc import Iterable
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from branches.models import Organization

from .models import Notification

logger = logging.getLogger(__name__)


def _email_enabled() -> bool:
    return bool(getattr(settings, "NOTIFY_BY_EMAIL", False))


def _send_email(notification_id: int) -> None:
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None or not notification.user.email:
        return
    lines = [notification.body] if notification.body else []
    if notification.url:
        lines.append(urljoin(getattr(settings, "SITE_URL", ""), notification.url))
    lines.append("（本邮件由党支部管理系统自动发送，请登录系统查看和处理。）")
    send_mail(
        subject=f"[党支部管理] {notification.title}", message="\n\n".join(lines),
        from_email=None, recipient_list=[notification.user.email],
    )


def _email_on_commit(notification_ids: Iterable[int]) -> None:
    if not _email_enabled():
        return
    for notification_id in notification_ids:
        # robust: a mail server that is down is logged, it does not fail the work that committed.
        transaction.on_commit(lambda pk=notification_id: _send_email(pk), robust=True)


@transaction.atomic
def notify(*, user: AbstractBaseUser, key: str, kind: str, title: str, body: str = "", url: str = "",
           organization: Organization | None = None) -> bool:
    """Creates the notification unless this user already has one with this key. True if created."""
    notification, created = Notification.objects.get_or_create(
        user=user, key=key,
        defaults={"kind": kind, "title": title[:200], "body": body, "url": url, "organization": organization},
    )
    if created and getattr(user, "email", ""):
        _email_on_commit([notification.pk])
    return created


@transaction.atomic
def notify_many(*, users: Iterable[AbstractBaseUser], key: str, kind: str, title: str, body: str = "",
                url: str = "", organization: Organization | None = None) -> int:
    """Notifies each user once; returns how many were new. One INSERT for the lot."""
    recipients = {u.pk: u for u in users}
    if not recipients:
        return 0
    already = set(Notification.objects.filter(key=key, user_id__in=recipients).values_list("user_id", flat=True))
    rows = [Notification(user=u, key=key, kind=kind, title=title[:200], body=body, url=url,
                         organization=organization) for pk, u in recipients.items() if pk not in already]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    created = Notification.objects.filter(key=key, user_id__in=recipients).count() - len(already)
    if created and _email_enabled():
        new_users = [r.user_id for r in rows if getattr(r.user, "email", "")]
        _email_on_commit(Notification.objects.filter(key=key, user_id__in=new_users).values_list("pk", flat=True))
    return created


@transaction.atomic
def notification_mark_read(*, user: AbstractBaseUser, notification: Notification) -> None:
    if notification.user_id != user.pk:
        raise PermissionError("not the recipient")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


@transaction.atomic
def notification_mark_all_read(*, user: AbstractBaseUser) -> int:
    """Marks every unread notification of the user read; returns how many were unread."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
