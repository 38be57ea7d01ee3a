"""Request-wide context (client address for the audit trail) and rendering of domain errors."""

import contextvars
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url

from .errors import RuleViolation

_client_address: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_address", default=None)


def client_address() -> str | None:
    """The address of the request being served, if any (for audit events)."""
    return _client_address.get()


def _address_of(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


class RequestContextMiddleware:
    """Remembers the client address and enforces the absolute session lifetime (12 hours)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _client_address.set(_address_of(request))
        try:
            if request.user.is_authenticated:
                started = request.session.setdefault("started_at", int(time.time()))
                if time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
                    logout(request)
                    return HttpResponseRedirect(resolve_url(settings.LOGIN_URL))
            return self.get_response(request)
        finally:
            _client_address.reset(token)


class RuleViolationMiddleware:
    """A RuleViolation that escapes a view is shown to the user, never as a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, RuleViolation):
            return None
        if request.path.startswith("/api/") or request.headers.get("HX-Request"):
            return JsonResponse({"code": exception.code, "detail": exception.message}, status=409)
        messages.error(request, exception.message)
        return HttpResponseRedirect(request.META.get("HTTP_REFERER") or "/")
