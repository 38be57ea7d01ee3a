"""Forms of the checklist pages. The score table is parsed from the POST by `parse_scores` (one row per item)."""

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.http import QueryDict

from partyadmin.forms import DateInput, StyledFormMixin

from .models import AssessmentItem
from .services import ScoreInput

MAX_TEMPLATE_BYTES = 512 * 1024


class ScoreParseError(Exception):
    pass


def parse_scores(data: QueryDict, rows: list[AssessmentItem]) -> list[ScoreInput]:
    """`score_<pk>`, `note_<pk>`, `reason_<pk>` for each row; an empty score is "not scored yet"."""
    entries = []
    for row in rows:
        raw = (data.get(f"score_{row.pk}") or "").strip()
        try:
            score = Decimal(raw) if raw else None
        except InvalidOperation:
            raise ScoreParseError(f"“{row.item.standard[:20]}…”的得分须为数字。") from None
        if score is not None and not score.is_finite():
            raise ScoreParseError(f"“{row.item.standard[:20]}…”的得分须为数字。")
        entries.append(ScoreInput(row.pk, score, (data.get(f"note_{row.pk}") or "")[:500],
                                  (data.get(f"reason_{row.pk}") or "")[:500]))
    return entries


class RoundForm(StyledFormMixin, forms.Form):
    county = forms.ModelChoiceField(label="县（市、区）委组织部", queryset=None)
    year = forms.IntegerField(label="考核年度", min_value=2000, max_value=2100)
    template = forms.ModelChoiceField(label="考核细则", queryset=None)
    submit_by = forms.DateField(label="支部自评截止日期", widget=DateInput())

    def __init__(self, *args: Any, counties: Any, templates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties
        self.fields["template"].queryset = templates


class TemplateUploadForm(StyledFormMixin, forms.Form):
    county = forms.ModelChoiceField(label="县（市、区）委组织部", queryset=None)
    file = forms.FileField(label="考核细则（JSON）", help_text="格式同系统内置细则，可先下载内置细则作为样板。")

    def __init__(self, *args: Any, counties: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_TEMPLATE_BYTES:
            raise forms.ValidationError("文件不能超过512KB。")
        try:
            return json.loads(upload.read().decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise forms.ValidationError("文件不是有效的JSON（UTF-8）。") from None


class EvidenceForm(StyledFormMixin, forms.Form):
    target = forms.CharField(widget=forms.HiddenInput)  # "item:<pk>" or "veto:<pk>"
    title = forms.CharField(label="材料名称", max_length=200)
    url = forms.CharField(label="链接", max_length=500, required=False, help_text="系统内记录的地址或网址")
    file = forms.FileField(label="文件", required=False, help_text="PDF、图片或Office文档")


class VetoDeclareForm(StyledFormMixin, forms.Form):
    found = forms.TypedChoiceField(label="申报", choices=[("0", "不存在该情形"), ("1", "存在该情形")],
                                   coerce=lambda v: v == "1")
    note = forms.CharField(label="说明", max_length=500, required=False)


class ReviewVetoForm(StyledFormMixin, forms.Form):
    found = forms.TypedChoiceField(label="考核认定", choices=[("", "以记录或申报为准"), ("1", "存在该情形"),
                                                          ("0", "不存在该情形")],
                                   coerce=lambda v: v == "1", empty_value=None, required=False)
    note = forms.CharField(label="认定理由", max_length=500, required=False)


class OpinionForm(StyledFormMixin, forms.Form):
    opinion = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SubmitForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label="报送说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RectificationForm(StyledFormMixin, forms.Form):
    report = forms.CharField(label="整改情况", widget=forms.Textarea(attrs={"rows": 3}))


class EligibilityForm(StyledFormMixin, forms.Form):
    organization = forms.ModelChoiceField(label="党支部", queryset=None)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
