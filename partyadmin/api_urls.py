from django.urls import include, path
from rest_framework.routers import DefaultRouter

from branches.api import OrganizationViewSet
from membership.api import MemberViewSet

router = DefaultRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("members", MemberViewSet, basename="member")

urlpatterns = [
    path("", include(router.urls)),
]
