"""Reads of notifications. A notification belongs to one user: everyone sees their own, no one else's."""

from django.db.models import QuerySet
from django.http import Http404

from branches.scoping import AnyUser

from .models import Notification


def notification_list(*, user: AnyUser, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own notifications, newest first (none for an anonymous user)."""
    if not user.is_authenticated:
        return Notification.objects.none()
    notifications = Notification.objects.filter(user=user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.select_related("organization").order_by("-created_at", "-id")


def notification_get_for_user(*, user: AnyUser, pk: object) -> Notification:
    """One of the user's own notifications; the same 404 for missing and someone else's."""
    try:
        return notification_list(user=user).get(pk=pk)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404("通知不存在。") from None


def unread_count(*, user: AnyUser) -> int:
    """How many of the user's notifications are unread: one COUNT on the (user, read_at) index."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
