"""Forms of the dues pages."""

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet

from partyadmin.forms import DateInput, StyledFormMixin

from .models import DuesCategory, LapseResolution, PaymentMethod
from .services import MAX_YEAR, MIN_YEAR

MONTH_CHOICES = [(m, f"{m}月") for m in range(1, 13)]


class PeriodForm(forms.Form):
    """The page's year and reference month (GET)."""

    year = forms.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR, required=False)
    month = forms.IntegerField(min_value=0, max_value=12, required=False)


class _MemberFormMixin:
    def __init__(self, *args: Any, members: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]


class BaseForm(_MemberFormMixin, StyledFormMixin, forms.Form):
    member = forms.ModelChoiceField(label="党员", queryset=None)
    year = forms.IntegerField(label="年度", min_value=MIN_YEAR, max_value=MAX_YEAR)
    category = forms.ChoiceField(label="交纳类别", choices=DuesCategory.choices)
    monthly_income_base = forms.DecimalField(
        label="月计算基数（元）", required=False, min_value=Decimal("0"), max_digits=12, decimal_places=2,
        help_text="在职：每月工资收入（税后）；离退休：每月离退休费或养老金总额。",
    )
    fixed_amount = forms.DecimalField(
        label="每月固定金额（元）", required=False, min_value=Decimal("0"), max_digits=10, decimal_places=2,
        help_text="农民党员每月0.2元至1元（不填按0.2元）；学生、下岗失业、领取低保等党员每月0.2元；经批准少交或免交的填批准金额。",
    )
    declared_amount = forms.DecimalField(
        label="自愿多交（每月金额，元）", required=False, min_value=Decimal("0"), max_digits=10, decimal_places=2,
        help_text="党员自愿多交党费不限，不得少于按规定应交金额。",
    )
    note = forms.CharField(label="说明", max_length=200, required=False,
                           help_text="经批准少交或免交的，写明党支部研究和上一级党委批准情况。")


class PaymentForm(_MemberFormMixin, StyledFormMixin, forms.Form):
    member = forms.ModelChoiceField(label="党员", queryset=None)
    year = forms.IntegerField(label="年度", min_value=MIN_YEAR, max_value=MAX_YEAR)
    from_month = forms.TypedChoiceField(label="起始月份", choices=MONTH_CHOICES, coerce=int)
    to_month = forms.TypedChoiceField(label="截止月份", choices=MONTH_CHOICES, coerce=int,
                                      help_text="按月交纳；经党支部同意可按季度交纳或预交。")
    amount = forms.DecimalField(label="实交金额（元）", min_value=Decimal("0"), max_digits=10, decimal_places=2)
    paid_on = forms.DateField(label="交纳日期", widget=DateInput())
    method = forms.ChoiceField(label="交纳方式", choices=PaymentMethod.choices)
    note = forms.CharField(label="备注", max_length=200, required=False,
                           help_text="实交金额与应交金额不一致（如自愿多交）时须说明。")


class CancelForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=200)


class ResolveForm(StyledFormMixin, forms.Form):
    resolution = forms.ChoiceField(label="处理结果", choices=LapseResolution.choices)
    note = forms.CharField(label="说明", max_length=300, required=False)
