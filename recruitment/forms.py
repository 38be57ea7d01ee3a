"""The action forms of the file page: one form per step action, each calling its one service (`run`)."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.base_user import AbstractBaseUser

from audit.accountability.models import ViolationType
from audit.filings.uploads import MaterialUpload
from branches.models import Organization
from membership.models import Education, Gender
from partyadmin.forms import DateInput, StyledFormMixin

from . import rules, selectors, services
from .models import RecommendationKind, RecruitmentFile, TrainingKind


class ActionForm(StyledFormMixin, forms.Form):
    """A step action: `title` on the page, `steps` where it is offered, `service` what it calls.

    `run` calls `service(acting_user=, file=, **arguments())`; the arguments are the cleaned data unless a
    form maps them (`arguments`). A form whose service takes another shape overrides `run` instead."""

    title = ""
    steps: frozenset[int] = frozenset()
    button = "提交"
    service: Callable[..., Any]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not hasattr(cls, "service") and cls.run is ActionForm.run:
            raise TypeError(f"{cls.__name__} must name its service or override run().")

    def __init__(self, *args: Any, file: RecruitmentFile, **kwargs: Any) -> None:
        self.file = file
        super().__init__(*args, **kwargs)

    def arguments(self) -> dict[str, Any]:
        return dict(self.cleaned_data)

    def run(self, *, user: AbstractBaseUser) -> Any:
        return self.service(acting_user=user, file=self.file, **self.arguments())


def _members_field(file: RecruitmentFile, *, label: str, full_only: bool = False) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=label, queryset=selectors.branch_members(branch=file.organization, full_only=full_only),
        widget=forms.SelectMultiple(attrs={"size": 6}), required=False,
    )


class ApplyForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    gender = forms.ChoiceField(label="性别", choices=Gender.choices)
    birth_date = forms.DateField(label="出生日期", widget=DateInput())
    education = forms.ChoiceField(label="学历", choices=[("", "—"), *Education.choices], required=False)
    occupation = forms.CharField(label="职业", max_length=100, required=False)
    position = forms.CharField(label="职务", max_length=100, required=False)
    is_league_member = forms.BooleanField(label="共青团员", required=False)
    is_union_member = forms.BooleanField(label="工会会员", required=False)
    applied_on = forms.DateField(label="递交入党申请书日期", widget=DateInput())
    is_student = forms.BooleanField(label="在校学生", required=False)
    graduates_on = forms.DateField(label="预计毕业日期", widget=DateInput(), required=False)
    is_floating = forms.BooleanField(label="流动人员", required=False)
    notes = forms.CharField(label="申请说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def run(self, *, user: AbstractBaseUser, organization: Organization) -> RecruitmentFile:
        data = self.cleaned_data
        person = {key: data[key] for key in ("name", "gender", "birth_date", "education", "occupation", "position",
                                             "is_league_member", "is_union_member")}
        return services.file_apply(acting_user=user, organization=organization, applied_on=data["applied_on"],
                                   person_fields=person, is_student=data["is_student"],
                                   graduates_on=data["graduates_on"], is_floating=data["is_floating"],
                                   notes=data["notes"])


class TalkForm(ActionForm):
    title, steps = "记录谈话", frozenset({2})
    talked_on = forms.DateField(label="谈话日期", widget=DateInput())
    talker = forms.CharField(label="谈话人", max_length=100)
    content = forms.CharField(label="谈话情况", widget=forms.Textarea(attrs={"rows": 3}))

    service = staticmethod(services.talk_record)


class RecommendForm(ActionForm):
    title, steps = "党员推荐", frozenset({3})
    kind = forms.ChoiceField(label="推荐方式", choices=RecommendationKind.choices)
    recommended_on = forms.DateField(label="推荐日期", widget=DateInput())
    agree = forms.IntegerField(label="同意人数（党员大会推荐）", min_value=0, required=False)
    note = forms.CharField(label="说明", max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recommenders"] = _members_field(self.file, label="推荐人（单独或联名推荐）")

    def run(self, *, user: AbstractBaseUser) -> Any:
        data = self.cleaned_data
        return services.recommendation_add(acting_user=user, file=self.file, kind=data["kind"],
                                           recommended_on=data["recommended_on"], recommenders=data["recommenders"],
                                           agree=data["agree"], note=data["note"])


class MassOrgForm(ActionForm):
    title, steps = "群团组织推优", frozenset({3})
    organization_name = forms.CharField(label="推优的群团组织", max_length=100)
    method = forms.CharField(label="推优方式", max_length=100, initial="民主评议")
    recommended_on = forms.DateField(label="推优日期", widget=DateInput())
    filed_with = forms.CharField(label="备案的上一级群团组织", max_length=100)

    service = staticmethod(services.mass_org_recommendation_record)


class MassMeetingForm(ActionForm):
    title, steps = "群众推优会", frozenset({3})
    held_on = forms.DateField(label="会议日期", widget=DateInput())
    participants = forms.IntegerField(label="参会人数", min_value=1)
    votes = forms.IntegerField(label="推荐票数", min_value=0)

    service = staticmethod(services.mass_meeting_record)


class DesignateForm(ActionForm):
    title, steps, button = "研究确定入党积极分子", frozenset({3}), "确定并公示"
    decided_on = forms.DateField(label="会议日期", widget=DateInput())
    minutes = forms.CharField(label="会议记录", widget=forms.Textarea(attrs={"rows": 3}))
    signer = forms.CharField(label="签字人", max_length=100, required=False)

    service = staticmethod(services.activist_designate)


class FilingForm(ActionForm):
    title, steps, button = "报送上级党委", frozenset(services.FILING_STEPS), "报送"
    note = forms.CharField(label="报送说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    material = forms.FileField(label="附件（PDF、图片）", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title = f"报送上级党委{services.FILING_TITLES.get(self.file.current_step, '')}"

    def run(self, *, user: AbstractBaseUser) -> Any:
        upload = self.cleaned_data.get("material")
        materials = [MaterialUpload(title=upload.name, file=upload)] if upload else []
        return services.step_filing_submit(acting_user=user, file=self.file, number=self.file.current_step,
                                           note=self.cleaned_data["note"], materials=materials)


class ApprovalExtendForm(ActionForm):
    title, steps, button = "延长审批期限", frozenset({17}), "延长"
    until = forms.DateField(label="延长至", widget=DateInput())
    reason = forms.CharField(label="延长理由（特殊情况）", max_length=500)

    service = staticmethod(services.approval_extend)


class ContactsForm(ActionForm):
    title, steps = "指定培养联系人", frozenset({5})
    assigned_on = forms.DateField(label="指定日期", widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"] = _members_field(self.file, label="培养联系人（一般两名，从推荐人中指定）")

    def run(self, *, user: AbstractBaseUser) -> Any:
        return services.contact_persons_assign(acting_user=user, file=self.file, members=self.cleaned_data["members"],
                                               assigned_on=self.cleaned_data["assigned_on"])


class TrainingForm(ActionForm):
    title, steps, button = "培养教育记录", frozenset(services.TRAINING_STEPS | services.CONTINUED_STEPS), "记录"
    kind = forms.ChoiceField(label="类别", choices=TrainingKind.choices)
    occurred_on = forms.DateField(label="日期", widget=DateInput())
    content = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 2}))
    result = forms.CharField(label="考察结论", max_length=100, required=False)
    recorded_by = forms.CharField(label="记录人", max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        probation = self.file.current_step in services.CONTINUED_STEPS
        self.fields["kind"].choices = [(k, v) for k, v in TrainingKind.choices
                                       if (k == TrainingKind.CONTINUED) == probation]

    service = staticmethod(services.training_record_add)


class EvaluationForm(ActionForm):
    title, steps, button = "民主评议（双评）", frozenset({6, 7}), "记录评议结果"
    held_on = forms.DateField(label="评议日期", widget=DateInput())
    members_present = forms.IntegerField(label="参加评议党员", min_value=0)
    masses_present = forms.IntegerField(label="参加评议群众", min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item, item_label in rules.EVALUATION_ITEMS.items():
            for grade, grade_label in rules.GRADES.items():
                self.fields[f"{item}_{grade}"] = forms.IntegerField(
                    label=f"{item_label}·{grade_label}", min_value=0, initial=0,
                    widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}))

    def tally_rows(self) -> list[tuple[str, list[Any]]]:
        return [(label, [self[f"{item}_{grade}"] for grade in rules.GRADES])
                for item, label in rules.EVALUATION_ITEMS.items()]

    def run(self, *, user: AbstractBaseUser) -> Any:
        data = self.cleaned_data
        tallies = {item: {grade: data[f"{item}_{grade}"] for grade in rules.GRADES} for item in rules.EVALUATION_ITEMS}
        return services.evaluation_record(acting_user=user, file=self.file, held_on=data["held_on"],
                                          members_present=data["members_present"],
                                          masses_present=data["masses_present"], tallies=tallies)


class ProposeForm(ActionForm):
    title, steps, button = "确定发展对象人选", frozenset({7}), "确定并公示"
    decided_on = forms.DateField(label="会议日期", widget=DateInput())
    contact_opinion = forms.CharField(label="培养联系人意见", widget=forms.Textarea(attrs={"rows": 2}))
    minutes = forms.CharField(label="会议记录", widget=forms.Textarea(attrs={"rows": 2}))
    signer = forms.CharField(label="签字人", max_length=100, required=False)

    service = staticmethod(services.candidate_propose)


class IntroducersForm(ActionForm):
    title, steps = "确定入党介绍人", frozenset({9})
    assigned_on = forms.DateField(label="确定日期", widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"] = _members_field(self.file, label="入党介绍人（两名正式党员）", full_only=True)

    def run(self, *, user: AbstractBaseUser) -> Any:
        return services.introducers_assign(acting_user=user, file=self.file, members=self.cleaned_data["members"],
                                           assigned_on=self.cleaned_data["assigned_on"])


class PoliticalReviewForm(ActionForm):
    title, steps = "政治审查", frozenset({10})
    reviewed_on = forms.DateField(label="结论日期", widget=DateInput())
    content = forms.CharField(label="审查内容", widget=forms.Textarea(attrs={"rows": 2}))
    method = forms.CharField(label="审查方法", max_length=200, initial="同本人谈话、查阅档案、函调")
    household_opinion = forms.CharField(label="户籍所在地党组织意见（流动人员）", max_length=500, required=False)
    residence_opinion = forms.CharField(label="居住地党组织意见（流动人员）", max_length=500, required=False)
    conclusion = forms.CharField(label="审查结论", widget=forms.Textarea(attrs={"rows": 2}))
    qualified = forms.TypedChoiceField(label="结论", choices=[("1", "合格"), ("0", "不合格")],
                                       coerce=lambda v: v == "1")
    reviewer = forms.CharField(label="审查人", max_length=100, required=False)

    service = staticmethod(services.political_review_record)


class ConcentratedTrainingForm(ActionForm):
    title, steps = "集中培训", frozenset({11})
    starts_on = forms.DateField(label="开始日期", widget=DateInput())
    ends_on = forms.DateField(label="结束日期", widget=DateInput())
    hours = forms.IntegerField(label="学时", min_value=0)
    organizer = forms.CharField(label="举办单位", max_length=100)
    result = forms.CharField(label="结业情况", max_length=500, initial="考试合格，准予结业")

    service = staticmethod(services.concentrated_training_record)


class CommitteeReviewForm(ActionForm):
    title, steps = "支部委员会审查", frozenset({12})
    reviewed_on = forms.DateField(label="审查日期", widget=DateInput())
    opinion = forms.CharField(label="审查意见", widget=forms.Textarea(attrs={"rows": 2}))
    signer = forms.CharField(label="签字人", max_length=100, required=False)

    service = staticmethod(services.committee_review_record)


class FormFillForm(ActionForm):
    title, steps, button = "填写入党志愿书（领取编号）", frozenset({14}), "领取编号"
    filled_on = forms.DateField(label="填写日期", widget=DateInput())

    service = staticmethod(services.form_fill)


class VoteForm(ActionForm):
    title, steps, button = "支部大会讨论（无记名投票）", frozenset({15}), "记录表决结果"
    held_on = forms.DateField(label="会议日期", widget=DateInput())
    present = forms.IntegerField(label="到会有表决权的正式党员", min_value=0)
    for_votes = forms.IntegerField(label="赞成", min_value=0)
    against = forms.IntegerField(label="反对", min_value=0, initial=0)
    abstain = forms.IntegerField(label="弃权", min_value=0, initial=0)
    minutes = forms.CharField(label="会议记录", widget=forms.Textarea(attrs={"rows": 2}))
    signer = forms.CharField(label="签字人", max_length=100, required=False)

    service = staticmethod(services.admission_vote_record)


class OrganizerTalkForm(ActionForm):
    title, steps = "上级党委派人谈话", frozenset({16})
    talked_on = forms.DateField(label="谈话日期", widget=DateInput())
    organizer = forms.CharField(label="谈话人（组织员）", max_length=100)
    content = forms.CharField(label="谈话情况", widget=forms.Textarea(attrs={"rows": 2}))

    service = staticmethod(services.organizer_talk_record)


class PlacementForm(ActionForm):
    title, steps = "编入党支部和党小组", frozenset({19})
    placed_on = forms.DateField(label="编入日期", widget=DateInput())
    party_group = forms.ModelChoiceField(label="党小组", queryset=Organization.objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party_group"].queryset = selectors.party_groups_of(self.file.organization)

    service = staticmethod(services.placement_record)


class OathForm(ActionForm):
    title, steps = "入党宣誓", frozenset({20})
    sworn_on = forms.DateField(label="宣誓日期", widget=DateInput())
    led_by = forms.CharField(label="领誓人", max_length=100)

    service = staticmethod(services.oath_record)


class ConversionApplyForm(ActionForm):
    title, steps = "提出转正申请", frozenset({21, 22})
    applied_on = forms.DateField(label="申请日期", widget=DateInput())
    content = forms.CharField(label="转正申请", widget=forms.Textarea(attrs={"rows": 2}))

    service = staticmethod(services.conversion_apply)


class ConversionVoteForm(VoteForm):
    title, steps = "支部大会讨论转正", frozenset({23})
    extend_months = forms.TypedChoiceField(label="决定", coerce=int, initial=0,
                                           choices=[(0, "按期转为正式党员"), (6, "延长预备期半年"),
                                                    (12, "延长预备期一年")])

    service = staticmethod(services.conversion_vote_record)


class ExtendProbationForm(ActionForm):
    title, steps, button = "延长预备期", frozenset({19, 20, 21, 22, 23}), "延长"
    on = forms.DateField(label="决定日期", widget=DateInput())
    months = forms.TypedChoiceField(label="延长", coerce=int, choices=[(6, "半年"), (12, "一年")])
    reason = forms.CharField(label="理由", max_length=500)

    service = staticmethod(services.probation_extend)


class ArchiveForm(ActionForm):
    title, steps, button = "材料归档", frozenset({25}), "归档"
    archived_on = forms.DateField(label="归档日期", widget=DateInput())
    archive_no = forms.CharField(label="档案编号", max_length=50)

    service = staticmethod(services.file_archive)


class MaterialForm(ActionForm):
    title, steps, button = "上传材料", frozenset(range(1, 26)), "上传"
    number = forms.TypedChoiceField(label="步骤", coerce=int)
    material_title = forms.CharField(label="材料名称", max_length=100)
    upload = forms.FileField(label="文件（PDF、图片）")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        last = min(self.file.current_step, rules.LAST_STEP)
        self.fields["number"].choices = [(n, f"第{n}步 {rules.STEP_TITLES[n]}") for n in range(1, last + 1)]
        self.fields["number"].initial = last

    def run(self, *, user: AbstractBaseUser) -> Any:
        upload = self.cleaned_data["upload"]
        return services.material_add(acting_user=user, file=self.file, number=self.cleaned_data["number"],
                                     upload=MaterialUpload(title=self.cleaned_data["material_title"], file=upload))


class TransferForm(ActionForm):
    """The applicant, activist or candidate now works or lives elsewhere: the file goes to that branch."""

    title, steps, button = "转交档案（工作、学习单位或居住地变动）", frozenset(range(2, 17)), "转交"
    to_organization = forms.ModelChoiceField(label="接收党支部", queryset=Organization.objects.none())
    reason = forms.CharField(label="变动情况", max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_organization"].queryset = selectors.transfer_targets(self.file)

    service = staticmethod(services.file_transfer)


class TerminateForm(ActionForm):
    title, steps, button = "终止发展程序", frozenset(range(2, 26)), "终止"
    on = forms.DateField(label="日期", widget=DateInput())
    reason = forms.CharField(label="终止原因", max_length=500)

    service = staticmethod(services.file_terminate)


class CancelActivistForm(ActionForm):
    title, steps, button = "取消入党积极分子资格", frozenset({5, 6, 7}), "取消资格"
    on = forms.DateField(label="日期", widget=DateInput())
    reason = forms.CharField(label="原因", max_length=500)

    service = staticmethod(services.activist_cancel)


class AccountabilityForm(StyledFormMixin, forms.Form):
    step_number = forms.TypedChoiceField(label="涉及步骤", coerce=int,
                                         choices=[(n, f"第{n}步 {t}") for n, t in rules.STEP_TITLES.items()])
    violation_type = forms.ChoiceField(label="问题类型", choices=ViolationType.choices)
    description = forms.CharField(label="问题描述", widget=forms.Textarea(attrs={"rows": 3}))
    discovered_on = forms.DateField(label="发现日期", widget=DateInput())

    def __init__(self, *args: Any, parties: list[tuple[str, str, Any, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from audit.accountability.models import PartyRole

        labels = dict(PartyRole.choices)
        self.fields["parties"] = forms.TypedMultipleChoiceField(
            label="责任人", coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
            choices=[(index, f"{labels.get(role, role)}：{name}") for index, (name, role, _, _) in enumerate(parties)],
        )


# The actions of the file page, by URL name.
ACTIONS: dict[str, type[ActionForm]] = {
    "talk": TalkForm, "recommend": RecommendForm, "mass_org": MassOrgForm, "mass_meeting": MassMeetingForm,
    "designate": DesignateForm, "filing": FilingForm, "approval_extend": ApprovalExtendForm,
    "contacts": ContactsForm, "training": TrainingForm, "evaluation": EvaluationForm, "propose": ProposeForm,
    "introducers": IntroducersForm, "political_review": PoliticalReviewForm,
    "concentrated_training": ConcentratedTrainingForm, "committee_review": CommitteeReviewForm,
    "form_fill": FormFillForm, "vote": VoteForm, "organizer_talk": OrganizerTalkForm, "placement": PlacementForm,
    "oath": OathForm, "conversion_apply": ConversionApplyForm, "conversion_vote": ConversionVoteForm,
    "extend_probation": ExtendProbationForm, "archive": ArchiveForm, "cancel_activist": CancelActivistForm,
    "material": MaterialForm, "transfer": TransferForm, "terminate": TerminateForm,
}
