"""`/api/v1/publicity-windows/` and `/api/v1/publicity-objections/`: the same services and scoping as the pages.

404 out of scope (a window or objection the user may not see, an organization they may not publish
for); 403 for an action on something they see but may not take; 409 for a rule (RuleViolation).
"""

from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from branches.models import Organization
from branches.scoping import Action, organization_get_for_user, organizations_for

from . import selectors, services
from .models import (
    Channel,
    Finding,
    Objection,
    ObjectionStatus,
    PublicityEntry,
    PublicityWindow,
    WindowStatus,
)

# --- windows ----------------------------------------------------------------------------------------


class PublicityEntrySerializer(serializers.ModelSerializer):
    is_terminated = serializers.BooleanField(read_only=True)

    class Meta:
        model = PublicityEntry
        fields = ["id", "order", "subject_type", "subject_id", "snapshot", "is_terminated"]
        read_only_fields = fields


class _OfficeOnlyMixin:
    """Drops the fields only office holders may read when the reader is a member."""

    office_only: tuple[str, ...] = ()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)  # type: ignore[misc]
        request = self.context.get("request")  # type: ignore[attr-defined]
        if request is not None and not selectors.may_read_objections(user=request.user, window=_window_of(instance)):
            for name in self.office_only:
                data.pop(name, None)
        return data


def _window_of(instance: PublicityWindow | Objection) -> PublicityWindow:
    return instance if isinstance(instance, PublicityWindow) else instance.window


class PublicityWindowListSerializer(_OfficeOnlyMixin, serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    entry_count = serializers.IntegerField(read_only=True)
    pending_objections = serializers.IntegerField(read_only=True)
    # The choices are documented once, on the detail serializer's enum (one enum used by two
    # components gets an unstable generated name in the schema).
    status = serializers.CharField(read_only=True, help_text="scheduled 待发布 / open 公示中 / closed 已结束 / terminated 已终止")
    office_only = ("pending_objections",)

    class Meta:
        model = PublicityWindow
        fields = [
            "id", "organization", "organization_name", "title", "kind", "kind_label", "scope", "starts_on", "ends_on",
            "period_unit", "period_count", "status", "entry_count", "pending_objections",
        ]
        read_only_fields = fields


class PublicityWindowSerializer(_OfficeOnlyMixin, serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    scope_labels = serializers.ListField(child=serializers.CharField(), read_only=True)
    entries = PublicityEntrySerializer(many=True, read_only=True)
    office_only = ("termination_reason",)

    class Meta:
        model = PublicityWindow
        fields = [
            "id", "organization", "organization_name", "title", "kind", "kind_label", "scope", "scope_labels",
            "columns", "starts_on", "ends_on", "period_unit", "period_count", "status", "contact", "opened_at",
            "closed_at", "terminated_at", "termination_reason", "entries",
        ]
        read_only_fields = fields


class PublicityEntryInputSerializer(serializers.Serializer):
    subject_type = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    subject_id = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    fields = serializers.DictField(help_text="公示项目：name、gender、age、education、occupation、position、results 及声明的结果项。")


class PublicityWindowCreateSerializer(serializers.Serializer):
    organization = serializers.IntegerField(help_text="发布组织（须在本人可管理范围内）")
    title = serializers.CharField(max_length=200)
    kind = serializers.CharField(max_length=64)
    kind_label = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    scope = serializers.ListField(child=serializers.CharField(), allow_empty=False)
    starts_on = serializers.DateField()
    contact = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    result_fields = serializers.DictField(child=serializers.CharField(), required=False, default=dict)
    results_label = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    entries = PublicityEntryInputSerializer(many=True, allow_empty=False)


class PublicityWindowFilter(django_filters.FilterSet):
    organization = django_filters.ModelChoiceFilter(
        queryset=Organization.objects.none(), method="filter_organization", label="组织（含下级）",
    )
    status = django_filters.ChoiceFilter(choices=WindowStatus.choices)

    class Meta:
        model = PublicityWindow
        fields = ["organization", "status"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only organizations in scope can be named: a foreign id is a validation error, never a probe.
        self.filters["organization"].queryset = organizations_for(self.request.user, Action.VIEW_MEMBER)

    def filter_organization(self, queryset: QuerySet[PublicityWindow], name: str,
                            value: Organization) -> QuerySet[PublicityWindow]:
        return queryset.filter(organization__path__startswith=value.path)


class PublicityWindowViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filterset_class = PublicityWindowFilter

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "list":
            return PublicityWindowListSerializer
        if self.action == "create":
            return PublicityWindowCreateSerializer
        return PublicityWindowSerializer

    def get_queryset(self) -> QuerySet[PublicityWindow]:
        return selectors.window_list(user=self.request.user)

    def get_object(self) -> PublicityWindow:
        return selectors.window_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=PublicityWindowCreateSerializer, responses={201: PublicityWindowSerializer})
    def create(self, request: Request) -> Response:
        serializer = PublicityWindowCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organization = organization_get_for_user(request.user, data["organization"], Action.CHANGE_MEMBER)
        window = services.publicity_open(
            acting_user=request.user, organization=organization, title=data["title"], kind=data["kind"],
            kind_label=data["kind_label"], scope=data["scope"], starts_on=data["starts_on"], contact=data["contact"],
            result_fields=data["result_fields"], results_label=data["results_label"],
            entries=[(e["subject_type"], e["subject_id"], e["fields"]) for e in data["entries"]],
        )
        window = selectors.window_get(user=request.user, pk=window.pk)
        return Response(PublicityWindowSerializer(window, context={"request": request}).data, status=status.HTTP_201_CREATED)


# --- objections -------------------------------------------------------------------------------------


class PublicityObjectionSerializer(_OfficeOnlyMixin, serializers.ModelSerializer):
    entry_name = serializers.SerializerMethodField()
    filer_name = serializers.SerializerMethodField()
    office_only = ("investigation", "filer_name")

    class Meta:
        model = Objection
        fields = [
            "id", "window", "entry", "entry_name", "channel", "content", "is_anonymous", "filer_name", "received_on",
            "filed_at", "status", "investigation", "finding", "concluded_at",
        ]
        read_only_fields = fields

    def get_entry_name(self, obj: Objection) -> str | None:
        return obj.entry.snapshot.get("name") if obj.entry is not None else None

    def get_filer_name(self, obj: Objection) -> str | None:
        if obj.is_anonymous:
            return None
        if obj.filed_by is not None:
            return obj.filed_by.get_full_name() or obj.filed_by.get_username()
        return obj.on_behalf_of_name or None


class PublicityObjectionCreateSerializer(serializers.Serializer):
    window = serializers.IntegerField()
    entry = serializers.IntegerField(required=False, allow_null=True, default=None,
                                     help_text="针对的公示对象；不填表示针对整个公示")
    content = serializers.CharField(max_length=2000)
    anonymous = serializers.BooleanField(required=False, default=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, default=Channel.ONLINE,
                                      help_text="online：党员本人网上提出；其余：党组织登记")
    on_behalf_of_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    received_on = serializers.DateField(required=False, allow_null=True, default=None)


class PublicityObjectionConcludeSerializer(serializers.Serializer):
    finding = serializers.ChoiceField(choices=Finding.choices)
    investigation = serializers.CharField()


class PublicityObjectionInvestigateSerializer(serializers.Serializer):
    investigation = serializers.CharField(required=False, allow_blank=True, default="")


class PublicityObjectionFilter(django_filters.FilterSet):
    # A plain number, not a choice checked against every window: a foreign id must answer exactly
    # like a missing one (an empty list), never "not a valid choice" for one and not the other.
    window = django_filters.NumberFilter(field_name="window_id")
    status = django_filters.ChoiceFilter(choices=ObjectionStatus.choices)

    class Meta:
        model = Objection
        fields = ["window", "status"]


class PublicityObjectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PublicityObjectionSerializer
    filterset_class = PublicityObjectionFilter

    def get_queryset(self) -> QuerySet[Objection]:
        return selectors.objection_list(user=self.request.user)

    def get_object(self) -> Objection:
        return selectors.objection_get(user=self.request.user, pk=self.kwargs["pk"])

    def _respond(self, objection: Objection, code: int = status.HTTP_200_OK) -> Response:
        objection = selectors.objection_get(user=self.request.user, pk=objection.pk)
        return Response(PublicityObjectionSerializer(objection, context={"request": self.request}).data, status=code)

    @extend_schema(request=PublicityObjectionCreateSerializer, responses={201: PublicityObjectionSerializer})
    def create(self, request: Request) -> Response:
        serializer = PublicityObjectionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        window = selectors.window_get(user=request.user, pk=data["window"])
        entry = None
        if data["entry"] is not None:
            entry = window.entries.filter(pk=data["entry"]).first()
            if entry is None:
                raise serializers.ValidationError({"entry": ["所选公示对象不属于该公示。"]})
        if data["channel"] == Channel.ONLINE:
            objection = services.objection_file(
                acting_user=request.user, window=window, entry=entry, content=data["content"],
                anonymous=data["anonymous"],
            )
        else:
            if not selectors.may_manage(user=request.user, window=window):
                raise PermissionDenied("无权登记异议。")
            objection = services.objection_record(
                acting_user=request.user, window=window, entry=entry, content=data["content"], channel=data["channel"],
                anonymous=data["anonymous"], on_behalf_of_name=data["on_behalf_of_name"],
                received_on=data["received_on"],
            )
        if objection.filed_by_id is None and not selectors.may_read_objections(user=request.user, window=window):
            # An anonymous filer cannot read the row back: answer with what they sent, nothing more.
            return Response({"id": objection.pk, "status": objection.status}, status=status.HTTP_201_CREATED)
        return self._respond(objection, status.HTTP_201_CREATED)

    def _managed(self) -> Objection:
        objection = self.get_object()
        if not selectors.may_manage(user=self.request.user, window=objection.window):
            raise PermissionDenied("无权办理异议。")
        return objection

    @extend_schema(request=PublicityObjectionInvestigateSerializer, responses={200: PublicityObjectionSerializer})
    @action(detail=True, methods=["post"])
    def investigate(self, request: Request, pk: str | None = None) -> Response:
        objection = self._managed()
        serializer = PublicityObjectionInvestigateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        objection = services.objection_investigate(acting_user=request.user, objection=objection,
                                                   investigation=serializer.validated_data["investigation"])
        return self._respond(objection)

    @extend_schema(request=PublicityObjectionConcludeSerializer, responses={200: PublicityObjectionSerializer})
    @action(detail=True, methods=["post"])
    def conclude(self, request: Request, pk: str | None = None) -> Response:
        objection = self._managed()
        serializer = PublicityObjectionConcludeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        objection = services.objection_conclude(
            acting_user=request.user, objection=objection, finding=serializer.validated_data["finding"],
            investigation=serializer.validated_data["investigation"],
        )
        return self._respond(objection)


def register(router: DefaultRouter) -> None:
    """Registers this part's viewsets."""
    router.register("publicity-windows", PublicityWindowViewSet, basename="publicity-window")
    router.register("publicity-objections", PublicityObjectionViewSet, basename="publicity-objection")
