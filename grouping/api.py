"""`/api/v1/grouping/…`: the 一编三定 cycle through the same services and scoping as the pages.

404 out of scope (an object the user may not see, a branch or member they may not name); 403 for a
write on an object the user sees but may not change (a township reviewer); 400 with field messages for
bad input; 409 for a rule (RuleViolation).
"""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from partyadmin.workdays import china_today

from . import selectors, services
from .models import (
    Evaluation,
    Exemption,
    HalfYearReview,
    Office,
    PerformanceEntry,
    Placement,
    Post,
    PostList,
    Training,
)

# --- serializers ----------------------------------------------------------------------------------------


class GroupingPostSerializer(serializers.ModelSerializer):
    leader_name = serializers.CharField(source="leader.person.name", read_only=True, default="")
    cadre_name = serializers.CharField(source="cadre.person.name", read_only=True, default="")

    class Meta:
        model = Post
        fields = ["id", "post_list", "name", "duties", "standards", "order", "is_active", "group_label", "leader",
                  "leader_name", "cadre", "cadre_name", "committed_on", "work_plan"]
        read_only_fields = fields


class GroupingPostListSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    status = serializers.CharField(read_only=True, help_text="draft 设岗中 / published 已公布岗位")
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = PostList
        fields = ["id", "organization", "organization_name", "year", "version", "status", "status_display",
                  "published_on", "work_plan", "publicity_window_id", "filing_id", "filed_on"]
        read_only_fields = fields


class GroupingPostListCreateSerializer(serializers.Serializer):
    organization = serializers.IntegerField(help_text="村（社区）党支部")
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    suggested = serializers.ListField(child=serializers.CharField(max_length=50), required=False, default=list,
                                      help_text="参考岗位名称，见 rules.SUGGESTED_POSTS")
    work_plan = serializers.CharField(required=False, allow_blank=True, default="")


class GroupingPostInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    duties = serializers.CharField()
    standards = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class GroupingPostUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, required=False)
    duties = serializers.CharField(required=False)
    standards = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class GroupingDateSerializer(serializers.Serializer):
    on = serializers.DateField()


class GroupingPublishLedgerSerializer(serializers.Serializer):
    starts_on = serializers.DateField()
    contact = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class GroupingMemberRefSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class GroupingGroupSetSerializer(serializers.Serializer):
    leader = serializers.IntegerField(min_value=1, required=False)
    cadre = serializers.IntegerField(min_value=1, required=False)
    group_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    work_plan = serializers.CharField(required=False, allow_blank=True)


class GroupingPlacementSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.person.name", read_only=True)
    status = serializers.CharField(read_only=True, help_text="proposed 定岗方案 / confirmed 已确认")
    post_name = serializers.CharField(source="post.name", read_only=True)

    class Meta:
        model = Placement
        fields = ["id", "post", "post_name", "member", "member_name", "status", "opinion", "confirmed_at",
                  "commitment", "commitment_signed_on", "remark"]
        read_only_fields = fields


class GroupingOpinionSerializer(serializers.Serializer):
    opinion = serializers.CharField(max_length=200)


class GroupingCommitmentSerializer(serializers.Serializer):
    commitment = serializers.CharField(max_length=300)
    signed_on = serializers.DateField()


class GroupingEntrySerializer(serializers.ModelSerializer):
    participant_names = serializers.SerializerMethodField()
    photo_count = serializers.SerializerMethodField()

    class Meta:
        model = PerformanceEntry
        fields = ["id", "post", "activity_on", "participants", "participant_names", "content", "outcome", "remark",
                  "leader_signed_at", "cadre_signed_at", "photo_count"]
        read_only_fields = fields

    def get_participant_names(self, obj: PerformanceEntry) -> list[str]:
        return [m.person.name for m in obj.participants.all()]

    def get_photo_count(self, obj: PerformanceEntry) -> int:
        return len(obj.photos.all())


class GroupingEntryInputSerializer(serializers.Serializer):
    activity_on = serializers.DateField()
    participants = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False)
    content = serializers.CharField()
    outcome = serializers.CharField(required=False, allow_blank=True, default="")
    remark = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class GroupingReviewSerializer(serializers.ModelSerializer):
    half = serializers.IntegerField(help_text="1 上半年 / 2 下半年")
    class Meta:
        model = HalfYearReview
        fields = ["id", "post", "half", "summary", "comment", "reviewed_on"]
        read_only_fields = ["id", "post"]


class GroupingEvaluationSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.person.name", read_only=True)
    grade = serializers.CharField(max_length=8, help_text="优秀 / 合格 / 基本合格 / 不合格")

    class Meta:
        model = Evaluation
        fields = ["id", "post_list", "member", "member_name", "is_leader", "report", "grade", "evaluated_on",
                  "score_entry_id"]
        read_only_fields = ["id", "post_list", "member_name", "is_leader", "score_entry_id"]

    member = serializers.IntegerField(source="member_id")


class GroupingExemptionSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.person.name", read_only=True)
    reason = serializers.CharField(max_length=12, help_text="age 年龄原因 / health 身体状况")
    status = serializers.CharField(read_only=True, help_text="pending 待审批 / approved 已同意 / rejected 不同意")

    class Meta:
        model = Exemption
        fields = ["id", "organization", "member", "member_name", "year", "reason", "detail", "status", "opinion",
                  "decided_at"]
        read_only_fields = ["id", "organization", "member_name", "status", "opinion", "decided_at"]

    member = serializers.IntegerField(source="member_id")


class GroupingDecideSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    opinion = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class GroupingOfficeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Office
        fields = ["id", "organization", "member", "title", "started_on", "ended_on"]
        read_only_fields = ["id", "organization", "ended_on"]

    member = serializers.IntegerField(source="member_id")


class GroupingTrainingSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.person.name", read_only=True)
    kind = serializers.CharField(max_length=12, help_text="theory 政治理论 / policy 政策法规 / technology 科技知识 / other 其他")

    class Meta:
        model = Training
        fields = ["id", "organization", "member", "member_name", "held_on", "topic", "kind", "organizer", "hours"]
        read_only_fields = ["id", "organization", "member_name"]

    member = serializers.IntegerField(source="member_id")


# --- helpers ---------------------------------------------------------------------------------------------


def _valid(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _member(organization: Any, pk: int) -> Any:
    """A member of the branch; a foreign id is a 400 (never a probe)."""
    try:
        return selectors.member_of_branch(organization=organization, pk=pk)
    except Http404:
        raise serializers.ValidationError({"member": ["不是本支部在册党员。"]}) from None


def _change_branch(request: Request, pk: int) -> Any:
    return selectors.branch_get_for_change(user=request.user, pk=pk)


# --- viewsets --------------------------------------------------------------------------------------------


class PostListViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = GroupingPostListSerializer

    def get_queryset(self) -> QuerySet[PostList]:
        return selectors.post_list_list(user=self.request.user)

    def get_object(self) -> PostList:
        return selectors.post_list_get(user=self.request.user, pk=self.kwargs["pk"])

    def _for_change(self) -> PostList:
        return selectors.post_list_get_for_change(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=GroupingPostListCreateSerializer, responses={201: GroupingPostListSerializer})
    def create(self, request: Request) -> Response:
        data = _valid(GroupingPostListCreateSerializer, request.data)
        organization = _change_branch(request, data["organization"])
        post_list = services.post_list_create(acting_user=request.user, organization=organization, year=data["year"],
                                              suggested=data["suggested"], work_plan=data["work_plan"])
        return Response(GroupingPostListSerializer(post_list).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={200: GroupingPostSerializer(many=True)})
    @extend_schema(methods=["POST"], request=GroupingPostInputSerializer, responses={201: GroupingPostSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def posts(self, request: Request, pk: str | None = None) -> Response:
        if request.method == "POST":
            post_list = self._for_change()
            data = _valid(GroupingPostInputSerializer, request.data)
            post = services.post_add(acting_user=request.user, post_list=post_list, **data)
            return Response(GroupingPostSerializer(post).data, status=status.HTTP_201_CREATED)
        return Response(GroupingPostSerializer(selectors.posts_of(self.get_object()), many=True).data)

    @extend_schema(request=GroupingDateSerializer, responses={200: GroupingPostListSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        """党员大会公布岗位 (`on`: the meeting's date)."""
        data = _valid(GroupingDateSerializer, request.data)
        post_list = services.post_list_publish(acting_user=request.user, post_list=self._for_change(),
                                               published_on=data["on"])
        return Response(GroupingPostListSerializer(post_list).data)

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"], pagination_class=None)
    def plan(self, request: Request, pk: str | None = None) -> Response:
        """The placement plan: posts with claimants, gaps, members without a claim or a placement."""
        plan = selectors.plan_of(post_list=self.get_object(), on=china_today())
        return Response({
            "posts": [{"post": row.post.pk, "name": row.post.name, "claimants": [m.pk for m in row.claimants],
                       "placements": GroupingPlacementSerializer(row.placed, many=True).data, "unclaimed": row.unclaimed,
                       "crowded": row.crowded} for row in plan.rows],
            "members_without_claim": [m.pk for m in plan.members_without_claim],
            "members_unplaced": [m.pk for m in plan.members_unplaced],
            "office_holders": [m.pk for m in plan.participation.office_holders],
            "exempted": [m.pk for m in plan.participation.exempted],
        })

    @extend_schema(request=None, responses={200: GroupingPlacementSerializer(many=True)})
    @action(detail=True, methods=["post"], url_path="draft-placements")
    def draft_placements(self, request: Request, pk: str | None = None) -> Response:
        created = services.placement_draft(acting_user=request.user, post_list=self._for_change())
        return Response(GroupingPlacementSerializer(created, many=True).data)

    @extend_schema(request=GroupingMemberRefSerializer, responses={200: GroupingPlacementSerializer(many=True)})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """确认党员岗位: confirms the member's proposed placements."""
        post_list = self._for_change()
        data = _valid(GroupingMemberRefSerializer, request.data)
        confirmed = services.placement_confirm(acting_user=request.user, post_list=post_list,
                                               member=_member(post_list.organization, data["member"]))
        return Response(GroupingPlacementSerializer(confirmed, many=True).data)

    @extend_schema(request=GroupingDateSerializer, responses={200: GroupingPostListSerializer})
    @action(detail=True, methods=["post"], url_path="public-commitment")
    def public_commitment(self, request: Request, pk: str | None = None) -> Response:
        data = _valid(GroupingDateSerializer, request.data)
        post_list = services.public_commitment_record(acting_user=request.user, post_list=self._for_change(),
                                                      committed_on=data["on"])
        return Response(GroupingPostListSerializer(post_list).data)

    @extend_schema(request=GroupingPublishLedgerSerializer, responses={200: GroupingPostListSerializer})
    @action(detail=True, methods=["post"], url_path="publish-ledger")
    def publish_ledger(self, request: Request, pk: str | None = None) -> Response:
        data = _valid(GroupingPublishLedgerSerializer, request.data)
        post_list = self._for_change()
        services.group_ledger_publish(acting_user=request.user, post_list=post_list, **data)
        return Response(GroupingPostListSerializer(selectors.post_list_get(user=request.user, pk=post_list.pk)).data)

    @extend_schema(request=None, responses={200: GroupingPostListSerializer})
    @action(detail=True, methods=["post"])
    def file(self, request: Request, pk: str | None = None) -> Response:
        """报乡镇（街道）党（工）委备案."""
        post_list = self._for_change()
        services.post_list_file(acting_user=request.user, post_list=post_list, note=str(request.data.get("note", "")))
        return Response(GroupingPostListSerializer(selectors.post_list_get(user=request.user, pk=post_list.pk)).data)

    @extend_schema(methods=["GET"], responses={200: GroupingEvaluationSerializer(many=True)})
    @extend_schema(methods=["POST"], request=GroupingEvaluationSerializer, responses={201: GroupingEvaluationSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def evaluations(self, request: Request, pk: str | None = None) -> Response:
        if request.method == "POST":
            post_list = self._for_change()
            serializer = GroupingEvaluationSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            evaluation = services.evaluation_record(
                acting_user=request.user, post_list=post_list, member=_member(post_list.organization, data["member_id"]),
                report=data["report"], grade=data["grade"], evaluated_on=data["evaluated_on"])
            return Response(GroupingEvaluationSerializer(evaluation).data, status=status.HTTP_201_CREATED)
        return Response(GroupingEvaluationSerializer(selectors.evaluations_of(self.get_object()), many=True).data)


class PostViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = GroupingPostSerializer

    def get_queryset(self) -> QuerySet[Post]:
        return Post.objects.none()

    def get_object(self) -> Post:
        return selectors.post_get(user=self.request.user, pk=self.kwargs["pk"])

    def _for_change(self) -> Post:
        return selectors.post_get_for_change(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=GroupingPostUpdateSerializer, responses={200: GroupingPostSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        data = dict(_valid(GroupingPostUpdateSerializer, request.data))
        note = data.pop("note", "")
        post = services.post_update(acting_user=request.user, post=self._for_change(), note=note, **data)
        return Response(GroupingPostSerializer(post).data)

    @extend_schema(request=None, responses={200: GroupingPostSerializer})
    @action(detail=True, methods=["post"])
    def retire(self, request: Request, pk: str | None = None) -> Response:
        post = services.post_retire(acting_user=request.user, post=self._for_change())
        return Response(GroupingPostSerializer(post).data)

    @extend_schema(request=GroupingMemberRefSerializer, responses={201: dict})
    @action(detail=True, methods=["post"])
    def claims(self, request: Request, pk: str | None = None) -> Response:
        """认领岗位: an officer records a member's claim, or a member claims for themself."""
        data = _valid(GroupingMemberRefSerializer, request.data)
        post = selectors.post_get_for_claim(user=request.user, pk=self.kwargs["pk"], member_id=data["member"])
        member = _member(post.organization, data["member"])
        claim = services.claim_create(acting_user=request.user, post=post, member=member, note=data["note"])
        return Response({"id": claim.pk, "post": post.pk, "member": member.pk}, status=status.HTTP_201_CREATED)

    @extend_schema(request=GroupingMemberRefSerializer, responses={201: GroupingPlacementSerializer})
    @action(detail=True, methods=["post"])
    def placements(self, request: Request, pk: str | None = None) -> Response:
        """Adds a member to the placement plan on this post."""
        post = self._for_change()
        data = _valid(GroupingMemberRefSerializer, request.data)
        placement = services.placement_propose(acting_user=request.user, post=post,
                                               member=_member(post.organization, data["member"]))
        return Response(GroupingPlacementSerializer(placement).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=GroupingGroupSetSerializer, responses={200: GroupingPostSerializer})
    @action(detail=True, methods=["post"])
    def group(self, request: Request, pk: str | None = None) -> Response:
        """编组: the leader (a confirmed member of the group), the contracting cadre, name, work plan."""
        post = self._for_change()
        data = _valid(GroupingGroupSetSerializer, request.data)
        leader = _member(post.organization, data["leader"]) if "leader" in data else None
        cadre = _member(post.organization, data["cadre"]) if "cadre" in data else None
        post = services.group_set(acting_user=request.user, post=post, leader=leader, cadre=cadre,
                                  group_name=data.get("group_name"), work_plan=data.get("work_plan"))
        return Response(GroupingPostSerializer(post).data)

    @extend_schema(methods=["GET"], responses={200: GroupingEntrySerializer(many=True)})
    @extend_schema(methods=["POST"], request=GroupingEntryInputSerializer, responses={201: GroupingEntrySerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def entries(self, request: Request, pk: str | None = None) -> Response:
        """The group's performance ledger; the leader (own account), the cadre and officers write it."""
        post = selectors.group_get_for_entry(user=request.user, pk=self.kwargs["pk"])
        if request.method == "POST":
            data = _valid(GroupingEntryInputSerializer, request.data)
            entry = services.entry_record(
                acting_user=request.user, post=post, activity_on=data["activity_on"],
                participant_ids=data["participants"], content=data["content"], outcome=data["outcome"],
                remark=data["remark"], photos=data["photos"])
            return Response(GroupingEntrySerializer(entry).data, status=status.HTTP_201_CREATED)
        return Response(GroupingEntrySerializer(selectors.entries_of(post), many=True).data)

    @extend_schema(request=GroupingReviewSerializer, responses={201: GroupingReviewSerializer})
    @action(detail=True, methods=["post"])
    def reviews(self, request: Request, pk: str | None = None) -> Response:
        post = self._for_change()
        serializer = GroupingReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = services.review_record(acting_user=request.user, post=post, **serializer.validated_data)
        return Response(GroupingReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class PlacementViewSet(viewsets.GenericViewSet):
    serializer_class = GroupingPlacementSerializer

    def get_queryset(self) -> QuerySet[Placement]:
        return Placement.objects.none()

    def _for_change(self) -> Placement:
        placement = selectors.placement_get(user=self.request.user, pk=self.kwargs["pk"])
        if not selectors.may_change(user=self.request.user, organization=placement.organization):
            raise PermissionDenied("无权修改定岗。")
        return placement

    @extend_schema(request=GroupingOpinionSerializer, responses={200: GroupingPlacementSerializer})
    @action(detail=True, methods=["post"])
    def opinion(self, request: Request, pk: str | None = None) -> Response:
        data = _valid(GroupingOpinionSerializer, request.data)
        placement = services.placement_opinion(acting_user=request.user, placement=self._for_change(), **data)
        return Response(GroupingPlacementSerializer(placement).data)

    @extend_schema(request=GroupingCommitmentSerializer, responses={200: GroupingPlacementSerializer})
    @action(detail=True, methods=["post"])
    def commitment(self, request: Request, pk: str | None = None) -> Response:
        """签订履岗承诺书."""
        data = _valid(GroupingCommitmentSerializer, request.data)
        placement = services.commitment_sign(acting_user=request.user, placement=self._for_change(), **data)
        return Response(GroupingPlacementSerializer(placement).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def remove(self, request: Request, pk: str | None = None) -> Response:
        services.placement_remove(acting_user=request.user, placement=self._for_change())
        return Response(status=status.HTTP_204_NO_CONTENT)


class EntryViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = GroupingEntrySerializer

    def get_queryset(self) -> QuerySet[PerformanceEntry]:
        return PerformanceEntry.objects.none()

    def get_object(self) -> PerformanceEntry:
        return selectors.entry_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=None, responses={200: GroupingEntrySerializer})
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str | None = None) -> Response:
        """组长签字 / 包组干部签字 (their own accounts)."""
        entry = services.entry_sign(acting_user=request.user, entry=self.get_object())
        return Response(GroupingEntrySerializer(entry).data)


class ExemptionViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = GroupingExemptionSerializer

    def get_queryset(self) -> QuerySet[Exemption]:
        return Exemption.objects.none()

    def create(self, request: Request) -> Response:
        serializer = GroupingExemptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organization = _change_branch(request, request.data.get("organization"))
        exemption = services.exemption_request(
            acting_user=request.user, member=_member(organization, data["member_id"]), year=data["year"],
            reason=data["reason"], detail=data.get("detail", ""))
        return Response(GroupingExemptionSerializer(exemption).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=GroupingDecideSerializer, responses={200: GroupingExemptionSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """审批 (the secretary or a committee member of the branch)."""
        exemption = selectors.exemption_get(user=request.user, pk=pk)
        if not selectors.may_change(user=request.user, organization=exemption.organization):
            raise PermissionDenied("无权审批。")
        data = _valid(GroupingDecideSerializer, request.data)
        exemption = services.exemption_decide(acting_user=request.user, exemption=exemption, **data)
        return Response(GroupingExemptionSerializer(exemption).data)


class OfficeViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = GroupingOfficeSerializer

    def get_queryset(self) -> QuerySet[Office]:
        return Office.objects.none()

    def create(self, request: Request) -> Response:
        serializer = GroupingOfficeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organization = _change_branch(request, request.data.get("organization"))
        office = services.office_declare(acting_user=request.user, member=_member(organization, data["member_id"]),
                                         title=data["title"], started_on=data["started_on"])
        return Response(GroupingOfficeSerializer(office).data, status=status.HTTP_201_CREATED)


class TrainingViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = GroupingTrainingSerializer

    def get_queryset(self) -> QuerySet[Training]:
        member = self.request.query_params.get("member")
        return selectors.trainings_of(user=self.request.user,
                                      member_id=int(member) if member and member.isdigit() else None)

    def create(self, request: Request) -> Response:
        serializer = GroupingTrainingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organization = _change_branch(request, request.data.get("organization"))
        training = services.training_record(
            acting_user=request.user, member=_member(organization, data["member_id"]), held_on=data["held_on"],
            topic=data["topic"], kind=data["kind"], organizer=data.get("organizer", ""), hours=data.get("hours"))
        return Response(GroupingTrainingSerializer(training).data, status=status.HTTP_201_CREATED)


class TownshipStatusViewSet(viewsets.ViewSet):
    """Every rural and community branch in the user's view with its cycle's state (one query)."""

    @extend_schema(responses={200: dict})
    def list(self, request: Request) -> Response:
        today = china_today()
        year = request.query_params.get("year")
        year = int(year) if year and year.isdigit() else today.year
        month = today if year == today.year else date(year, 12, 1)
        rows = selectors.township_status(user=request.user, year=year, month=month)
        return Response([{
            "branch": r.branch.pk, "branch_name": r.branch.name, "post_list": r.post_list_id, "posts": r.posts,
            "published": r.published, "placed": r.placed, "grouped": r.grouped, "publicized": r.publicized,
            "filed": r.filed, "ledgers_current": r.ledgers_current, "missing_this_month": r.missing_this_month,
        } for r in rows])


def register(router: DefaultRouter) -> None:
    """Registers this app's viewsets (called by partyadmin/api_urls.py)."""
    router.register("grouping/post-lists", PostListViewSet, basename="grouping-post-list")
    router.register("grouping/posts", PostViewSet, basename="grouping-post")
    router.register("grouping/placements", PlacementViewSet, basename="grouping-placement")
    router.register("grouping/entries", EntryViewSet, basename="grouping-entry")
    router.register("grouping/exemptions", ExemptionViewSet, basename="grouping-exemption")
    router.register("grouping/offices", OfficeViewSet, basename="grouping-office")
    router.register("grouping/trainings", TrainingViewSet, basename="grouping-training")
    router.register("grouping/township", TownshipStatusViewSet, basename="grouping-township")
