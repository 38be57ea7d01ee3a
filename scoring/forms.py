from typing import Any

from django import forms

from branches.models import Organization
from partyadmin.forms import DateInput, StyledFormMixin
from partyadmin.workdays import china_today

from .models import (
    Aggregation,
    AppealKind,
    AppealOutcome,
    CapPeriod,
    ConfirmBody,
    Item,
    PublishScope,
    RankingVisibility,
    SchemeMode,
    SectionKind,
)
from .services import MAX_EVIDENCE_FILES
from .templates_builtin import SOURCES, template_choices

BODY_CHOICES = [(ConfirmBody.COMMITTEE.value, ConfirmBody.COMMITTEE.label),
                (ConfirmBody.GENERAL_MEETING.value, ConfirmBody.GENERAL_MEETING.label)]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Photos or documents; type and size are checked by content in the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}))
        kwargs.setdefault("help_text", f"可拍照或选择文件，JPEG、PNG 照片或 PDF，最多 {MAX_EVIDENCE_FILES} 个；照片上传时"
                                       "自动去除拍摄地点等附加信息。")
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_EVIDENCE_FILES:
            raise forms.ValidationError(f"最多上传 {MAX_EVIDENCE_FILES} 个证明材料。")
        return [super(EvidenceField, self).clean(item, initial) for item in files]


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Item) -> str:
        if obj.points is not None:
            value = f"{obj.points:g} 分"
        elif obj.max_points is not None:
            value = f"{obj.min_points:g}–{obj.max_points:g} 分"
        else:
            value = "分值由支委会认定"
        return f"{obj.get_section_display()}｜{obj.name}（{value}）"


class SchemeCreateForm(StyledFormMixin, forms.Form):
    organization = forms.ModelChoiceField(label="党支部", queryset=Organization.objects.none())
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    template_code = forms.ChoiceField(label="模板", choices=template_choices())

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class SchemeSettingsForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label="方案名称", max_length=120)
    mode = forms.ChoiceField(label="计分方式", choices=SchemeMode.choices)
    aggregation = forms.ChoiceField(label="年度积分", choices=Aggregation.choices)
    total_cap = forms.DecimalField(label="总分上限", required=False, max_digits=7, decimal_places=2)
    floor_zero = forms.BooleanField(label="扣完为止（总分最低为零）", required=False)
    veto_zeroes = forms.BooleanField(label="一票否决生效后当期积分一律取消", required=False)
    activist_min_score = forms.DecimalField(label="入党积极分子最低积分", required=False, max_digits=7,
                                            decimal_places=2)
    ranking_visibility = forms.ChoiceField(label="排名公开范围", choices=RankingVisibility.choices)
    reason = forms.CharField(label="变更原因（方案公布后修改须填写）", required=False, max_length=300)


class AnnounceForm(StyledFormMixin, forms.Form):
    announced_on = forms.DateField(label="支部党员大会通报日期", widget=DateInput())


class ItemForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="项目", max_length=200)
    section = forms.ChoiceField(label="类别", choices=SectionKind.choices)
    part = forms.CharField(label="分项（可不填）", max_length=40, required=False)
    points = forms.DecimalField(label="每次分值", required=False, max_digits=7, decimal_places=2,
                                help_text="固定分值；扣分项填扣除的分数。与分值范围二选一。")
    min_points = forms.DecimalField(label="最低分值", required=False, max_digits=7, decimal_places=2)
    max_points = forms.DecimalField(label="最高分值", required=False, max_digits=7, decimal_places=2)
    cap = forms.DecimalField(label="上限", required=False, max_digits=7, decimal_places=2,
                             help_text="违规扣分不设上限。")
    cap_period = forms.ChoiceField(label="上限周期", choices=CapPeriod.choices)
    allow_declaration = forms.BooleanField(label="党员可申报", required=False)
    allow_suggestion = forms.BooleanField(label="党员群众可建议", required=False)
    allow_clerk = forms.BooleanField(label="书记/记分员可登记", required=False, initial=True)
    evidence_required = forms.BooleanField(label="须附证明材料", required=False)
    confirm_by = forms.ChoiceField(label="认定", choices=BODY_CHOICES)
    source = forms.ChoiceField(label="自动来源", required=False,
                               choices=[("", "无")] + [(k, v[0]) for k, v in SOURCES.items()])
    reason = forms.CharField(label="变更原因（方案公布后修改须填写）", required=False, max_length=300)

    def item_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("reason", None)
        return data


class EntryBatchForm(StyledFormMixin, forms.Form):
    item = ItemChoiceField(label="项目", queryset=Item.objects.none())
    occurred_on = forms.DateField(label="发生日期", widget=DateInput())
    points = forms.DecimalField(label="分值（范围项目或待定分值项目填写）", required=False, max_digits=7,
                                decimal_places=2)
    note = forms.CharField(label="事由", max_length=300, required=False)
    proposer_name = forms.CharField(label="建议人/受惠群众（党员群众建议时填写）", max_length=60, required=False)
    people = forms.TypedMultipleChoiceField(label="人员", coerce=int, widget=forms.CheckboxSelectMultiple)
    confirm_body = forms.ChoiceField(label="同时登记认定结果", required=False,
                                     choices=[("", "暂不认定（进入待认定）")] + BODY_CHOICES)
    decided_on = forms.DateField(label="认定会议日期", required=False, widget=DateInput())

    def __init__(self, *args: Any, items: Any, people: list[tuple[int, str]], may_confirm: bool,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["people"].choices = people
        self.fields["people"].widget.attrs["class"] = "form-check-input"
        if not may_confirm:
            del self.fields["confirm_body"]
            del self.fields["decided_on"]


class DeclareForm(StyledFormMixin, forms.Form):
    item = ItemChoiceField(label="申报项目", queryset=Item.objects.none())
    occurred_on = forms.DateField(label="发生日期", widget=DateInput())
    points = forms.DecimalField(label="申报分值（范围项目填写）", required=False, max_digits=7, decimal_places=2)
    note = forms.CharField(label="事由", max_length=300, widget=forms.Textarea(attrs={"rows": 3}))
    files = EvidenceField(label="证明材料")

    def __init__(self, *args: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["occurred_on"].initial = china_today()


class SuggestForm(StyledFormMixin, forms.Form):
    person = forms.TypedChoiceField(label="党员", coerce=int)
    item = ItemChoiceField(label="项目", queryset=Item.objects.none())
    occurred_on = forms.DateField(label="发生日期", widget=DateInput())
    points = forms.DecimalField(label="建议分值（范围项目填写）", required=False, max_digits=7, decimal_places=2)
    note = forms.CharField(label="事由", max_length=300, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, items: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["person"].choices = people
        self.fields["occurred_on"].initial = china_today()


class DecideForm(StyledFormMixin, forms.Form):
    body = forms.ChoiceField(label="认定机构", choices=BODY_CHOICES)
    decided_on = forms.DateField(label="会议日期", widget=DateInput())
    reason = forms.CharField(label="理由（不予认定、更正时必填）", max_length=280, required=False)


class AppealForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label="类型", choices=AppealKind.choices)
    person = forms.TypedChoiceField(label="涉及党员", coerce=int)
    entry = forms.TypedChoiceField(label="涉及积分记录（可不选）", coerce=int, required=False, empty_value=None)
    text = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, people: list[tuple[int, str]], entries: list[tuple[int, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = people
        self.fields["entry"].choices = [("", "—")] + entries


class AppealAnswerForm(StyledFormMixin, forms.Form):
    outcome = forms.ChoiceField(label="审核结论", choices=AppealOutcome.choices)
    answer = forms.CharField(label="审核意见", widget=forms.Textarea(attrs={"rows": 4}))
    publish_scope = forms.ChoiceField(label="公开范围", choices=PublishScope.choices)
    body = forms.ChoiceField(label="研究机构", choices=BODY_CHOICES)
    decided_on = forms.DateField(label="研究日期", widget=DateInput())
