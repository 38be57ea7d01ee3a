"""Plan pages for the county department: plans, the numbers ledger and its Excel export, the structure of
admissions and the branches without new members. Out of scope is 404 (see `selectors`)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from branches import scoping
from branches.models import Organization, OrganizationKind
from branches.scoping import Action
from partyadmin.errors import RuleViolation
from partyadmin.forms import submitted
from partyadmin.workdays import china_today

from . import documents, rules, selectors, services
from .forms import NameListForm, PlanForm, ReportForm, VoidForm
from .registry import name_list_candidates

NUMBERS_PER_PAGE = 50
BRANCHES_PER_PAGE = 50
NAME_LISTS_ON_PLAN = 20


def _counties_or_404(request: HttpRequest) -> list[Organization]:
    counties = list(selectors.plan_counties(user=request.user))
    if not counties:
        raise Http404("页面不存在或无权访问。")
    return counties


@login_required
def plan_index(request: HttpRequest) -> HttpResponse:
    counties = _counties_or_404(request)
    plans = list(selectors.plan_list(user=request.user))
    year = china_today().year
    planned = {(plan.county_id, plan.year) for plan in plans}
    missing = [county for county in counties if (county.pk, year) not in planned]
    return render(request, "recruitment/plans/index.html",
                  {"plans": plans, "missing": missing, "year": year, "counties": counties})


@login_required
def plan_create(request: HttpRequest, county_pk: int) -> HttpResponse:
    county = selectors.county_get(user=request.user, pk=county_pk)
    townships = services.townships_of(county)
    form = PlanForm(request.POST or None, townships=townships, initial={"year": china_today().year})
    created: dict[str, Any] = {}

    def create() -> None:
        created["plan"] = services.plan_create(acting_user=request.user, county=county,
                                               year=form.cleaned_data["year"], **form.service_arguments())

    if request.method == "POST" and submitted(form, create):
        messages.success(request, "已制定年度发展党员计划。")
        return redirect("recruitment_plans:detail", pk=created["plan"].pk)
    return render(request, "recruitment/plans/form.html", {"form": form, "county": county, "plan": None})


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    form = PlanForm(request.POST or None, townships=services.townships_of(plan.county), plan=plan)
    if request.method == "POST" and submitted(
            form, lambda: services.plan_update(acting_user=request.user, plan=plan, **form.service_arguments())):
        messages.success(request, "已保存计划调整。")
        return redirect("recruitment_plans:detail", pk=plan.pk)
    return render(request, "recruitment/plans/form.html", {"form": form, "county": plan.county, "plan": plan})


def _use_of(plan: Any) -> selectors.QuotaUse:
    return selectors.quota_use_of([plan])[0]


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    members = selectors.plan_member_count(plan)
    guideline = rules.net_growth_guideline(members)
    targets = selectors.target_group_labels()
    use = _use_of(plan)
    return render(request, "recruitment/plans/detail.html", {
        "plan": plan,
        "use": use,
        "total_bars": [use.total] if use else [],
        "members": members,
        "guideline": guideline,
        "plan_rate": rules.share_percent(plan.total_quota, members),
        "guideline_rate": rules.NET_GROWTH_RATE * 100,
        "targets": [(targets[key], value) for key, value in plan.target_group_targets.items()],
        "name_lists": list(selectors.name_list_list(user=request.user, year=plan.year,
                                                    county=plan.county)[:NAME_LISTS_ON_PLAN]),
    })


@login_required
def ledger(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    numbers = selectors.form_number_list(user=request.user, plan=plan)
    page = Paginator(numbers, NUMBERS_PER_PAGE).get_page(request.GET.get("page"))
    use = _use_of(plan)
    return render(request, "recruitment/plans/ledger.html", {
        "plan": plan, "page": page, "use": use, "total_bars": [use.total] if use else [], "void_form": VoidForm(),
    })


@login_required
def ledger_export(request: HttpRequest, pk: int) -> FileResponse:
    """The ledger in Excel; every export is audited (DESIGN §2.7)."""
    plan = selectors.plan_get(user=request.user, pk=pk)
    numbers = list(selectors.form_number_list(user=request.user, plan=plan))
    stream = documents.ledger_workbook(plan=plan, numbers=numbers, use=_use_of(plan))
    services.numbers_export_record(acting_user=request.user, plan=plan, count=len(numbers))
    return FileResponse(stream, as_attachment=True, filename=documents.export_filename(plan),
                        content_type=documents.XLSX_CONTENT_TYPE)


@require_POST
@login_required
def number_void(request: HttpRequest, pk: int) -> HttpResponse:
    number = selectors.form_number_get(user=request.user, pk=pk)
    form = VoidForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.form_number_void(acting_user=request.user, form_number=number, reason=reason)
    except RuleViolation as violation:
        messages.error(request, violation.message)
    else:
        messages.success(request, f"已作废编号 {number.number}（该编号不再发放）。")
    return redirect(f"{reverse('recruitment_plans:ledger', args=[number.plan_id])}?page={request.POST.get('page', 1)}")


def _report_query(request: HttpRequest) -> tuple[list[Organization], Organization, int, int]:
    counties = selectors.report_counties(user=request.user)
    if not counties:
        raise Http404("页面不存在或无权访问。")
    form = ReportForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    county = counties[0]
    if data.get("county"):
        county = next((c for c in counties if c.pk == data["county"]), None)
        if county is None:
            raise Http404("页面不存在或无权访问。")
    return counties, county, data.get("year") or china_today().year, data.get("years") or 3


@login_required
def structure(request: HttpRequest) -> HttpResponse:
    counties, county, year, _ = _report_query(request)
    report = selectors.structure_report(user=request.user, county=county, year=year)
    chart = {
        "townships": [row.label for row in report.rows],
        "totals": [row.total for row in report.rows],
        "groups": [{"name": c.label, "value": report.total.values[c.key]} for c in report.columns
                   if c.group == "重点群体"],
        "ages": [{"name": c.label, "value": report.total.values[c.key]} for c in report.columns if c.group == "年龄"],
    }
    targets = selectors.target_group_labels()
    return render(request, "recruitment/plans/structure.html", {
        "report": report, "county": county, "year": year, "chart": chart,
        "counties": counties,
        "years": list(range(china_today().year, china_today().year - 6, -1)),
        "targets": [(targets[key], value) for key, value in report.plan_targets.items()],
        "column_groups": _column_groups(report.columns),
    })


def _column_groups(columns: list[selectors.Column]) -> list[tuple[str, int]]:
    groups: list[tuple[str, int]] = []
    for column in columns:
        if groups and groups[-1][0] == column.group:
            groups[-1] = (column.group, groups[-1][1] + 1)
        else:
            groups.append((column.group, 1))
    return groups


@login_required
def stagnant(request: HttpRequest) -> HttpResponse:
    counties, county, _, years = _report_query(request)
    branches = selectors.stagnant_branches(user=request.user, years=years, county=county)
    page = Paginator(branches, BRANCHES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "recruitment/plans/stagnant.html", {
        "page": page, "county": county, "years": years,
        "counties": counties,
    })


# --- name lists for the county pre-review ---------------------------------------------------------------

SENDER_KINDS = (OrganizationKind.COMMITTEE, OrganizationKind.GENERAL_BRANCH, OrganizationKind.BRANCH)
SENDERS_SHOWN = 50
NAME_LISTS_PER_PAGE = 30


@login_required
def name_list_index(request: HttpRequest) -> HttpResponse:
    lists = selectors.name_list_list(user=request.user)
    senders = list(scoping.organizations_for(request.user, Action.CHANGE_MEMBER)
                   .filter(kind__in=SENDER_KINDS, is_active=True).exclude(county=None)
                   .order_by("-can_approve_admission", "path")[:SENDERS_SHOWN])
    page = Paginator(lists, NAME_LISTS_PER_PAGE).get_page(request.GET.get("page"))
    if not senders and page.paginator.count == 0 and not selectors.plan_counties(user=request.user).exists():
        raise Http404("页面不存在或无权访问。")
    return render(request, "recruitment/plans/name_lists.html", {"page": page, "senders": senders})


@login_required
def name_list_create(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = scoping.organization_get_for_user(request.user, organization_pk)
    if not selectors.may_submit_name_list(user=request.user, organization=organization):
        raise PermissionDenied("无权报送名单。")
    data = request.POST or None
    year = china_today().year
    if data is not None and str(data.get("year", "")).isdigit():
        year = int(data["year"])
    form = NameListForm(data, candidates=name_list_candidates(organization=organization, year=year),
                        initial={"year": year})
    created: dict[str, Any] = {}

    def submit() -> None:
        created["list"] = services.name_list_pre_review_submit(
            acting_user=request.user, organization=organization, year=form.cleaned_data["year"],
            people=form.chosen_people(), note=form.cleaned_data["note"])

    if request.method == "POST" and submitted(form, submit):
        messages.success(request, "名单已报县（市、区）委组织部预审。")
        return redirect("recruitment_plans:name_list_detail", pk=created["list"].pk)
    return render(request, "recruitment/plans/name_list_form.html", {"form": form, "organization": organization})


@login_required
def name_list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    name_list = selectors.name_list_get(user=request.user, pk=pk)
    entries = list(name_list.entries.select_related("person").order_by("person__name", "pk"))
    return render(request, "recruitment/plans/name_list_detail.html", {"name_list": name_list, "entries": entries})
