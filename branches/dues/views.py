"""Dues pages: the branch page (members × months, unpaid list, payment and base forms), the Excel export
of the unpaid list, the member's own dues (phone first)."""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from branches.models import Organization
from membership.selectors import member_for_user
from partyadmin.errors import RuleViolation
from partyadmin.forms import performed
from partyadmin.workdays import china_today

from . import documents, rules, selectors, services
from .forms import BaseForm, CancelForm, PaymentForm, PeriodForm, ResolveForm

BRANCHES_PER_PAGE = 50
RECENT_PAYMENTS = 30


def _period(data: Any, today: date) -> tuple[int, int]:
    """The year and reference month asked for, defaulting to this year up to the last completed month."""
    form = PeriodForm(data)
    year = today.year
    month = None
    if form.is_valid():
        year = form.cleaned_data["year"] or today.year
        month = form.cleaned_data["month"]
    if month is None:
        month = rules.reference_month(year=year, today=today)
    return year, month


def _page_url(organization: Organization, year: int) -> str:
    return f"{reverse('dues:branch', args=[organization.pk])}?year={year}"


@login_required
def index(request: HttpRequest) -> HttpResponse:
    branches = selectors.dues_branches(user=request.user)
    page = Paginator(branches, BRANCHES_PER_PAGE).get_page(request.GET.get("page"))
    if page.paginator.count == 0:
        if member_for_user(request.user) is not None:
            return redirect("dues:me")
        raise Http404("页面不存在或无权访问。")
    if page.paginator.count == 1:
        return redirect("dues:branch", pk=page.object_list[0].pk)
    return render(request, "branches/dues/index.html", {"page": page})


def _branch_context(request: HttpRequest, organization: Organization, *, year: int, month: int,
                    **forms: Any) -> dict[str, Any]:
    today = china_today()
    manage = selectors.may_manage_dues(user=request.user, organization=organization)
    context: dict[str, Any] = {
        "organization": organization,
        "year": year,
        "month": month,
        "years": list(range(today.year + 1, today.year - 5, -1)),
        "grid": selectors.dues_grid(user=request.user, organization=organization, year=year, up_to_month=month),
        "flags": list(selectors.open_lapse_flags(user=request.user, organization=organization)),
        "payments": list(selectors.payment_list(user=request.user, organization=organization,
                                                year=year)[:RECENT_PAYMENTS]),
        "may_manage": manage,
        "categories": selectors.category_table(),
    }
    if manage:
        members = selectors.branch_members(organization)
        context["payment_form"] = forms.get("payment_form") or PaymentForm(
            members=members, prefix="pay", initial={"year": year, "paid_on": today, "from_month": max(month, 1),
                                                     "to_month": max(month, 1)})
        context["base_form"] = forms.get("base_form") or BaseForm(members=members, prefix="base",
                                                                  initial={"year": year})
        context["resolve_form"] = ResolveForm(prefix="resolve")
        context["cancel_form"] = CancelForm(prefix="cancel")
    return context


@login_required
def branch(request: HttpRequest, pk: int) -> HttpResponse:
    organization = selectors.branch_get(user=request.user, pk=pk)
    year, month = _period(request.GET, china_today())
    return render(request, "branches/dues/branch.html", _branch_context(request, organization, year=year, month=month))


def _manageable_branch(request: HttpRequest, pk: int) -> Organization:
    organization = selectors.branch_get(user=request.user, pk=pk)
    if not selectors.may_manage_dues(user=request.user, organization=organization):
        raise PermissionDenied("无权登记党费。")
    return organization


@require_POST
@login_required
def payment_create(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _manageable_branch(request, pk)
    form = PaymentForm(request.POST, members=selectors.branch_members(organization), prefix="pay")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.dues_payment_record(acting_user=request.user, **data)
        except RuleViolation as violation:
            form.add_rule_violation(violation)
        else:
            return redirect(_page_url(organization, data["year"]))
    year, month = _period({"year": request.POST.get("pay-year")}, china_today())
    return render(request, "branches/dues/branch.html",
                  _branch_context(request, organization, year=year, month=month, payment_form=form))


@require_POST
@login_required
def base_create(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _manageable_branch(request, pk)
    form = BaseForm(request.POST, members=selectors.branch_members(organization), prefix="base")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.dues_base_set(
                acting_user=request.user, member=data["member"], year=data["year"], category=data["category"],
                monthly_income_base=data["monthly_income_base"] or 0, fixed_amount=data["fixed_amount"],
                declared_amount=data["declared_amount"], note=data["note"],
            )
        except RuleViolation as violation:
            form.add_rule_violation(violation)
        else:
            return redirect(_page_url(organization, data["year"]))
    year, month = _period({"year": request.POST.get("base-year")}, china_today())
    return render(request, "branches/dues/branch.html",
                  _branch_context(request, organization, year=year, month=month, base_form=form))


def _act(request: HttpRequest, organization: Organization, year: int, action: Callable[[], object],
         done: str) -> HttpResponse:
    """Runs a small inline action; its rule message (or success) is shown on the page it returns to."""
    performed(request, action, done)
    return redirect(_page_url(organization, year))


@require_POST
@login_required
def payment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    payment = selectors.payment_get(user=request.user, pk=pk)
    if not selectors.may_manage_dues(user=request.user, organization=payment.organization):
        raise PermissionDenied("无权撤销交纳记录。")
    form = CancelForm(request.POST, prefix="cancel")
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(request, payment.organization, payment.year,
                lambda: services.dues_payment_cancel(acting_user=request.user, payment=payment, reason=reason),
                f"已撤销{payment.member}{payment.months_label}的交纳记录。")


@require_POST
@login_required
def flag_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    flag = selectors.lapse_flag_get(user=request.user, pk=pk)
    if not selectors.may_manage_dues(user=request.user, organization=flag.organization):
        raise PermissionDenied("无权处理此提示。")
    form = ResolveForm(request.POST, prefix="resolve")
    if not form.is_valid():
        messages.error(request, "请选择处理结果。")
        return redirect(_page_url(flag.organization, china_today().year))
    return _act(request, flag.organization, china_today().year,
                lambda: services.dues_lapse_flag_resolve(acting_user=request.user, flag=flag, **form.cleaned_data),
                f"已处理：{flag}。")


@login_required
def unpaid_export(request: HttpRequest, pk: int) -> FileResponse:
    """The unpaid list in Excel; every export is audited (DESIGN §2.7)."""
    organization = selectors.branch_get(user=request.user, pk=pk)
    year, month = _period(request.GET, china_today())
    rows = selectors.unpaid_list(user=request.user, organization=organization, year=year, up_to_month=month)
    stream = documents.unpaid_workbook(organization=organization, rows=rows, year=year, up_to_month=month)
    services.dues_unpaid_export_record(acting_user=request.user, organization=organization, year=year,
                                       up_to_month=month, count=len(rows))
    return FileResponse(stream, as_attachment=True, filename=documents.export_filename(organization, year, month),
                        content_type=documents.XLSX_CONTENT_TYPE)


@login_required
def me(request: HttpRequest) -> HttpResponse:
    """The member's own dues (phone first)."""
    member = member_for_user(request.user)
    if member is None:
        raise Http404("未找到您的党员档案。")
    today = china_today()
    year, _ = _period(request.GET, today)
    summary = selectors.dues_summary_for_member(member, year, today=today)
    return render(request, "branches/dues/me.html", {
        "member": member, "summary": summary, "years": list(range(today.year, today.year - 5, -1)),
    })
