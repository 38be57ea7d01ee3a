"""Accountability pages (责任追究): the list for reviewers (overdue first), open, detail with parties,
extension (county department only) and closing."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from branches import scoping
from branches.scoping import Action
from partyadmin.errors import RuleViolation
from partyadmin.forms import submitted
from partyadmin.workdays import china_today

from . import rules, selectors, services
from .forms import CaseFilterForm, CaseOpenForm, CloseForm, ExtendForm, PartyForm
from .models import AccountabilityCase

PAGE_SIZE = 20


def _require_scope(request: HttpRequest) -> None:
    if not selectors.has_case_scope(request.user):
        raise Http404("页面不存在或无权访问。")


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    _require_scope(request)
    today = china_today()
    form = CaseFilterForm(request.GET or None, townships=selectors.townships_for_filter(user=request.user))
    cases = selectors.case_list(user=request.user, today=today, filters=form.filters())
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/accountability/list.html", {"form": form, "page": page, "query": query.urlencode()})


@login_required
def case_open(request: HttpRequest) -> HttpResponse:
    _require_scope(request)
    organizations = selectors.organizations_for_open(user=request.user)
    if request.method == "POST":
        form = CaseOpenForm(request.POST, organizations=organizations)
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = services.case_open(
                    acting_user=request.user, organization=data["organization"], subject_label=data["subject_label"],
                    violation_type=data["violation_type"], description=data["description"],
                    discovered_on=data["discovered_on"],
                )
            except RuleViolation as violation:
                form.add_rule_violation(violation)
            else:
                return redirect("audit:accountability:detail", pk=case.pk)
    else:
        form = CaseOpenForm(organizations=organizations, initial={"discovered_on": china_today()})
    return render(request, "audit/accountability/form.html", {"form": form, "title": "责任追究立案"})


def _detail_context(request: HttpRequest, case: AccountabilityCase, **forms: Any) -> dict[str, Any]:
    today = china_today()
    manage = case.is_open and selectors.may_manage(user=request.user, case=case)
    return {
        "case": case,
        "is_overdue": rules.is_overdue(deadline=case.deadline, today=today, open_=case.is_open),
        "latest_extension": rules.latest_extension(case.discovered_on),
        "parties": selectors.parties_of(case),
        "may_manage": manage,
        "may_extend": case.is_open and selectors.may_extend(user=request.user, case=case),
        "may_see_history": scoping.can(request.user, Action.VIEW_AUDIT, case.organization),
        "party_form": forms.get("party_form") or PartyForm(),
        "extend_form": forms.get("extend_form") or ExtendForm(),
        "close_form": forms.get("close_form") or CloseForm(),
    }


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    return render(request, "audit/accountability/detail.html", _detail_context(request, case))


@require_POST
@login_required
def party_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    if not selectors.may_manage(user=request.user, case=case):
        raise PermissionDenied("无权修改此案件。")
    form = PartyForm(request.POST)
    if submitted(form, lambda: services.party_add(acting_user=request.user, case=case, **form.cleaned_data)):
        return redirect("audit:accountability:detail", pk=case.pk)
    return render(request, "audit/accountability/detail.html", _detail_context(request, case, party_form=form))


@require_POST
@login_required
def case_extend(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    if not selectors.may_extend(user=request.user, case=case):
        raise PermissionDenied("延长办理期限须经县（市、区）委组织部同意。")
    form = ExtendForm(request.POST)
    if submitted(form, lambda: services.case_extend(
            acting_user=request.user, case=case, until=form.cleaned_data["until"],
            reason=form.cleaned_data["reason"]
    )):
        return redirect("audit:accountability:detail", pk=case.pk)
    return render(request, "audit/accountability/detail.html", _detail_context(request, case, extend_form=form))


@require_POST
@login_required
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    if not selectors.may_manage(user=request.user, case=case):
        raise PermissionDenied("无权办结此案件。")
    form = CloseForm(request.POST)
    if submitted(form, lambda: services.case_close(acting_user=request.user, case=case, **form.cleaned_data)):
        return redirect("audit:accountability:detail", pk=case.pk)
    return render(request, "audit/accountability/detail.html", _detail_context(request, case, close_form=form))
