"""The user's own notifications: the list, opening one, marking read."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services

PAGE_SIZE = 20


def _safe_local(request: HttpRequest, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure(),
    )


def _back_to_list(request: HttpRequest) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    return HttpResponseRedirect(target if _safe_local(request, target) else reverse("audit:notifications:list"))


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    queryset = selectors.notification_list(user=request.user, unread_only=unread_only)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/notifications/list.html", {
        "page_obj": page,
        "unread_only": unread_only,
        # Also what the navbar bell shows: given here, the context processor's lazy count never runs.
        "unread_notifications": selectors.unread_count(user=request.user),
    })


@login_required
@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follows the notification's link, marking it read on the way."""
    notification = selectors.notification_get_for_user(user=request.user, pk=pk)
    services.notification_mark_read(user=request.user, notification=notification)
    if _safe_local(request, notification.url):
        return HttpResponseRedirect(notification.url)
    return HttpResponseRedirect(reverse("audit:notifications:list"))


@login_required
@require_POST
def notification_mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.notification_get_for_user(user=request.user, pk=pk)
    services.notification_mark_read(user=request.user, notification=notification)
    return _back_to_list(request)


@login_required
@require_POST
def notification_mark_all_read(request: HttpRequest) -> HttpResponse:
    services.notification_mark_all_read(user=request.user)
    return _back_to_list(request)
