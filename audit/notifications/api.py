"""API of this part of oversight; `register(router)` is called by partyadmin/api_urls.py."""

from rest_framework.routers import DefaultRouter


def register(router: DefaultRouter) -> None:
    """Registers this part's viewsets."""
