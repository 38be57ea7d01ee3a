"""`/api/v1/meetings/` (list, detail, create) and `/api/v1/meetings/{id}/attendance/` (read, set).

The same services and scoping as the pages: 404 out of scope (a meeting the user may not see, an
organization they may not record for); 403 for an action on a meeting they see but may not edit;
400 with field messages for bad input; 409 for a rule (RuleViolation).
"""

from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from branches.models import Organization
from branches.scoping import Action, organization_get_for_user, organizations_for

from . import rules, selectors, services
from .models import MEETING_TYPE_CHOICES, Attendance, Meeting, MeetingPhoto, MeetingStatus

ATTENDANCE_STATUSES = [(str(k), v) for k, v in rules.ATTENDANCE_STATUS_LABELS.items()]
_STATUS_HELP = " / ".join(f"{value} {label}" for value, label in ATTENDANCE_STATUSES)


# Documented as a string with its values in the description: an enum component named after the field
# ("status") would collide with other apps' status enums (add an ENUM_NAME_OVERRIDES entry to name it).
@extend_schema_field({"type": "string", "description": _STATUS_HELP})
class AttendanceStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=ATTENDANCE_STATUSES, **kwargs)


class AttendanceSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.person.name", read_only=True)
    status = AttendanceStatusField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Attendance
        fields = ["member", "member_name", "status", "status_display", "note"]
        read_only_fields = fields


class MeetingPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = MeetingPhoto
        fields = ["id", "url", "image_format", "width", "height", "size", "caption", "uploaded_at"]
        read_only_fields = fields

    def get_url(self, obj: MeetingPhoto) -> str:
        return reverse("meetings:photo", args=[obj.pk])


class MeetingListSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    type_display = serializers.CharField(source="get_type_display", read_only=True)
    # Documented once, on the detail serializer's enum (one enum on two components gets an unstable name).
    type = serializers.CharField(read_only=True, help_text="会议类型，见详情接口")
    status = serializers.CharField(read_only=True, help_text="recorded 已录入 / voided 已作废")
    attendee_count = serializers.IntegerField(read_only=True)
    present_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "organization", "organization_name", "branch", "type", "type_display", "held_on", "topic",
                  "place", "host_name", "is_late", "status", "attendee_count", "present_count"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    type_display = serializers.CharField(source="get_type_display", read_only=True)
    status = serializers.CharField(read_only=True, help_text="recorded 已录入 / voided 已作废")
    attendance = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = ["id", "organization", "organization_name", "branch", "type", "type_display", "held_on", "topic",
                  "place", "host_member", "host_name", "recorder_name", "minutes", "entered_at", "entered_on",
                  "is_late", "status", "voided_at", "void_reason", "attendance", "photos"]
        read_only_fields = fields

    @extend_schema(responses=AttendanceSerializer(many=True))
    def get_attendance(self, obj: Meeting) -> list[dict[str, Any]]:
        return AttendanceSerializer(selectors.attendance_of(obj), many=True).data

    @extend_schema(responses=MeetingPhotoSerializer(many=True))
    def get_photos(self, obj: Meeting) -> list[dict[str, Any]]:
        return MeetingPhotoSerializer(selectors.photos_of(obj), many=True).data


class AttendanceInputSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1)
    status = AttendanceStatusField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


def _statuses(rows: list[dict[str, Any]]) -> tuple[dict[int, str], dict[int, str]]:
    members = [row["member"] for row in rows]
    if len(members) != len(set(members)):
        raise serializers.ValidationError({"attendance": ["同一党员只能登记一次出勤。"]})
    return {row["member"]: row["status"] for row in rows}, {row["member"]: row["note"] for row in rows}


class MeetingCreateSerializer(serializers.Serializer):
    organization = serializers.IntegerField(help_text="召开组织：党支部，党小组会为党小组（须在本人可录入范围内）")
    type = serializers.ChoiceField(choices=MEETING_TYPE_CHOICES)
    held_on = serializers.DateField()
    topic = serializers.CharField(max_length=200)
    place = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    host_member = serializers.IntegerField(required=False, allow_null=True, default=None,
                                           help_text="主持人（本支部党员编号）")
    host_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    recorder_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    minutes = serializers.CharField(required=False, allow_blank=True, default="")
    attendance = AttendanceInputSerializer(many=True, required=False, default=list)


class AttendanceSetSerializer(serializers.Serializer):
    attendance = AttendanceInputSerializer(many=True, allow_empty=False)


class MeetingFilter(django_filters.FilterSet):
    organization = django_filters.ModelChoiceFilter(
        queryset=Organization.objects.none(), method="filter_organization", label="组织（含下级）",
    )
    type = django_filters.ChoiceFilter(choices=MEETING_TYPE_CHOICES)
    status = django_filters.ChoiceFilter(choices=MeetingStatus.choices, method="filter_status",
                                         label="recorded 已录入 / voided 已作废")
    held_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte", label="会议日期不早于")
    held_before = django_filters.DateFilter(field_name="held_on", lookup_expr="lte", label="会议日期不晚于")

    class Meta:
        model = Meeting
        fields = ["organization", "type", "status", "held_after", "held_before"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only organizations in scope can be named: a foreign id is a validation error, never a probe.
        self.filters["organization"].queryset = organizations_for(self.request.user, Action.VIEW_MEMBER)

    def filter_organization(self, queryset: QuerySet[Meeting], name: str, value: Organization) -> QuerySet[Meeting]:
        return queryset.filter(organization__path__startswith=value.path)

    def filter_status(self, queryset: QuerySet[Meeting], name: str, value: str) -> QuerySet[Meeting]:
        return queryset.filter(status=value)


class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filterset_class = MeetingFilter

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "list":
            return MeetingListSerializer
        if self.action == "create":
            return MeetingCreateSerializer
        return MeetingSerializer

    def get_queryset(self) -> QuerySet[Meeting]:
        # Voided meetings are listed too (filter status=recorded to leave them out).
        return selectors.meeting_list(user=self.request.user, include_voided=True)

    def get_object(self) -> Meeting:
        return selectors.meeting_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=MeetingCreateSerializer, responses={201: MeetingSerializer})
    def create(self, request: Request) -> Response:
        serializer = MeetingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organization = organization_get_for_user(request.user, data["organization"], Action.CHANGE_MEMBER)
        host = None
        if data["host_member"] is not None:
            host = selectors.host_candidates(organization=organization).filter(pk=data["host_member"]).first()
            if host is None:
                raise serializers.ValidationError({"host_member": ["主持人须为本支部在册党员；其他人员请填写 host_name。"]})
        statuses, notes = _statuses(data["attendance"])
        meeting = services.meeting_record(
            acting_user=request.user, organization=organization, type=data["type"], held_on=data["held_on"],
            topic=data["topic"], place=data["place"], host_member=host, host_name=data["host_name"],
            recorder_name=data["recorder_name"], minutes=data["minutes"], attendance=statuses, notes=notes,
        )
        meeting = selectors.meeting_get(user=request.user, pk=meeting.pk)
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={200: AttendanceSerializer(many=True)})
    @extend_schema(methods=["POST"], request=AttendanceSetSerializer, responses={200: AttendanceSerializer(many=True)})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        if request.method == "POST":
            if not selectors.may_change(user=request.user, meeting=meeting):
                raise PermissionDenied("无权登记该会议的出勤。")
            serializer = AttendanceSetSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            statuses, notes = _statuses(serializer.validated_data["attendance"])
            services.attendance_set(acting_user=request.user, meeting=meeting, attendance=statuses, notes=notes)
        return Response(AttendanceSerializer(selectors.attendance_of(meeting), many=True).data)


def register(router: DefaultRouter) -> None:
    """Registers this app's viewsets (called by partyadmin/api_urls.py)."""
    router.register("meetings", MeetingViewSet, basename="meeting")
