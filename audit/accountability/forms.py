"""Forms of the accountability pages."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from partyadmin.forms import DateInput, StyledFormMixin

from .models import CaseStatus, Outcome, PartyRole, ViolationType
from .selectors import CaseFilters


class CaseFilterForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *CaseStatus.choices])
    violation_type = forms.ChoiceField(label="问题类型", required=False, choices=[("", "全部"), *ViolationType.choices])
    township = forms.ModelChoiceField(label="乡镇（街道）", required=False, queryset=None, empty_label="全部")
    overdue = forms.BooleanField(label="只看超期", required=False)

    def __init__(self, *args: Any, townships: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships

    def filters(self) -> CaseFilters:
        if not self.is_valid():
            return CaseFilters()
        data = self.cleaned_data
        return CaseFilters(status=data["status"], violation_type=data["violation_type"], township=data["township"],
                           overdue_only=data["overdue"])


class CaseOpenForm(StyledFormMixin, forms.Form):
    organization = forms.ModelChoiceField(label="发生问题的党组织", queryset=None)
    subject_label = forms.CharField(label="涉及事项", max_length=200,
                                    help_text="如：张某某确定为发展对象（第7步）、预备党员接收审批（第17步）")
    violation_type = forms.ChoiceField(label="问题类型", choices=ViolationType.choices)
    description = forms.CharField(label="问题描述", widget=forms.Textarea(attrs={"rows": 5}))
    discovered_on = forms.DateField(label="发现日期", widget=DateInput(),
                                    help_text="自发现之日起，一般应在30日内处理完毕。")

    def __init__(self, *args: Any, organizations: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class PartyForm(StyledFormMixin, forms.Form):
    role = forms.ChoiceField(label="责任身份", choices=PartyRole.choices)
    name = forms.CharField(label="姓名或组织名称", max_length=100)
    note = forms.CharField(label="备注", max_length=200, required=False)


class ExtendForm(StyledFormMixin, forms.Form):
    until = forms.DateField(label="延长至", widget=DateInput(),
                            help_text="经县（市、区）委组织部同意，最长不得超过发现之日起3个月。")
    reason = forms.CharField(label="特殊情况说明", max_length=300)


class CloseForm(StyledFormMixin, forms.Form):
    outcome = forms.ChoiceField(label="处理结果", choices=Outcome.choices)
    outcome_note = forms.CharField(label="处理意见", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    admission_not_recognized = forms.BooleanField(
        label="违反规定吸收入党，不予承认", required=False,
        help_text="对违反规定吸收入党的，一律不予承认，并在支部大会上公布。",
    )
    announced_on = forms.DateField(label="支部大会公布日期", required=False, widget=DateInput())
