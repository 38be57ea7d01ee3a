"""Forms of the 一编三定 pages (phone first for the leader's ledger entry)."""

from typing import Any

from django import forms

from branches.meetings.forms import MultipleFileInput
from partyadmin.forms import DateInput, StyledFormMixin

from . import rules


class PhotosField(forms.FileField):
    """Several photos in one input; type and size are checked by content in the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png"}))
        kwargs.setdefault("help_text", "可多选或直接拍照，只接受 JPEG、PNG 照片，每张不超过 5 MB；"
                                       "上传时自动去除拍摄地点等附加信息。")
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class EntryForm(StyledFormMixin, forms.Form):
    activity_on = forms.DateField(label="活动时间", widget=DateInput())
    participants = forms.TypedMultipleChoiceField(label="参与党员", coerce=int, widget=forms.CheckboxSelectMultiple)
    content = forms.CharField(label="履岗内容", widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.CharField(label="取得成效", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    remark = forms.CharField(label="备注", max_length=200, required=False)
    photos = PhotosField(label="活动照片")

    def __init__(self, *args: Any, members: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participants"].choices = [(m.pk, m.person.name) for m in members]
        self.fields["participants"].widget.attrs["class"] = "form-check-input"


class PostListCreateForm(StyledFormMixin, forms.Form):
    organization = forms.ModelChoiceField(label="村（社区）党组织", queryset=None)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    suggested = forms.MultipleChoiceField(
        label="从参考岗位开始", required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(p["name"], p["name"]) for p in rules.SUGGESTED_POSTS],
        help_text="参考岗位可在建立后调整；也可以不选，逐个增设。",
    )

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["suggested"].widget.attrs["class"] = "form-check-input"


class MonthForm(forms.Form):
    month = forms.DateField(required=False, input_formats=["%Y-%m"])


class PostForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="岗位名称", max_length=50)
    duties = forms.CharField(label="职责任务", widget=forms.Textarea(attrs={"rows": 2}))
    standards = forms.CharField(label="标准要求", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DateForm(StyledFormMixin, forms.Form):
    on = forms.DateField(label="日期", widget=DateInput())


class ClaimForm(StyledFormMixin, forms.Form):
    post = forms.TypedChoiceField(label="岗位", coerce=int)
    member = forms.TypedChoiceField(label="党员", coerce=int)

    def __init__(self, *args: Any, posts: list, members: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["post"].choices = [(p.pk, p.name) for p in posts]
        self.fields["member"].choices = [(m.pk, m.person.name) for m in members]


class MemberForm(forms.Form):
    member = forms.IntegerField()


class GroupForm(StyledFormMixin, forms.Form):
    post = forms.IntegerField(widget=forms.HiddenInput)
    leader = forms.TypedChoiceField(label="组长", coerce=int, required=False, empty_value=None)
    cadre = forms.TypedChoiceField(label="包组干部", coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, group_members: list, cadres: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leader"].choices = [("", "—")] + [(m.pk, m.person.name) for m in group_members]
        self.fields["cadre"].choices = [("", "—")] + [(m.pk, m.person.name) for m in cadres]


class CommitmentForm(StyledFormMixin, forms.Form):
    placement = forms.IntegerField(widget=forms.HiddenInput)
    commitment = forms.CharField(label="服务承诺", max_length=300)
    signed_on = forms.DateField(label="签订日期", widget=DateInput())


class ExemptionDecideForm(forms.Form):
    exemption = forms.IntegerField()
    approve = forms.BooleanField(required=False)


class ReviewForm(StyledFormMixin, forms.Form):
    post = forms.TypedChoiceField(label="编组", coerce=int)
    half = forms.TypedChoiceField(label="半年", coerce=int, choices=[(1, "上半年"), (2, "下半年")])
    summary = forms.CharField(label="履岗情况总结", widget=forms.Textarea(attrs={"rows": 2}))
    comment = forms.CharField(label="支部点评", widget=forms.Textarea(attrs={"rows": 2}))
    reviewed_on = forms.DateField(label="点评日期", widget=DateInput())

    def __init__(self, *args: Any, posts: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["post"].choices = [(p.pk, p.group_label) for p in posts]


class EvaluationForm(StyledFormMixin, forms.Form):
    member = forms.TypedChoiceField(label="党员", coerce=int)
    report = forms.CharField(label="述职内容", widget=forms.Textarea(attrs={"rows": 2}))
    grade = forms.ChoiceField(label="考评等次", choices=list(rules.GRADES.items()))
    evaluated_on = forms.DateField(label="全体党员和群众代表会议日期", widget=DateInput())

    def __init__(self, *args: Any, members: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m.pk, m.person.name) for m in members]


class TrainingForm(StyledFormMixin, forms.Form):
    member = forms.TypedChoiceField(label="党员", coerce=int)
    held_on = forms.DateField(label="培训日期", widget=DateInput())
    kind = forms.ChoiceField(label="类别", choices=list(rules.TRAINING_KINDS.items()))
    topic = forms.CharField(label="培训内容", max_length=200)
    organizer = forms.CharField(label="举办单位", max_length=100, required=False)

    def __init__(self, *args: Any, members: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m.pk, m.person.name) for m in members]
