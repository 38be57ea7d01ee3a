"""Template context: the unread count for the bell in the navbar (`partials/notification_bell.html`)."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import selectors


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    """`unread_notifications`: the user's unread count.

    Lazy: the COUNT runs only when a template shows it (the page with the navbar), not for every
    partial an htmx request renders. No query at all for an anonymous user.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(lambda: selectors.unread_count(user=user))}
