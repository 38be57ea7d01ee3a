"""`/api/v1/points/…`: schemes, entries (record, declare, confirm, reject, compensate), appeals, and
`/api/v1/points/me/` — the member's own score, what a mobile client shows.

The same services, selectors and scoping as the pages: 404 out of scope, 403 for an action on a row the
user sees but may not take, 400 with field messages, 409 for a rule (RuleViolation).
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from membership.models import Person
from partyadmin.errors import RuleViolation
from partyadmin.workdays import china_today

from . import selectors, services
from .models import (
    Aggregation,
    Appeal,
    AppealKind,
    AppealOutcome,
    AppealStatus,
    CapPeriod,
    ConfirmBody,
    Entry,
    EntryOrigin,
    EntryStatus,
    Evidence,
    Item,
    PublishScope,
    RankingVisibility,
    Scheme,
    SchemeMode,
    SchemeStatus,
    SectionKind,
    VetoStage,
)
from .templates_builtin import TEMPLATES

BODIES = [ConfirmBody.COMMITTEE.value, ConfirmBody.GENERAL_MEETING.value]


# Choice fields are documented as strings with their values in the description: enum components named
# after the field ("status", "section") would collide with other apps' enums.
@extend_schema_field(OpenApiTypes.STR)
class PlainChoiceField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", " / ".join(str(c) for c in kwargs["choices"]))
        super().__init__(**kwargs)


def _text(help_text: str) -> serializers.CharField:
    return serializers.CharField(read_only=True, help_text=help_text)


def _labels(choices: Any) -> str:
    return " / ".join(f"{value} {label}" for value, label in choices)


class PointsItemSerializer(serializers.ModelSerializer):
    section = _text(_labels(SectionKind.choices))
    cap_period = _text(_labels(CapPeriod.choices))
    confirm_by = _text("committee 支委会 / general_meeting 支部党员大会")
    class Meta:
        model = Item
        fields = ["id", "code", "name", "section", "part", "points", "min_points", "max_points", "cap", "cap_period",
                  "allow_declaration", "allow_suggestion", "allow_clerk", "evidence_required", "confirm_by",
                  "source", "value_points", "order", "is_active", "since_version", "retired_in_version"]
        read_only_fields = fields


class PointsSchemeSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    items = serializers.SerializerMethodField()
    status = _text(_labels(SchemeStatus.choices))
    mode = _text(_labels(SchemeMode.choices))
    aggregation = _text(_labels(Aggregation.choices))
    ranking_visibility = _text(_labels(RankingVisibility.choices))

    class Meta:
        model = Scheme
        fields = ["id", "organization", "organization_name", "year", "title", "status", "mode", "aggregation",
                  "section_caps", "total_cap", "floor_zero", "veto_zeroes", "star_policy_key", "star_policy",
                  "activist_min_score", "ranking_visibility", "template_code", "version", "announced_on",
                  "published_at", "items"]
        read_only_fields = fields

    def get_items(self, obj: Scheme) -> list[dict[str, Any]]:
        return PointsItemSerializer(selectors.scheme_items(obj, active_only=False), many=True).data


class PointsSchemeCreateSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    template_code = PlainChoiceField(choices=sorted(TEMPLATES))


class PointsAnnounceSerializer(serializers.Serializer):
    announced_on = serializers.DateField()


class PointsItemWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    section = PlainChoiceField(choices=["base", "bonus", "deduction", "veto"])
    part = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    points = serializers.DecimalField(max_digits=7, decimal_places=2, required=False, allow_null=True)
    min_points = serializers.DecimalField(max_digits=7, decimal_places=2, required=False, allow_null=True)
    max_points = serializers.DecimalField(max_digits=7, decimal_places=2, required=False, allow_null=True)
    cap = serializers.DecimalField(max_digits=7, decimal_places=2, required=False, allow_null=True)
    cap_period = PlainChoiceField(choices=["quarter", "year"], default="year")
    allow_declaration = serializers.BooleanField(default=False)
    allow_suggestion = serializers.BooleanField(default=False)
    allow_clerk = serializers.BooleanField(default=True)
    evidence_required = serializers.BooleanField(default=False)
    confirm_by = PlainChoiceField(choices=BODIES, default="committee")
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class PointsEvidenceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "title", "content_type", "size", "uploaded_at", "url"]
        read_only_fields = fields

    def get_url(self, obj: Evidence) -> str:
        from django.urls import reverse

        return reverse("scoring:evidence", args=[obj.pk])


class PointsEntrySerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    decided_by_name = serializers.SerializerMethodField()
    evidence = PointsEvidenceSerializer(many=True, read_only=True)
    section = _text(_labels(SectionKind.choices))
    status = _text(_labels(EntryStatus.choices))
    origin = _text(_labels(EntryOrigin.choices))
    confirm_body = _text(_labels(ConfirmBody.choices))
    veto_stage = _text(_labels(VetoStage.choices))

    class Meta:
        model = Entry
        fields = ["id", "scheme", "organization", "person", "person_name", "item", "item_name", "section", "points",
                  "occurred_on", "note", "status", "origin", "proposer_name", "proposed_at", "confirm_body",
                  "decided_on", "decided_by_name", "confirmed_at", "rejected_reason", "veto_stage", "source",
                  "source_key", "compensates", "evidence"]
        read_only_fields = fields

    def get_decided_by_name(self, obj: Entry) -> str:
        user = obj.decided_by
        return (user.get_full_name() or user.get_username()) if user else ""


class PointsEntryCreateSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    item = serializers.IntegerField()
    person_ids = serializers.ListField(child=serializers.IntegerField(), min_length=1)
    occurred_on = serializers.DateField()
    points = serializers.DecimalField(max_digits=7, decimal_places=2, required=False, allow_null=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    proposer_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class PointsDeclareSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    occurred_on = serializers.DateField()
    points = serializers.DecimalField(max_digits=7, decimal_places=2, required=False, allow_null=True)
    note = serializers.CharField(max_length=300)
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class PointsDecideSerializer(serializers.Serializer):
    body = PlainChoiceField(choices=BODIES)
    decided_on = serializers.DateField()
    reason = serializers.CharField(max_length=280, required=False, allow_blank=True, default="")


class PointsAppealSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    raised_by_name = serializers.CharField(source="raised_by_person.name", read_only=True)
    kind = _text(_labels(AppealKind.choices))
    status = _text(_labels(AppealStatus.choices))
    outcome = _text(_labels(AppealOutcome.choices))
    publish_scope = _text(_labels(PublishScope.choices))

    class Meta:
        model = Appeal
        fields = ["id", "organization", "year", "kind", "person", "person_name", "raised_by_name", "entry", "text",
                  "raised_at", "status", "outcome", "answer", "publish_scope", "answered_at", "correction"]
        read_only_fields = fields


class PointsAppealCreateSerializer(serializers.Serializer):
    kind = PlainChoiceField(choices=AppealKind.values)
    person = serializers.IntegerField(required=False, allow_null=True)
    entry = serializers.IntegerField(required=False, allow_null=True)
    text = serializers.CharField()


class PointsAppealAnswerSerializer(serializers.Serializer):
    outcome = PlainChoiceField(choices=AppealOutcome.values)
    answer = serializers.CharField()
    publish_scope = PlainChoiceField(choices=PublishScope.values)
    body = PlainChoiceField(choices=BODIES, default="committee")
    decided_on = serializers.DateField(required=False, allow_null=True)


def _validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _member_context(request: Request) -> tuple[Person, Scheme]:
    person = selectors.own_person(request.user)
    scheme = selectors.scheme_for_member(user=request.user, year=china_today().year)
    if person is None or scheme is None:
        raise Http404("对象不存在或无权访问。")
    return person, scheme


class SchemeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PointsSchemeSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        year = self.request.query_params.get("year")
        return selectors.scheme_list(user=self.request.user, year=int(year) if year and year.isdigit() else None)

    def get_object(self) -> Scheme:
        return selectors.scheme_get(user=self.request.user, pk=self.kwargs["pk"])

    def _for_change(self) -> Scheme:
        scheme = self.get_object()
        if not selectors.may_record(user=self.request.user, organization=scheme.organization):
            raise PermissionDenied
        return scheme

    @extend_schema(request=PointsSchemeCreateSerializer, responses=PointsSchemeSerializer)
    def create(self, request: Request) -> Response:
        data = _validated(PointsSchemeCreateSerializer, request.data)
        organization = selectors.branch_get(user=request.user, pk=data["organization"])
        if not selectors.may_record(user=request.user, organization=organization):
            raise PermissionDenied
        scheme = services.scheme_create_from_template(acting_user=request.user, organization=organization,
                                                      year=data["year"], template_code=data["template_code"])
        return Response(PointsSchemeSerializer(scheme).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PointsAnnounceSerializer, responses=PointsSchemeSerializer)
    @action(detail=True, methods=["post"])
    def announce(self, request: Request, pk: str | None = None) -> Response:
        scheme = self._for_change()
        data = _validated(PointsAnnounceSerializer, request.data)
        scheme = services.scheme_announce(acting_user=request.user, scheme=scheme, announced_on=data["announced_on"])
        return Response(PointsSchemeSerializer(scheme).data)

    @extend_schema(request=None, responses=PointsSchemeSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        scheme = services.scheme_publish(acting_user=request.user, scheme=self._for_change())
        return Response(PointsSchemeSerializer(scheme).data)

    @extend_schema(request=PointsItemWriteSerializer, responses=PointsItemSerializer)
    @action(detail=True, methods=["post"])
    def items(self, request: Request, pk: str | None = None) -> Response:
        scheme = self._for_change()
        data = dict(_validated(PointsItemWriteSerializer, request.data))
        reason = data.pop("reason")
        item = services.item_add(acting_user=request.user, scheme=scheme, reason=reason, **data)
        return Response(PointsItemSerializer(item).data, status=status.HTTP_201_CREATED)


class EntryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PointsEntrySerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        params = self.request.query_params
        organization = None
        if params.get("organization", "").isdigit():
            organization = selectors.branch_get(user=self.request.user, pk=params["organization"])
        year = params.get("year")
        return selectors.entry_list(user=self.request.user, organization=organization,
                                    year=int(year) if year and year.isdigit() else None,
                                    status=params.get("status", ""))

    def get_object(self) -> Entry:
        return selectors.entry_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=PointsEntryCreateSerializer, responses=PointsEntrySerializer(many=True))
    def create(self, request: Request) -> Response:
        """The clerk's entry for one or many people (proposed, waiting for confirmation)."""
        data = _validated(PointsEntryCreateSerializer, request.data)
        organization = selectors.branch_get(user=request.user, pk=data["organization"])
        if not selectors.may_record(user=request.user, organization=organization):
            raise PermissionDenied
        scheme = selectors.published_scheme_of(organization, data["occurred_on"].year)
        if scheme is None:
            raise RuleViolation("scoring.scheme_draft", "积分方案尚未公布，积分暂不能登记。")
        item = selectors.item_get(scheme=scheme, pk=data["item"])
        entries = services.entries_record(
            acting_user=request.user, scheme=scheme, item=item, person_ids=data["person_ids"],
            occurred_on=data["occurred_on"], points=data.get("points"), note=data["note"],
            proposer_name=data["proposer_name"])
        return Response(PointsEntrySerializer(entries, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PointsDeclareSerializer, responses=PointsEntrySerializer)
    @action(detail=False, methods=["post"])
    def declare(self, request: Request) -> Response:
        """The member's own declaration with evidence (multipart: files)."""
        person, scheme = _member_context(request)
        payload = request.data.copy() if hasattr(request.data, "copy") else dict(request.data)
        data = _validated(PointsDeclareSerializer, {**{k: payload.get(k) for k in ("item", "occurred_on", "points", "note")
                                                 if payload.get(k) not in (None, "")},
                                              "files": request.FILES.getlist("files")})
        item = selectors.item_get(scheme=scheme, pk=data["item"])
        entry = services.entry_declare(
            acting_user=request.user, person=person, scheme=scheme, item=item, occurred_on=data["occurred_on"],
            points=data.get("points"), note=data["note"],
            files=[services.EvidenceUpload(file=f) for f in data["files"]])
        return Response(PointsEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    def _decided(self, request: Request) -> tuple[Entry, dict[str, Any]]:
        entry = self.get_object()
        if not selectors.may_confirm(user=request.user, organization=entry.scheme.organization):
            raise PermissionDenied
        return entry, _validated(PointsDecideSerializer, request.data)

    @extend_schema(request=PointsDecideSerializer, responses=PointsEntrySerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        entry, data = self._decided(request)
        entry = services.entry_confirm(acting_user=request.user, entry=entry, body=data["body"],
                                       decided_on=data["decided_on"])
        return Response(PointsEntrySerializer(selectors.entry_get(user=request.user, pk=entry.pk)).data)

    @extend_schema(request=PointsDecideSerializer, responses=PointsEntrySerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        entry, data = self._decided(request)
        entry = services.entry_reject(acting_user=request.user, entry=entry, body=data["body"],
                                      decided_on=data["decided_on"], reason=data["reason"])
        return Response(PointsEntrySerializer(selectors.entry_get(user=request.user, pk=entry.pk)).data)

    @extend_schema(request=PointsDecideSerializer, responses=PointsEntrySerializer)
    @action(detail=True, methods=["post"])
    def compensate(self, request: Request, pk: str | None = None) -> Response:
        entry, data = self._decided(request)
        compensation = services.entry_compensate(acting_user=request.user, entry=entry, reason=data["reason"],
                                                 body=data["body"], decided_on=data["decided_on"])
        return Response(PointsEntrySerializer(selectors.entry_get(user=request.user, pk=compensation.pk)).data,
                        status=status.HTTP_201_CREATED)


class AppealViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PointsAppealSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.appeal_list(user=self.request.user, status=self.request.query_params.get("status", ""))

    def get_object(self) -> Appeal:
        return selectors.appeal_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=PointsAppealCreateSerializer, responses=PointsAppealSerializer)
    def create(self, request: Request) -> Response:
        person, scheme = _member_context(request)
        data = _validated(PointsAppealCreateSerializer, request.data)
        entry = selectors.entry_get(user=request.user, pk=data["entry"]) if data.get("entry") else None
        target = person
        if data.get("person") and data["person"] != person.pk:
            if data["person"] not in {p.person_id for p in selectors.scored_people(scheme.organization,
                                                                                   on=china_today())}:
                raise Http404("对象不存在或无权访问。")
            target = Person.objects.get(pk=data["person"])
        appeal = services.appeal_raise(acting_user=request.user, raised_by_person=person, person=target,
                                       organization=scheme.organization, year=scheme.year, kind=data["kind"],
                                       text=data["text"], entry=entry)
        return Response(PointsAppealSerializer(appeal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PointsAppealAnswerSerializer, responses=PointsAppealSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        appeal = self.get_object()
        if not selectors.may_confirm(user=request.user, organization=appeal.organization):
            raise PermissionDenied
        data = _validated(PointsAppealAnswerSerializer, request.data)
        appeal = services.appeal_answer(acting_user=request.user, appeal=appeal, outcome=data["outcome"],
                                        answer=data["answer"], publish_scope=data["publish_scope"],
                                        decided_on=data.get("decided_on"), body=data["body"])
        return Response(PointsAppealSerializer(appeal).data)


class PointsSectionScoreSerializer(serializers.Serializer):
    section = serializers.CharField()
    label = serializers.CharField()
    points = serializers.DecimalField(max_digits=9, decimal_places=2)
    items = serializers.ListField(child=serializers.DictField())


class MyPointsSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    quarter = serializers.IntegerField()
    organization = serializers.CharField(allow_null=True)
    scheme = serializers.IntegerField(allow_null=True)
    total = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    quarters = serializers.DictField(child=serializers.DecimalField(max_digits=9, decimal_places=2))
    vetoed = serializers.BooleanField()
    sections = PointsSectionScoreSerializer(many=True)
    rank = serializers.IntegerField(allow_null=True)
    ranked_count = serializers.IntegerField()
    entries = PointsEntrySerializer(many=True)


class MyPointsViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """`GET /api/v1/points/me/?year=` — the member's own score: year and quarters, breakdown by section and
    item, every entry with its evidence and who confirmed it, and the rank as far as the branch shows it."""

    serializer_class = MyPointsSerializer
    pagination_class = None

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return Entry.objects.none()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        today = china_today()
        year = request.query_params.get("year", "")
        year_value = int(year) if year.isdigit() else today.year
        score = selectors.my_score(user=request.user, year=year_value, today=today)
        if score is None:
            raise Http404("对象不存在或无权访问。")
        result = score.score
        data = {
            "year": score.year, "quarter": score.quarter,
            "organization": score.scheme.organization.name if score.scheme else None,
            "scheme": score.scheme.pk if score.scheme else None,
            "total": result.total if result else None,
            "quarters": {str(q): b.total for q, b in result.quarters.items()} if result else {},
            "vetoed": bool(result and result.vetoed),
            "sections": [{"section": s.section, "label": s.label, "points": s.points,
                          "items": [{"item": line.item.pk, "name": line.item.name, "points": str(line.points)}
                                    for line in s.items]} for s in score.sections],
            "rank": score.rank, "ranked_count": score.ranked_count,
            "entries": score.entries,
        }
        return Response(MyPointsSerializer(data).data)


def register(router: DefaultRouter) -> None:
    """Registers this app's viewsets (called by partyadmin/api_urls.py)."""
    router.register("points/schemes", SchemeViewSet, basename="points-scheme")
    router.register("points/entries", EntryViewSet, basename="points-entry")
    router.register("points/appeals", AppealViewSet, basename="points-appeal")
    router.register("points/me", MyPointsViewSet, basename="points-me")

