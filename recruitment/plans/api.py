from rest_framework.routers import DefaultRouter


def register(router: DefaultRouter) -> None:
    """Registers this app's viewsets (called by partyadmin/api_urls.py)."""
