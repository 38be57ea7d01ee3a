"""Forms of the member-change pages: parse and shape input; the rules run in the services."""

from typing import Any

from django import forms

from audit.filings.forms import MATERIALS_HELP, MaterialsField
from branches.models import Organization
from partyadmin.forms import DateInput, StyledFormMixin

from . import rules, selectors
from .models import (
    AnnouncementMethod,
    DecisionBody,
    ExemptionReason,
    ExemptionStatus,
    FlowDirection,
    Measure,
    TransferStatus,
)

YES_NO = [("yes", "是"), ("no", "否")]


def _text(label: str, *, rows: int = 3, required: bool = True, max_length: int = 2000, **kwargs: Any) -> forms.Field:
    return forms.CharField(label=label, required=required, max_length=max_length,
                           widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


def _date(label: str, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), **kwargs)


# --- transfers --------------------------------------------------------------------------------------

class TransferRequestForm(StyledFormMixin, forms.Form):
    to_code = forms.CharField(
        label="接收党支部（组织代码）", max_length=32,
        help_text="输入接收党支部的组织代码；本县（市、区）的党支部可从下拉提示中选择。外县的组织代码请向接收方索取。",
        widget=forms.TextInput(attrs={"list": "receiving-branches", "autocomplete": "off"}),
    )
    reason = forms.CharField(label="转接原因", max_length=200,
                             help_text="如：工作调动、外出6个月以上且地点固定、迁居。")

    def clean_to_code(self) -> Organization:
        branch = selectors.receiving_branch_by_code(self.cleaned_data["to_code"])
        if branch is None:
            raise forms.ValidationError("未找到该组织代码对应的党支部，请核对。")
        return branch


class TransferOutForm(StyledFormMixin, forms.Form):
    destination = forms.CharField(label="接收党组织", max_length=200,
                                  help_text="介绍信抬头，如“中共××市××区委组织部”或接收单位党组织全称。")
    reason = forms.CharField(label="转接原因", max_length=200)


class RefuseForm(StyledFormMixin, forms.Form):
    refusal_reason = forms.CharField(label="拒收理由", max_length=200)


class CancelForm(StyledFormMixin, forms.Form):
    cancel_reason = forms.CharField(label="撤回原因", max_length=200)


class ReceiptForm(StyledFormMixin, forms.Form):
    received_on = _date("回执返回日期")


class VoidForm(StyledFormMixin, forms.Form):
    void_reason = forms.CharField(label="作废原因", max_length=200, help_text="作废后党员恢复在册。")


class TransferFilterForm(StyledFormMixin, forms.Form):
    direction = forms.ChoiceField(label="方向", required=False, choices=[
        ("", "全部"), (selectors.INCOMING, "转入本组织"), (selectors.OUTGOING, "本组织转出")])
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *TransferStatus.choices])


# --- floating members ----------------------------------------------------------------------------------

class FlowForm(StyledFormMixin, forms.Form):
    direction = forms.ChoiceField(label="流向", choices=FlowDirection.choices)
    other_organization = forms.CharField(label="流入地（流出地）党组织", max_length=100)
    place = forms.CharField(label="外出地点", max_length=100, required=False)
    started_on = _date("外出（流入）日期")
    ends_on = _date("预计返回日期", required=False, help_text="不确定可留空（视为6个月以上）。")
    fixed_place = forms.BooleanField(label="工作（居住）地点固定", required=False)
    certificate_no = forms.CharField(label="流动党员活动证号", max_length=40, required=False,
                                     help_text="外出3至6个月，或地点不固定的，领取流动党员活动证。")
    contact = forms.CharField(label="在外联系方式", max_length=100, required=False)


class FlowUpdateForm(StyledFormMixin, forms.Form):
    certificate_no = forms.CharField(label="流动党员活动证号", max_length=40, required=False)
    place = forms.CharField(label="外出地点", max_length=100, required=False)
    ends_on = _date("预计返回日期", required=False)
    fixed_place = forms.BooleanField(label="工作（居住）地点固定", required=False)
    contact = forms.CharField(label="在外联系方式", max_length=100, required=False)


class FlowReportForm(StyledFormMixin, forms.Form):
    reported_on = _date("汇报日期")
    content = _text("汇报内容", rows=4, help_text="外出期间的思想、工作和参加党的组织生活等情况。")


class FlowEndForm(StyledFormMixin, forms.Form):
    returned_on = _date("返回（结束）日期")
    note = forms.CharField(label="说明", max_length=200, required=False)


class FlowFilterForm(StyledFormMixin, forms.Form):
    state = forms.ChoiceField(label="状态", required=False, choices=[("open", "在外（未结束）"), ("all", "全部")])
    direction = forms.ChoiceField(label="流向", required=False, choices=[("", "全部"), *FlowDirection.choices])


# --- exemptions ---------------------------------------------------------------------------------------

class ExemptionApplyForm(StyledFormMixin, forms.Form):
    reason_kind = forms.ChoiceField(label="申请原因", choices=ExemptionReason.choices)
    reason = forms.CharField(label="具体情况", max_length=200, help_text="如：82岁，卧病在床，无法正常参加组织生活。")
    applied_on = _date("申请日期")


class ExemptionDecideForm(StyledFormMixin, forms.Form):
    agreed = forms.ChoiceField(label="研究结果", choices=[("yes", "同意（报上级党委备案）"), ("no", "不同意")])
    body = forms.ChoiceField(label="研究机构", choices=DecisionBody.choices)
    decided_on = _date("研究日期")
    note = forms.CharField(label="研究意见", max_length=500, required=False, help_text="不同意时须写明理由。")
    materials = MaterialsField(label="备案材料", help_text=f"如本人申请书、会议记录。{MATERIALS_HELP}")

    def __init__(self, *args: Any, organization: Organization | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organization is not None and not organization.has_committee:
            self.fields["body"].initial = DecisionBody.GENERAL_MEETING


class ExemptionEndForm(StyledFormMixin, forms.Form):
    ended_on = _date("恢复日期")
    reason = forms.CharField(label="恢复原因", max_length=200)


class ExemptionFilterForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *ExemptionStatus.choices])


# --- disposal -----------------------------------------------------------------------------------------

class DisposalOpenForm(StyledFormMixin, forms.Form):
    measure = forms.ChoiceField(label="拟处置方式", choices=Measure.choices)
    finding_on = _date("支委会认定日期")
    finding = _text("不合格表现及初步认定", help_text="根据个人自评、党员互评、民主测评结果，支委会作出的初步认定。")
    lapse_grounds = forms.MultipleChoiceField(
        label="自行脱党情形（如有）", required=False, choices=list(rules.LAPSE_GROUNDS.items()),
        widget=forms.CheckboxSelectMultiple, help_text="选中任一项即视为自行脱党，应作除名处理。",
    )
    education = _text("批评教育情况", required=False, help_text="自行脱党须先客观分析原因并及时批评教育。")
    extend_probation = forms.BooleanField(label="同时延长预备期（预备党员限期改正时）", required=False)
    lapse = forms.CharField(required=False, widget=forms.HiddenInput)

    def lapse_reference(self) -> tuple[str, str]:
        source, _, reference = (self.cleaned_data.get("lapse") or "").partition(":")
        return source, reference


class InvestigateForm(StyledFormMixin, forms.Form):
    investigated_on = _date("调查核实日期")
    investigation = _text("调查核实情况", rows=4)
    proposal = _text("支委会初步处置意见")
    measure = forms.ChoiceField(label="处置方式", choices=Measure.choices)
    extend_probation = forms.BooleanField(label="同时延长预备期", required=False)


class FilingStepForm(StyledFormMixin, forms.Form):
    note = _text("报送说明", required=False, help_text="处置方式、认定、调查核实情况和表决结果会自动写入。")
    materials = MaterialsField(label="材料", help_text=f"如调查核实材料、会议记录。{MATERIALS_HELP}")


class VoteForm(StyledFormMixin, forms.Form):
    meeting_on = _date("支部大会日期")
    eligible = forms.IntegerField(label="应到会有表决权党员（人）", min_value=1, max_value=10000)
    attended = forms.IntegerField(label="实到会有表决权党员（人）", min_value=0, max_value=10000)
    in_favour = forms.IntegerField(label="赞成（票）", min_value=0, max_value=10000)
    against = forms.IntegerField(label="反对（票）", min_value=0, max_value=10000)
    abstained = forms.IntegerField(label="弃权（票）", min_value=0, max_value=10000)
    member_statement = _text("本人意见（申辩）", required=False)


class AnnounceForm(StyledFormMixin, forms.Form):
    member_notified_on = _date("通知本人日期")
    announced_on = _date("宣布日期")
    method = forms.ChoiceField(label="宣布方式", choices=AnnouncementMethod.choices)
    publish = forms.BooleanField(label="同时在支部内公告（公示栏）", required=False)


class ConcludeForm(StyledFormMixin, forms.Form):
    corrected = forms.ChoiceField(label="结论", choices=[
        ("yes", "已改正，符合党员条件"), ("no", "仍不符合党员条件（转劝退）")])
    concluded_on = _date("评议日期")
    note = forms.CharField(label="改正情况及支部意见", max_length=500)


class PersuasionForm(StyledFormMixin, forms.Form):
    quit = forms.ChoiceField(label="劝退结果", choices=[("yes", "本人同意退党"), ("no", "劝而不退（转除名）")])
    on = _date("日期")
    note = forms.CharField(label="说明", max_length=500, required=False)


class WithdrawForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=500)


class DisposalFilterForm(StyledFormMixin, forms.Form):
    state = forms.ChoiceField(label="状态", required=False, choices=[("open", "办理中"), ("all", "全部")])


# --- status ---------------------------------------------------------------------------------------------

class MakeFullForm(StyledFormMixin, forms.Form):
    meeting_on = _date("支部大会讨论日期")
    approved_on = _date("上级党委审批日期")
    approval = forms.CharField(label="审批文件或意见", max_length=100, required=False)


class DeathForm(StyledFormMixin, forms.Form):
    died_on = _date("去世日期")
    note = forms.CharField(label="说明", max_length=300, required=False)


def yes(value: str) -> bool:
    return value == "yes"
