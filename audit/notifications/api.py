"""`/api/v1/notifications/`: the user's own notifications; mark one or all read.

`register(router)` is called by partyadmin/api_urls.py.
"""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from . import selectors, services
from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()
    organization_name = serializers.CharField(source="organization.name", default=None)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "organization", "organization_name", "created_at",
                  "read_at", "is_read"]
        read_only_fields = fields

    def get_is_read(self, obj: Notification) -> bool:
        return obj.read_at is not None


@extend_schema(parameters=[OpenApiParameter("unread", bool, description="只列出未读通知")])
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        unread_only = self.request.query_params.get("unread", "").lower() in {"1", "true"}
        return selectors.notification_list(user=self.request.user, unread_only=unread_only)

    def get_object(self) -> Notification:
        return selectors.notification_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        """Marks one notification read."""
        notification = self.get_object()
        services.notification_mark_read(user=request.user, notification=notification)
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses=inline_serializer("NotificationsMarkedRead", {"marked": serializers.IntegerField()}))
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        """Marks all of the user's unread notifications read."""
        return Response({"marked": services.notification_mark_all_read(user=request.user)})


def register(router: DefaultRouter) -> None:
    router.register("notifications", NotificationViewSet, basename="notification")
