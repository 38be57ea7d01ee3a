"""Publicity pages: notices list and page (members, phone first), ad-hoc notice form, objections, PDF.

Out of scope is a 404 (the selectors); a page the user can see but an action they may not take is
a 403, as on the member pages.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from partyadmin.errors import RuleViolation
from partyadmin.workdays import china_today

from . import documents, rules, selectors, services
from .forms import (
    EntryFormSet,
    ObjectionConcludeForm,
    ObjectionFileForm,
    ObjectionFilterForm,
    ObjectionInvestigateForm,
    ObjectionRecordForm,
    WindowFilterForm,
    WindowForm,
)
from .models import Objection, ObjectionStatus, PublicityEntry, PublicityWindow

PAGE_SIZE = 20


def _accepts_objections(window: PublicityWindow) -> bool:
    return rules.accepts_objections(status=window.status, starts_on=window.starts_on, ends_on=window.ends_on,
                                    today=china_today())


@login_required
def window_list(request: HttpRequest) -> HttpResponse:
    form = WindowFilterForm(request.GET or None, organizations=selectors.organizations_for_filter(user=request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    windows = selectors.window_list(user=request.user, organization=filters.get("organization"),
                                    status=filters.get("status", ""))
    page = Paginator(windows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/publicity/list.html", {
        "form": form,
        "page": page,
        "is_office": selectors.has_office_scope(request.user),
        "can_open": selectors.organizations_for_opening(user=request.user).exists(),
    })


@login_required
def window_detail(request: HttpRequest, pk: int) -> HttpResponse:
    window = selectors.window_get(user=request.user, pk=pk)
    may_read = selectors.may_read_objections(user=request.user, window=window)
    return render(request, "audit/publicity/detail.html", {
        "window": window,
        "rows": selectors.notice_rows(window),
        "period": rules.format_period(window.starts_on, window.ends_on),
        "may_manage": selectors.may_manage(user=request.user, window=window),
        "may_read_objections": may_read,
        "objections": list(selectors.objection_list(user=request.user, window=window)) if may_read else [],
        "can_object": selectors.is_member_in_scope(user=request.user, window=window) and _accepts_objections(window),
        "own_objections": selectors.own_objections(user=request.user, window=window),
    })


@login_required
def window_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    window = selectors.window_get(user=request.user, pk=pk)
    return documents.notice_pdf_response(window)


@login_required
def window_create(request: HttpRequest) -> HttpResponse:
    organizations = selectors.organizations_for_opening(user=request.user)
    if not organizations.exists():
        raise Http404("页面不存在或无权访问。")
    if request.method == "POST":
        form = WindowForm(request.POST, organizations=organizations)
        formset = EntryFormSet(request.POST, prefix="entries")
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            try:
                window = services.publicity_open(
                    acting_user=request.user, organization=data["organization"], title=data["title"],
                    kind=data["kind"], entries=formset.entries(), scope=data["scope"], starts_on=data["starts_on"],
                    contact=data["contact"], results_label=data["results_label"],
                )
            except RuleViolation as violation:
                form.add_rule_violation(violation)
            else:
                messages.success(request, "公示已发布。" if window.status == "open" else "公示已保存，将于开始日期自动发布。")
                return redirect("audit:publicity:detail", pk=window.pk)
    else:
        initial = {"starts_on": china_today()}
        if organizations.count() == 1:
            initial["organization"] = organizations.first()
        form = WindowForm(initial=initial, organizations=organizations)
        formset = EntryFormSet(prefix="entries")
    return render(request, "audit/publicity/form.html", {"form": form, "formset": formset})


# --- objections ---------------------------------------------------------------------------------


def _running_entries(window: PublicityWindow) -> QuerySet[PublicityEntry]:
    return window.entries.filter(terminated_at__isnull=True).order_by("order")


@login_required
def objection_file(request: HttpRequest, pk: int) -> HttpResponse:
    window = selectors.window_get(user=request.user, pk=pk)
    if not selectors.is_member_in_scope(user=request.user, window=window):
        raise PermissionDenied("只有本支部党员可以在网上提出异议。")
    if request.method == "POST":
        form = ObjectionFileForm(request.POST, entries=_running_entries(window))
        if form.is_valid():
            try:
                services.objection_file(
                    acting_user=request.user, window=window, entry=form.cleaned_data["entry"],
                    content=form.cleaned_data["content"], anonymous=form.cleaned_data["anonymous"],
                )
            except RuleViolation as violation:
                form.add_rule_violation(violation)
            else:
                messages.success(request, "异议已提交，党组织将调查核实。")
                return redirect("audit:publicity:detail", pk=window.pk)
    else:
        if not _accepts_objections(window):
            messages.error(request, "该公示不在公示期内，不能提出异议。")
            return redirect("audit:publicity:detail", pk=window.pk)
        form = ObjectionFileForm(entries=_running_entries(window), initial={"entry": request.GET.get("entry")})
    return render(request, "audit/publicity/objection_form.html", {"form": form, "window": window, "title": "提出异议"})


@login_required
def objection_record(request: HttpRequest, pk: int) -> HttpResponse:
    window = selectors.window_get(user=request.user, pk=pk)
    if not selectors.may_manage(user=request.user, window=window):
        raise PermissionDenied("无权登记异议。")
    if request.method == "POST":
        form = ObjectionRecordForm(request.POST, entries=_running_entries(window))
        if form.is_valid():
            data = form.cleaned_data
            try:
                objection = services.objection_record(
                    acting_user=request.user, window=window, entry=data["entry"], content=data["content"],
                    channel=data["channel"], anonymous=data["anonymous"], on_behalf_of_name=data["on_behalf_of_name"],
                    received_on=data["received_on"],
                )
            except RuleViolation as violation:
                form.add_rule_violation(violation)
            else:
                messages.success(request, "异议已登记。")
                return redirect("audit:publicity:objection_detail", pk=objection.pk)
    else:
        form = ObjectionRecordForm(entries=_running_entries(window), initial={"received_on": china_today()})
    return render(request, "audit/publicity/objection_form.html", {"form": form, "window": window, "title": "登记异议"})


@login_required
def objection_list(request: HttpRequest) -> HttpResponse:
    """Officers and reviewers: the objections in their scope, pending first. Members: their own."""
    window = None
    if request.GET.get("window"):
        window = selectors.window_get(user=request.user, pk=request.GET["window"])
    form = ObjectionFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    objections = selectors.objection_list(user=request.user, window=window, status=status)
    page = Paginator(objections, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/publicity/objection_list.html", {
        "form": form, "page": page, "window": window,
        "is_office": selectors.has_office_scope(request.user),
    })


def _objection_context(request: HttpRequest, objection: Objection, **forms: Form) -> dict[str, Any]:
    window = objection.window
    may_manage = selectors.may_manage(user=request.user, window=window)
    pending = objection.status != ObjectionStatus.CONCLUDED
    return {
        "objection": objection,
        "window": window,
        "may_manage": may_manage,
        "may_read_investigation": selectors.may_read_objections(user=request.user, window=window),
        "investigate_form": forms.get("investigate_form") or (ObjectionInvestigateForm() if may_manage and pending else None),
        "conclude_form": forms.get("conclude_form") or (
            ObjectionConcludeForm(initial={"investigation": objection.investigation}) if may_manage and pending else None
        ),
    }


@login_required
def objection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    objection = selectors.objection_get(user=request.user, pk=pk)
    return render(request, "audit/publicity/objection_detail.html", _objection_context(request, objection))


def _managed_objection(request: HttpRequest, pk: int) -> Objection:
    objection = selectors.objection_get(user=request.user, pk=pk)
    if not selectors.may_manage(user=request.user, window=objection.window):
        raise PermissionDenied("无权办理异议。")
    return objection


@require_POST
@login_required
def objection_investigate(request: HttpRequest, pk: int) -> HttpResponse:
    objection = _managed_objection(request, pk)
    form = ObjectionInvestigateForm(request.POST)
    if form.is_valid():
        try:
            services.objection_investigate(acting_user=request.user, objection=objection,
                                           investigation=form.cleaned_data["investigation"])
        except RuleViolation as violation:
            form.add_rule_violation(violation)
        else:
            messages.success(request, "已记录调查核实进展。")
            return redirect("audit:publicity:objection_detail", pk=objection.pk)
    return render(request, "audit/publicity/objection_detail.html",
                  _objection_context(request, objection, investigate_form=form), status=400)


@require_POST
@login_required
def objection_conclude(request: HttpRequest, pk: int) -> HttpResponse:
    objection = _managed_objection(request, pk)
    form = ObjectionConcludeForm(request.POST)
    if form.is_valid():
        try:
            services.objection_conclude(acting_user=request.user, objection=objection,
                                        finding=form.cleaned_data["finding"],
                                        investigation=form.cleaned_data["investigation"])
        except RuleViolation as violation:
            form.add_rule_violation(violation)
        else:
            messages.success(request, "异议已办结。")
            return redirect("audit:publicity:objection_detail", pk=objection.pk)
    return render(request, "audit/publicity/objection_detail.html",
                  _objection_context(request, objection, conclude_form=form), status=400)
