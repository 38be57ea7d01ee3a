"""`/api/v1/recruitment/files/`: list, detail, apply, every step action and the accountability case.

The same services, forms and scoping as the pages: 404 out of scope (also for an action on a file the
user may see but not change), 400 with field messages for bad input, 409 for a rule (RuleViolation).
An action takes the fields of the page's form of the same name (`POST …/files/{id}/actions/{action}/`).
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from branches.scoping import Action

from . import selectors, services
from .forms import ACTIONS, AccountabilityForm, ApplyForm
from .models import RecruitmentFile, Stage, Step


# Choice fields documented as strings with their values in the description: enum components named after the
# field ("status") would collide with other apps' status enums.
class StepSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True, help_text="pending 未开始 / in_progress 进行中 / done 已完成")
    deadline_status = serializers.CharField(read_only=True, help_text="normal 正常 / due_soon 即将到期 / overdue 已超期")
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    deadline_display = serializers.CharField(source="get_deadline_status_display", read_only=True)

    class Meta:
        model = Step
        fields = ["number", "title", "status", "status_display", "started_on", "completed_on", "due_on",
                  "deadline_status", "deadline_display", "handler", "signer", "notes", "filing", "publicity"]
        read_only_fields = fields


class FileListSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name", read_only=True)
    stage = serializers.CharField(read_only=True, help_text="applicant / activist / candidate / probationary / full")
    status = serializers.CharField(read_only=True, help_text="active 进行中 / archived 已归档 / cancelled 已取消积极分子资格 / "
                                                             "terminated 已终止")
    deadline_status = serializers.CharField(read_only=True, help_text="normal 正常 / due_soon 即将到期 / overdue 已超期")
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    stage_display = serializers.CharField(source="get_stage_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    current_step_title = serializers.CharField(read_only=True)

    class Meta:
        model = RecruitmentFile
        fields = ["id", "name", "organization", "organization_name", "stage", "stage_display", "status",
                  "status_display", "current_step", "current_step_title", "applied_on", "activist_on",
                  "candidate_on", "joined_on", "probation_ends_on", "full_on", "next_due_on", "deadline_status"]
        read_only_fields = fields


class FileSerializer(FileListSerializer):
    steps = serializers.SerializerMethodField()

    class Meta(FileListSerializer.Meta):
        fields = [*FileListSerializer.Meta.fields, "ended_on", "ended_reason", "relock_until", "steps"]
        read_only_fields = fields

    @extend_schema(responses=StepSerializer(many=True))
    def get_steps(self, obj: RecruitmentFile) -> list[dict[str, Any]]:
        return StepSerializer(selectors.steps_of(obj), many=True).data


class ApplyInputSerializer(serializers.Serializer):
    organization = serializers.IntegerField(help_text="党支部编号")
    name = serializers.CharField(max_length=50)
    gender = serializers.CharField(help_text="male / female")
    birth_date = serializers.DateField()
    applied_on = serializers.DateField()
    education = serializers.CharField(required=False, allow_blank=True)
    occupation = serializers.CharField(required=False, allow_blank=True)
    position = serializers.CharField(required=False, allow_blank=True)
    is_league_member = serializers.BooleanField(required=False)
    is_union_member = serializers.BooleanField(required=False)
    is_student = serializers.BooleanField(required=False)
    graduates_on = serializers.DateField(required=False, allow_null=True)
    is_floating = serializers.BooleanField(required=False)


def _form_data(data: Any) -> Any:
    """JSON bodies to form data: booleans as the checkbox would send them, lists kept."""
    from django.utils.datastructures import MultiValueDict

    values = MultiValueDict()
    for key, value in dict(data).items():
        if isinstance(value, list):
            values.setlist(key, [str(v) for v in value])
        elif isinstance(value, bool):
            if value:
                values[key] = "on"
        elif value is not None:
            values[key] = str(value)
    return values


class FileViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = FileSerializer

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return FileListSerializer if self.action == "list" else FileSerializer

    def get_queryset(self) -> QuerySet[RecruitmentFile]:
        params = self.request.query_params
        stage = params.get("stage", "")
        return selectors.file_list(user=self.request.user, stage=stage if stage in Stage.values else "",
                                   status=params.get("status", ""), search=params.get("search", ""))

    def get_object(self) -> RecruitmentFile:
        return selectors.file_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=ApplyInputSerializer, responses={201: FileSerializer})
    def create(self, request: Request) -> Response:
        """第1步 递交入党申请书."""
        serializer = ApplyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        branch = selectors.branch_get(user=request.user, pk=serializer.validated_data["organization"],
                                      action=Action.CHANGE_MEMBER)
        form = ApplyForm(_form_data(request.data))
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        file = form.run(user=request.user, organization=branch)
        return Response(FileSerializer(file).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("action_name", str, OpenApiParameter.PATH, enum=sorted(ACTIONS))],
        request={"application/json": {"type": "object"}}, responses={200: FileSerializer},
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<action_name>[a-z_]+)")
    def act(self, request: Request, pk: str | None = None, action_name: str = "") -> Response:
        """One step action, with the fields of the page form of that name."""
        file = selectors.file_get_for_change(user=request.user, pk=pk)
        form_class = ACTIONS.get(action_name)
        if form_class is None:
            raise Http404("无此操作。")
        form = form_class(_form_data(request.data), request.FILES, file=file)
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        form.run(user=request.user)
        return Response(FileSerializer(selectors.file_get(user=request.user, pk=file.pk)).data)

    @extend_schema(request={"application/json": {"type": "object"}}, responses={201: {"type": "object"}})
    @action(detail=True, methods=["post"])
    def accountability(self, request: Request, pk: str | None = None) -> Response:
        """全程责任追究: open a case about a step, naming parties by their index in `responsible_parties`."""
        file = selectors.file_get_for_change(user=request.user, pk=pk)
        form = AccountabilityForm(_form_data(request.data), parties=services.responsible_parties(file))
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        case = services.accountability_open(acting_user=request.user, file=file, **form.cleaned_data)
        return Response({"case": case.pk, "due_on": case.due_on}, status=status.HTTP_201_CREATED)


def register(router: DefaultRouter) -> None:
    """Registers this app's viewsets (called by partyadmin/api_urls.py)."""
    router.register("recruitment/files", FileViewSet, basename="recruitment-file")
