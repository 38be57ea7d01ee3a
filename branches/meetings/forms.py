"""Meeting forms: parse and shape input; the rules run in the services (RuleViolation → form error)."""

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse

from branches.models import Organization
from membership.models import Member
from partyadmin.forms import DateInput, StyledFormMixin
from partyadmin.workdays import china_today

from . import rules
from .models import MEETING_TYPE_CHOICES

MAX_FILES = 20


class _OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）" if obj.kind == "party_group" else obj.name


class _MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return obj.person.name


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; type and size are checked by content in the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png"}))
        kwargs.setdefault("help_text", f"可多选，只接受 JPEG、PNG 照片，每张不超过 5 MB，每次会议最多 {MAX_FILES} 张。"
                                       "上传时自动去除拍摄地点等附加信息。")
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_FILES:
            raise forms.ValidationError(f"一次最多上传 {MAX_FILES} 张照片。")
        return [super(PhotosField, self).clean(item, initial) for item in files]


class _MeetingFieldsForm(StyledFormMixin, forms.Form):
    held_on = forms.DateField(label="会议日期", widget=DateInput())
    topic = forms.CharField(label="会议主题", max_length=200)
    place = forms.CharField(label="会议地点", max_length=100, required=False)
    host_member = _MemberChoiceField(label="主持人（本支部党员）", queryset=Member.objects.none(), required=False,
                                     empty_label="—")
    host_name = forms.CharField(label="主持人/主讲人（其他人员）", max_length=50, required=False,
                                help_text="上级领导等非本支部人员主持或讲党课时填写姓名。")
    recorder_name = forms.CharField(label="记录人", max_length=50, required=False)
    minutes = forms.CharField(label="会议记录", required=False, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, hosts: QuerySet[Member] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["host_member"].queryset = hosts if hosts is not None else Member.objects.none()

    def clean_held_on(self) -> date:
        held_on = self.cleaned_data["held_on"]
        if held_on > china_today():
            raise forms.ValidationError("会议日期不能晚于今天，请在会议召开后录入。")
        return held_on


class MeetingForm(_MeetingFieldsForm):
    """Record a meeting: the organization and type decide the attendee list (reloaded by htmx)."""

    organization = _OrganizationChoiceField(label="召开组织", queryset=Organization.objects.none(),
                                            help_text="党小组会请选择党小组。")
    type = forms.ChoiceField(label="会议类型", choices=[("", "请选择"), *MEETING_TYPE_CHOICES])
    photos = PhotosField(label="会议照片")

    field_order = ["organization", "type", "held_on", "topic", "place", "host_member", "host_name",
                   "recorder_name", "minutes", "photos"]

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        swap = {"hx-get": reverse("meetings:attendees"), "hx-target": "#attendees",
                "hx-include": "#id_organization, #id_type", "hx-trigger": "change"}
        self.fields["organization"].widget.attrs.update(swap)
        self.fields["type"].widget.attrs.update(swap)


class MeetingEditForm(_MeetingFieldsForm):
    """Correct a meeting's details (the type and organization are fixed)."""


class AttendanceParseError(ValueError):
    pass


def parse_attendance(data: QueryDict) -> tuple[dict[int, str], dict[int, str]]:
    """The attendee table's radios (`attendance_<member id>`) and notes (`note_<member id>`)."""
    statuses: dict[int, str] = {}
    notes: dict[int, str] = {}
    for key, value in data.items():
        prefix, _, raw_id = key.partition("_")
        if prefix not in ("attendance", "note") or not raw_id:
            continue
        if not raw_id.isdigit():
            raise AttendanceParseError("出勤数据格式不正确，请刷新页面后重新填写。")
        if prefix == "attendance":
            statuses[int(raw_id)] = value
        else:
            notes[int(raw_id)] = value[:200]
    return statuses, notes


class MeetingFilterForm(StyledFormMixin, forms.Form):
    organization = _OrganizationChoiceField(label="党支部", queryset=Organization.objects.none(), required=False,
                                            empty_label="全部")
    type = forms.ChoiceField(label="会议类型", required=False, choices=[("", "全部"), *MEETING_TYPE_CHOICES])
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)
    voided = forms.BooleanField(label="含已作废", required=False)

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


def quarter_choices(today: date, count: int = 8) -> list[tuple[str, str]]:
    """The running quarter and the ones before it, newest first."""
    period = rules.period_of(today, rules.Frequency.QUARTER)
    choices = []
    for _ in range(count):
        choices.append((period.key, period.label))
        period = rules.previous_period(period)
    return choices


class ComplianceFilterForm(StyledFormMixin, forms.Form):
    period = forms.CharField(label="季度", required=False, max_length=7)
    # A plain number: the page lists the townships of the report; an id outside it matches no branch.
    township = forms.IntegerField(label="乡镇（街道）", required=False, min_value=1)
    overdue_only = forms.BooleanField(label="只看有逾期的党支部", required=False)

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_period(self) -> rules.Period:
        raw = self.cleaned_data["period"]
        if not raw:
            return rules.period_of(self.today, rules.Frequency.QUARTER)
        try:
            period = rules.parse_period(raw)
        except ValueError:
            raise forms.ValidationError("请选择季度。") from None
        if period.kind != rules.Frequency.QUARTER or period.start > self.today:
            raise forms.ValidationError("请选择已开始的季度。")
        return period

    def window(self) -> rules.Period:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["period"]
        return rules.period_of(self.today, rules.Frequency.QUARTER)

    def township_id(self) -> int | None:
        return self.cleaned_data.get("township") if self.is_bound and self.is_valid() else None

    def wants_overdue_only(self) -> bool:
        return bool(self.is_bound and self.is_valid() and self.cleaned_data.get("overdue_only"))

    def period_options(self) -> list[tuple[str, str]]:
        """The last twelve quarters, and the chosen one if it is older."""
        options = quarter_choices(self.today, 12)
        chosen = self.window()
        if chosen.key not in dict(options):
            options.append((chosen.key, chosen.label))
        return options


class PhotoUploadForm(StyledFormMixin, forms.Form):
    photos = PhotosField(label="会议照片", required=True)
    caption = forms.CharField(label="说明", max_length=100, required=False)


class VoidForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="作废原因", max_length=200)


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100)
