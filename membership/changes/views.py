"""Pages for changes of a member's situation: transfers, floating members, exemption, disposal, status.

Each view: fetch through the selectors (out of scope is 404), check the action (403 when the row is visible
but the user may not act), call one service, render. A rule violation is shown on the form it concerns.
"""

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audit.filings.forms import uploads_of
from audit.filings.models import Filing
from membership.models import Member
from membership.selectors import member_get
from partyadmin.documents import pdf_response
from partyadmin.errors import RuleViolation
from partyadmin.workdays import china_today

from . import documents, rules, selectors, services
from .forms import (
    AnnounceForm,
    CancelForm,
    ConcludeForm,
    DeathForm,
    DisposalFilterForm,
    DisposalOpenForm,
    ExemptionApplyForm,
    ExemptionDecideForm,
    ExemptionEndForm,
    ExemptionFilterForm,
    FilingStepForm,
    FlowEndForm,
    FlowFilterForm,
    FlowForm,
    FlowReportForm,
    FlowUpdateForm,
    InvestigateForm,
    MakeFullForm,
    PersuasionForm,
    ReceiptForm,
    RefuseForm,
    TransferFilterForm,
    TransferOutForm,
    TransferRequestForm,
    VoidForm,
    VoteForm,
    WithdrawForm,
    yes,
)
from .models import (
    ApplicationSource,
    DisposalCase,
    DisposalStep,
    Exemption,
    ExemptionStatus,
    FlowRecord,
    Measure,
    Transfer,
    TransferKind,
    TransferStatus,
)

PAGE_SIZE = 20


def _require_view_scope(request: HttpRequest) -> None:
    """Lists are for officers and reviewers; anyone else gets the same 404 as a missing page."""
    if not selectors.has_view_scope(request.user):
        raise Http404("页面不存在或无权访问。")


def _listing(request: HttpRequest, rows: Any) -> dict[str, Any]:
    """The page of rows asked for, and the filters to keep in the pager's links."""
    query = request.GET.copy()
    query.pop("page", None)
    return {"page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")), "query": query.urlencode()}


def _member_for_change(request: HttpRequest, pk: int) -> Member:
    member = member_get(user=request.user, pk=pk)
    if not selectors.may_change(user=request.user, organization=member.organization):
        raise PermissionDenied("无权办理此党员的变动。")
    return member


def _form_page(request: HttpRequest, form: django_forms.Form, *, title: str, member: Member | None = None,
               **extra: Any) -> HttpResponse:
    return render(request, "membership/changes/form.html",
                  {"form": form, "title": title, "member": member, **extra})


def _run(form: django_forms.Form, call: Callable[[], Any]) -> Any:
    """Calls the service; a rule violation lands on the form (and None comes back)."""
    try:
        return call()
    except RuleViolation as violation:
        form.add_rule_violation(violation)  # type: ignore[attr-defined]
        return None


# --- overview ----------------------------------------------------------------------------------------

@login_required
def index(request: HttpRequest) -> HttpResponse:
    _require_view_scope(request)
    user = request.user
    context = {
        "incoming": selectors.transfer_list(user=user, direction=selectors.INCOMING,
                                            status=TransferStatus.REQUESTED)[:10],
        "outgoing": selectors.transfer_list(user=user, direction=selectors.OUTGOING,
                                            status=TransferStatus.REQUESTED)[:10],
        "flows": selectors.flow_list(user=user, open_only=True)[:10],
        "exemptions": selectors.exemption_list(user=user).filter(status__in=selectors.PENDING_EXEMPTION)[:10],
        "disposals": selectors.disposal_list(user=user, open_only=True)[:10],
        "lapses": selectors.lapse_candidates(user=user)[:10],
    }
    return render(request, "membership/changes/index.html", context)


# --- the member's page ----------------------------------------------------------------------------------

@login_required
def member_changes(request: HttpRequest, pk: int) -> HttpResponse:
    member = member_get(user=request.user, pk=pk)
    may = selectors.may_change(user=request.user, organization=member.organization) and member.is_active
    changes = selectors.member_changes(user=request.user, member=member)
    return render(request, "membership/changes/member.html", {
        "member": member, "person": member.person, "changes": changes, "may_change": may,
        "may_apply_exemption": selectors.may_apply_exemption(user=request.user, member=member),
        "open_flow": next((f for f in changes.flows if f.is_open), None),
        "open_transfer": next((t for t in changes.transfers if t.is_open), None),
        "open_disposal": next((d for d in changes.disposals if d.is_open), None),
        "probation_end": selectors.probation_end(member),
    })


@login_required
def member_make_full(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_for_change(request, pk)
    form = MakeFullForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _run(form, lambda: services.member_make_full(acting_user=request.user, member=member, **data)):
            messages.success(request, f"{member.person.name}已转为正式党员。")
            return redirect("membership:changes:member", pk=member.pk)
    end = selectors.probation_end(member)
    return _form_page(request, form, title="预备党员转正", member=member,
                      help=f"预备期至 {end:%Y年%m月%d日} 期满；转正日期为预备期满之日。" if end else "")


@login_required
def member_death(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_for_change(request, pk)
    form = DeathForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _run(form, lambda: services.member_record_death(acting_user=request.user, member=member, **data)):
            messages.success(request, f"已登记{member.person.name}去世，该党员不再在册。")
            return redirect("membership:changes:member", pk=member.pk)
    return _form_page(request, form, title="登记党员去世", member=member,
                      help="登记后党员不再在册（记录保留，不删除）；未办结的转接、处置一并终止。")


@login_required
def former(request: HttpRequest) -> HttpResponse:
    _require_view_scope(request)
    return render(request, "membership/changes/former.html",
                  _listing(request, selectors.former_members(user=request.user)))


# --- transfers ----------------------------------------------------------------------------------------

@login_required
def transfer_list(request: HttpRequest) -> HttpResponse:
    _require_view_scope(request)
    form = TransferFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.transfer_list(user=request.user, direction=filters.get("direction", ""),
                                   status=filters.get("status", ""))
    return render(request, "membership/changes/transfers.html", {"form": form, **_listing(request, rows)})


@login_required
def transfer_create(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_for_change(request, pk)
    form = TransferRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        transfer = _run(form, lambda: services.transfer_request(
            acting_user=request.user, member=member, to_organization=data["to_code"], reason=data["reason"]))
        if transfer:
            messages.success(request, f"已向{transfer.destination}提出转接，待对方接收。")
            return redirect("membership:changes:transfer_detail", pk=transfer.pk)
    return _form_page(request, form, title="组织关系转接（系统内）", member=member,
                      datalist=selectors.county_branches(member=member), datalist_id="receiving-branches")


@login_required
def transfer_out_create(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_for_change(request, pk)
    form = TransferOutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        transfer = _run(form, lambda: services.transfer_out_issue(acting_user=request.user, member=member,
                                                                  **form.cleaned_data))
        if transfer:
            messages.success(request, f"已开具介绍信{transfer.letter_number}，{member.person.name}已不在册。")
            return redirect("membership:changes:transfer_detail", pk=transfer.pk)
    return _form_page(request, form, title="转出本系统（开具组织关系介绍信）", member=member,
                      help="开具后党员即不在本支部名册（记录保留）；介绍信未使用可作废并恢复在册。")


def _transfer_context(request: HttpRequest, transfer: Transfer, **forms: Any) -> dict[str, Any]:
    user = request.user
    sender = selectors.may_manage_sent(user=user, transfer=transfer)
    return {
        "transfer": transfer,
        "may_receive": selectors.may_receive(user=user, transfer=transfer),
        "may_cancel": sender and transfer.status == TransferStatus.REQUESTED,
        "may_receipt": sender and transfer.status == TransferStatus.ISSUED,
        "may_print": selectors.may_print_letter(user=user, transfer=transfer),
        "refuse_form": forms.get("refuse_form") or RefuseForm(),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "receipt_form": forms.get("receipt_form") or ReceiptForm(),
        "void_form": forms.get("void_form") or VoidForm(),
    }


@login_required
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = selectors.transfer_get(user=request.user, pk=pk)
    return render(request, "membership/changes/transfer_detail.html", _transfer_context(request, transfer))


def _transfer_action(request: HttpRequest, pk: int, *, receiver: bool, form_class: type[django_forms.Form],
                     form_name: str, call: Callable[[Transfer, dict], Any], done: str) -> HttpResponse:
    transfer = selectors.transfer_get(user=request.user, pk=pk)
    allowed = (selectors.may_receive(user=request.user, transfer=transfer) if receiver
               else selectors.may_manage_sent(user=request.user, transfer=transfer))
    if not allowed:
        raise PermissionDenied("无权办理此转接。")
    form = form_class(request.POST)
    if form.is_valid() and _run(form, lambda: call(transfer, form.cleaned_data)) is not None:
        messages.success(request, done)
        return redirect("membership:changes:transfer_detail", pk=transfer.pk)
    transfer = selectors.transfer_get(user=request.user, pk=pk)
    return render(request, "membership/changes/transfer_detail.html",
                  _transfer_context(request, transfer, **{form_name: form}))


@require_POST
@login_required
def transfer_accept(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = selectors.transfer_get(user=request.user, pk=pk)
    if not selectors.may_receive(user=request.user, transfer=transfer):
        raise PermissionDenied("无权接收此转接。")
    try:
        services.transfer_accept(acting_user=request.user, transfer=transfer)
    except RuleViolation as violation:
        messages.error(request, violation.message)
    else:
        messages.success(request, f"已接收{transfer.member.person.name}的组织关系。")
    return redirect("membership:changes:transfer_detail", pk=transfer.pk)


@require_POST
@login_required
def transfer_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    return _transfer_action(
        request, pk, receiver=True, form_class=RefuseForm, form_name="refuse_form", done="已拒收并告知转出党支部。",
        call=lambda t, d: services.transfer_refuse(acting_user=request.user, transfer=t, reason=d["refusal_reason"]))


@require_POST
@login_required
def transfer_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _transfer_action(
        request, pk, receiver=False, form_class=CancelForm, form_name="cancel_form", done="已撤回转接。",
        call=lambda t, d: services.transfer_cancel(acting_user=request.user, transfer=t, reason=d["cancel_reason"]))


@require_POST
@login_required
def transfer_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    return _transfer_action(
        request, pk, receiver=False, form_class=ReceiptForm, form_name="receipt_form", done="已登记回执。",
        call=lambda t, d: services.transfer_receipt_record(acting_user=request.user, transfer=t,
                                                           received_on=d["received_on"]))


@require_POST
@login_required
def transfer_void(request: HttpRequest, pk: int) -> HttpResponse:
    return _transfer_action(
        request, pk, receiver=False, form_class=VoidForm, form_name="void_form", done="介绍信已作废，党员恢复在册。",
        call=lambda t, d: services.transfer_void(acting_user=request.user, transfer=t, reason=d["void_reason"]))


@login_required
def transfer_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter as a PDF: the ID number in full only for users who may see personal data; audited."""
    transfer = selectors.transfer_get(user=request.user, pk=pk)
    if transfer.kind != TransferKind.OUTSIDE or transfer.letter_sequence is None:
        raise Http404("此转接没有介绍信。")
    if not selectors.may_print_letter(user=request.user, transfer=transfer):
        raise PermissionDenied("无权打印介绍信。")
    full = selectors.may_see_full_id(user=request.user, transfer=transfer)
    services.introduction_letter_record(acting_user=request.user, transfer=transfer, full_id_number=full)
    return pdf_response(documents.TEMPLATE, documents.introduction_letter_context(transfer, full_id_number=full),
                        filename=documents.letter_filename(transfer))


# --- floating members ------------------------------------------------------------------------------------

@login_required
def flow_list(request: HttpRequest) -> HttpResponse:
    _require_view_scope(request)
    form = FlowFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.flow_list(user=request.user, open_only=filters.get("state", "open") != "all",
                               direction=filters.get("direction", ""))
    return render(request, "membership/changes/flows.html", {"form": form, **_listing(request, rows)})


@login_required
def flow_create(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_for_change(request, pk)
    form = FlowForm(request.POST or None, initial={"direction": "flow_out"})
    if request.method == "POST" and form.is_valid():
        flow = _run(form, lambda: services.flow_register(acting_user=request.user, member=member, **form.cleaned_data))
        if flow:
            messages.success(request, "已登记流动党员。")
            advice = rules.flow_advice(direction=flow.direction, started_on=flow.started_on, ends_on=flow.ends_on,
                                       fixed_place=flow.fixed_place)
            if rules.ADVICE_TRANSFER in advice:
                messages.warning(request, rules.ADVICE_TEXT[rules.ADVICE_TRANSFER])
            return redirect("membership:changes:flow_detail", pk=flow.pk)
    return _form_page(request, form, title="流动党员登记", member=member,
                      advice=[rules.ADVICE_TEXT[key] for key in
                              (rules.ADVICE_TRANSFER, rules.ADVICE_CERTIFICATE, rules.ADVICE_REPORT)])


def _flow_context(request: HttpRequest, flow: FlowRecord, **forms: Any) -> dict[str, Any]:
    manage = flow.is_open and selectors.may_change(user=request.user, organization=flow.organization)
    today = china_today()
    return {
        "flow": flow,
        "reports": selectors.flow_reports(flow),
        "advice": [rules.ADVICE_TEXT[key] for key in rules.flow_advice(
            direction=flow.direction, started_on=flow.started_on, ends_on=flow.ends_on, fixed_place=flow.fixed_place)],
        "transfer_due": flow.is_open and rules.transfer_prompt_due(
            direction=flow.direction, started_on=flow.started_on, fixed_place=flow.fixed_place, today=today),
        "may_manage": manage,
        "may_report": selectors.may_report(user=request.user, flow=flow),
        "report_form": forms.get("report_form") or FlowReportForm(initial={"reported_on": today}),
        "update_form": forms.get("update_form") or FlowUpdateForm(initial={
            "certificate_no": flow.certificate_no, "place": flow.place, "ends_on": flow.ends_on,
            "fixed_place": flow.fixed_place, "contact": flow.contact}),
        "end_form": forms.get("end_form") or FlowEndForm(initial={"returned_on": today}),
    }


@login_required
def flow_detail(request: HttpRequest, pk: int) -> HttpResponse:
    flow = selectors.flow_get(user=request.user, pk=pk)
    return render(request, "membership/changes/flow_detail.html", _flow_context(request, flow))


def _flow_action(request: HttpRequest, pk: int, *, form_class: type[django_forms.Form], form_name: str,
                 allowed: Callable[[FlowRecord], bool], call: Callable[[FlowRecord, dict], Any],
                 done: str) -> HttpResponse:
    flow = selectors.flow_get(user=request.user, pk=pk)
    if not allowed(flow):
        raise PermissionDenied("无权办理此流动登记。")
    form = form_class(request.POST)
    if form.is_valid() and _run(form, lambda: call(flow, form.cleaned_data)) is not None:
        messages.success(request, done)
        return redirect("membership:changes:flow_detail", pk=flow.pk)
    return render(request, "membership/changes/flow_detail.html", _flow_context(request, flow, **{form_name: form}))


def _flow_manageable(request: HttpRequest) -> Callable[[FlowRecord], bool]:
    return lambda flow: flow.is_open and selectors.may_change(user=request.user, organization=flow.organization)


@require_POST
@login_required
def flow_report(request: HttpRequest, pk: int) -> HttpResponse:
    return _flow_action(
        request, pk, form_class=FlowReportForm, form_name="report_form", done="已登记汇报。",
        allowed=lambda flow: selectors.may_report(user=request.user, flow=flow),
        call=lambda f, d: services.flow_report_add(acting_user=request.user, flow=f, **d))


@require_POST
@login_required
def flow_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _flow_action(
        request, pk, form_class=FlowUpdateForm, form_name="update_form", done="已更新流动登记。",
        allowed=_flow_manageable(request),
        call=lambda f, d: services.flow_update(acting_user=request.user, flow=f, **d))


@require_POST
@login_required
def flow_end(request: HttpRequest, pk: int) -> HttpResponse:
    return _flow_action(
        request, pk, form_class=FlowEndForm, form_name="end_form", done="已登记返回，流动登记结束。",
        allowed=_flow_manageable(request),
        call=lambda f, d: services.flow_end(acting_user=request.user, flow=f, **d))


# --- exemptions ------------------------------------------------------------------------------------------

@login_required
def exemption_list(request: HttpRequest) -> HttpResponse:
    _require_view_scope(request)
    form = ExemptionFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.exemption_list(user=request.user, status=filters.get("status", ""))
    return render(request, "membership/changes/exemptions.html", {"form": form, **_listing(request, rows)})


@login_required
def exemption_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The secretary enters an application, or the member applies from their own page."""
    member = member_get(user=request.user, pk=pk)
    if not selectors.may_apply_exemption(user=request.user, member=member):
        raise PermissionDenied("无权提出此申请。")
    own = selectors.is_own(user=request.user, member=member)
    source = ApplicationSource.SELF if own else ApplicationSource.SECRETARY
    form = ExemptionApplyForm(request.POST or None, initial={"applied_on": china_today()})
    if request.method == "POST" and form.is_valid():
        exemption = _run(form, lambda: services.exemption_apply(acting_user=request.user, member=member,
                                                                source=source, **form.cleaned_data))
        if exemption:
            messages.success(request, "申请已提交，待党支部研究。")
            return redirect("membership:changes:exemption_detail", pk=exemption.pk)
    return _form_page(request, form, title="申请免于积分评星", member=member,
                      help="年老体弱、长期患病、行动不便等有特殊情况的党员，经本人申请、党支部研究同意，"
                           "并报上级党委备案，可不参加积分定星管理。")


def _exemption_context(request: HttpRequest, exemption: Exemption, **forms: Any) -> dict[str, Any]:
    manage = selectors.may_change(user=request.user, organization=exemption.organization)
    filing = Filing.objects.filter(pk=exemption.filing_id).only("pk", "status", "title").first() \
        if exemption.filing_id else None
    return {
        "exemption": exemption,
        "filing": filing,
        "may_decide": manage and exemption.status == ExemptionStatus.APPLIED,
        "may_end": manage and exemption.status == ExemptionStatus.APPROVED,
        "decide_form": forms.get("decide_form") or ExemptionDecideForm(
            organization=exemption.organization, initial={"decided_on": china_today()}),
        "end_form": forms.get("end_form") or ExemptionEndForm(initial={"ended_on": china_today()}),
    }


@login_required
def exemption_detail(request: HttpRequest, pk: int) -> HttpResponse:
    exemption = selectors.exemption_get(user=request.user, pk=pk)
    return render(request, "membership/changes/exemption_detail.html", _exemption_context(request, exemption))


def _exemption_manageable(request: HttpRequest, pk: int) -> Exemption:
    exemption = selectors.exemption_get(user=request.user, pk=pk)
    if not selectors.may_change(user=request.user, organization=exemption.organization):
        raise PermissionDenied("无权办理此申请。")
    return exemption


@require_POST
@login_required
def exemption_decide(request: HttpRequest, pk: int) -> HttpResponse:
    exemption = _exemption_manageable(request, pk)
    form = ExemptionDecideForm(request.POST, request.FILES, organization=exemption.organization)
    if form.is_valid():
        data = form.cleaned_data
        if _run(form, lambda: services.exemption_decide(
                acting_user=request.user, exemption=exemption, agreed=yes(data["agreed"]), body=data["body"],
                decided_on=data["decided_on"], note=data["note"], materials=uploads_of(data["materials"]))):
            messages.success(request, "已登记研究结果。" + ("已报上级党委备案。" if yes(data["agreed"]) else ""))
            return redirect("membership:changes:exemption_detail", pk=exemption.pk)
    exemption = selectors.exemption_get(user=request.user, pk=pk)
    return render(request, "membership/changes/exemption_detail.html",
                  _exemption_context(request, exemption, decide_form=form))


@require_POST
@login_required
def exemption_end(request: HttpRequest, pk: int) -> HttpResponse:
    exemption = _exemption_manageable(request, pk)
    form = ExemptionEndForm(request.POST)
    if form.is_valid() and _run(form, lambda: services.exemption_end(acting_user=request.user, exemption=exemption,
                                                                     **form.cleaned_data)):
        messages.success(request, "已恢复积分评星。")
        return redirect("membership:changes:exemption_detail", pk=exemption.pk)
    return render(request, "membership/changes/exemption_detail.html",
                  _exemption_context(request, exemption, end_form=form))


# --- disposal ------------------------------------------------------------------------------------------

@login_required
def disposal_list(request: HttpRequest) -> HttpResponse:
    _require_view_scope(request)
    form = DisposalFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.disposal_list(user=request.user, open_only=filters.get("state", "open") != "all")
    return render(request, "membership/changes/disposals.html", {
        "form": form, **_listing(request, rows), "lapses": selectors.lapse_candidates(user=request.user),
    })


@login_required
def disposal_create(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_for_change(request, pk)
    lapse = request.GET.get("lapse", "") if request.method == "GET" else request.POST.get("lapse", "")
    row = None
    if lapse:
        source, _, reference = lapse.partition(":")
        row = selectors.lapse_candidate_get(user=request.user, source=source, reference=reference)
        if row is None or row.member.pk != member.pk:
            raise Http404("该提示不存在或已处理。")
    initial: dict[str, Any] = {"finding_on": china_today()}
    if row is not None:
        initial |= {"measure": Measure.REMOVE, "lapse_grounds": [row.candidate.ground], "lapse": lapse,
                    "finding": f"{rules.LAPSE_GROUNDS.get(row.candidate.ground, '')}（{row.candidate.description}）。"}
    form = DisposalOpenForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        source, reference = form.lapse_reference()
        case = _run(form, lambda: services.disposal_open(
            acting_user=request.user, member=member, measure=data["measure"], finding_on=data["finding_on"],
            finding=data["finding"], lapse_grounds=data["lapse_grounds"], education=data["education"],
            extend_probation=data["extend_probation"], lapse_source=source, lapse_reference=reference))
        if case:
            messages.success(request, "已立案：支委会初步认定已登记。")
            return redirect("membership:changes:disposal_detail", pk=case.pk)
    return _form_page(request, form, title="处置不合格党员：支委会初步认定", member=member,
                      help="程序：支委会初步认定 → 调查核实 → 报镇党委预审（劝退、除名还须报县级组织部门预审）→ "
                           "支部大会表决 → 上级审批 → 通知本人并宣布。")


DISPOSAL_FORMS: dict[str, type[django_forms.Form]] = {
    "investigate": InvestigateForm, "pre_review": FilingStepForm, "vote": VoteForm, "approval": FilingStepForm,
    "announce": AnnounceForm, "conclude": ConcludeForm, "persuasion": PersuasionForm, "withdraw": WithdrawForm,
}


def _next_action(case: DisposalCase) -> str | None:
    """The form the case's detail page offers next (None while a superior decides, or when closed)."""
    if not case.is_open:
        return None
    if case.step == DisposalStep.ANNOUNCED:
        return {Measure.RECTIFY: "conclude", Measure.PERSUADE: "persuasion"}.get(case.measure)  # type: ignore[call-overload]
    by_step = {DisposalStep.FINDING: "investigate", DisposalStep.INVESTIGATED: "pre_review",
               DisposalStep.PRE_REVIEWED: "vote", DisposalStep.VOTED: "approval", DisposalStep.APPROVED: "announce"}
    return by_step.get(case.step)  # type: ignore[call-overload]


def _disposal_initial(case: DisposalCase, action: str) -> dict[str, Any]:
    today = china_today()
    if action == "investigate":
        return {"investigated_on": today, "measure": case.measure, "extend_probation": case.extend_probation}
    if action == "vote":
        return {"meeting_on": today}
    if action == "announce":
        return {"announced_on": today, "member_notified_on": today}
    if action == "conclude":
        return {"concluded_on": today}
    if action == "persuasion":
        return {"on": today}
    return {}


def _disposal_context(request: HttpRequest, case: DisposalCase, *, action: str | None = None,
                      bound: django_forms.Form | None = None) -> dict[str, Any]:
    manage = selectors.may_change(user=request.user, organization=case.organization)
    next_action = _next_action(case)
    filing_ids = [pk for pk in (case.pre_review_filing_id, case.pre_review_county_filing_id,
                                case.approval_filing_id, case.approval_county_filing_id) if pk]
    filings = list(Filing.objects.filter(pk__in=filing_ids).select_related("to_organization").order_by("pk"))
    context: dict[str, Any] = {
        "case": case,
        "steps": [(step, label, case.step >= step) for step, label in rules.STEP_LABELS.items()],
        "filings": filings,
        "may_manage": manage,
        "next_action": next_action if manage else None,
        "next_label": rules.ACTION_LABELS.get(next_action or "", {"conclude": "限期改正期满结论",
                                                                  "persuasion": "登记劝退结果"}.get(next_action or "", "")),
        "may_withdraw": manage and case.is_open and case.step < DisposalStep.APPROVED,
        "withdraw_form": bound if action == "withdraw" else WithdrawForm(),
    }
    if manage and next_action:
        form_class = DISPOSAL_FORMS[next_action]
        context["step_form"] = bound if action == next_action and bound is not None else form_class(
            initial=_disposal_initial(case, next_action))
        context["multipart"] = next_action in ("pre_review", "approval")
    return context


@login_required
def disposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.disposal_get(user=request.user, pk=pk)
    return render(request, "membership/changes/disposal_detail.html", _disposal_context(request, case))


def _disposal_call(request: HttpRequest, case: DisposalCase, action: str, data: dict[str, Any]) -> Any:
    user = request.user
    if action == "investigate":
        return services.disposal_investigate(acting_user=user, case=case, **data)
    if action == "pre_review":
        return services.disposal_submit_pre_review(acting_user=user, case=case, note=data["note"],
                                                   materials=uploads_of(data["materials"]))
    if action == "vote":
        return services.disposal_record_vote(acting_user=user, case=case, **data)
    if action == "approval":
        return services.disposal_submit_approval(acting_user=user, case=case, note=data["note"],
                                                 materials=uploads_of(data["materials"]))
    if action == "announce":
        return services.disposal_announce(acting_user=user, case=case, **data)
    if action == "conclude":
        return services.disposal_conclude_rectification(
            acting_user=user, case=case, corrected=yes(data["corrected"]), concluded_on=data["concluded_on"],
            note=data["note"])
    if action == "persuasion":
        return services.disposal_record_persuasion(acting_user=user, case=case, quit=yes(data["quit"]), on=data["on"],
                                                   note=data["note"])
    return services.disposal_withdraw(acting_user=user, case=case, reason=data["reason"])


DONE = {
    "investigate": "已登记调查核实情况。", "pre_review": "已报上级预审。", "vote": "已登记支部大会表决结果。",
    "approval": "已报上级审批。", "announce": "已登记通知和宣布。", "conclude": "已作出限期改正结论。",
    "persuasion": "已登记劝退结果。", "withdraw": "处置已撤销。",
}


@require_POST
@login_required
def disposal_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in DISPOSAL_FORMS:
        raise Http404("页面不存在。")
    case = selectors.disposal_get(user=request.user, pk=pk)
    if not selectors.may_change(user=request.user, organization=case.organization):
        raise PermissionDenied("无权办理此处置。")
    form = DISPOSAL_FORMS[action](request.POST, request.FILES)
    if form.is_valid():
        result = _run(form, lambda: _disposal_call(request, case, action, form.cleaned_data))
        if result is not None:
            messages.success(request, DONE[action])
            follow_up = result[1] if isinstance(result, tuple) else None
            if follow_up is not None:
                messages.info(request, f"已按规定启动后续处置：{follow_up.get_measure_display()}。")
                return redirect("membership:changes:disposal_detail", pk=follow_up.pk)
            return redirect("membership:changes:disposal_detail", pk=case.pk)
    case = selectors.disposal_get(user=request.user, pk=pk)
    if action not in (_next_action(case), "withdraw"):
        # Out of order: the page shows another step's form, so the refusal goes above it.
        for error in form.non_field_errors():
            messages.error(request, error)
    return render(request, "membership/changes/disposal_detail.html",
                  _disposal_context(request, case, action=action, bound=form))
