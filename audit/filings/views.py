"""Filing pages: the reviewer queue, the sender's list, submit, detail with decide / withdraw / resubmit /
extend, the permission-checked material download, and the oversight dashboard (监督看板)."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from audit.accountability import selectors as case_selectors
from partyadmin.errors import RuleViolation
from partyadmin.files import stored_file_response
from partyadmin.forms import submitted
from partyadmin.workdays import china_today

from . import selectors, services
from .forms import (
    DecideForm,
    ExtendForm,
    FilingFilterForm,
    FilingSubmitForm,
    ResubmitForm,
    WithdrawForm,
    uploads_of,
)
from .models import Filing, FilingKind, FilingStatus

PAGE_SIZE = 20


def _require_scope(request: HttpRequest) -> None:
    if not selectors.has_filing_scope(request.user):
        raise Http404("页面不存在或无权访问。")


def _list(request: HttpRequest, *, side: str) -> HttpResponse:
    _require_scope(request)
    today = china_today()
    data = request.GET.copy()
    if side == "queue" and "status" not in data:
        data["status"] = FilingStatus.PENDING  # the queue opens on what waits; "全部" sends status=""
    form = FilingFilterForm(
        data or None,
        townships=selectors.townships_for_filter(user=request.user),
        senders=selectors.senders_for_filter(user=request.user),
    )
    if side == "queue":
        filings = selectors.filing_queue(user=request.user, today=today, filters=form.filters())
        title = "待办审核"
    else:
        filings = selectors.filing_sent(user=request.user, today=today, filters=form.filters())
        title = "本组织报送"
    page = Paginator(filings, PAGE_SIZE).get_page(request.GET.get("page"))
    query = data.copy()
    query.pop("page", None)
    context = {
        "form": form, "page": page, "query": query.urlencode(), "title": title, "side": side,
        "can_submit": selectors.organizations_for_submit(user=request.user).exists(),
        "decidable": {f.pk for f in page.object_list if selectors.may_decide(user=request.user, filing=f)},
    }
    template = "audit/filings/_table.html" if request.htmx else "audit/filings/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    return _list(request, side="queue")


@login_required
def sent(request: HttpRequest) -> HttpResponse:
    return _list(request, side="sent")


@login_required
def create(request: HttpRequest) -> HttpResponse:
    organizations = selectors.organizations_for_submit(user=request.user)
    if not organizations.exists():
        _require_scope(request)
        raise PermissionDenied("无权报送。")
    if request.method == "POST":
        form = FilingSubmitForm(request.POST, request.FILES, organizations=organizations)
        if form.is_valid():
            data = form.cleaned_data
            origin = data["from_organization"]
            try:
                filing = services.filing_submit(
                    acting_user=request.user, from_organization=origin, kind=data["kind"],
                    subject_type="branches.organization", subject_id=origin.pk, subject_label=origin.name,
                    title=data["title"], note=data["note"], materials=uploads_of(data["materials"]),
                )
            except RuleViolation as violation:
                form.add_rule_violation(violation)
            else:
                return redirect("audit:filings:detail", pk=filing.pk)
    else:
        initial = {"from_organization": organizations.first()} if organizations.count() == 1 else {}
        form = FilingSubmitForm(initial=initial, organizations=organizations)
    return render(request, "audit/filings/form.html", {"form": form, "title": "新建报送", "multipart": True})


def _detail_context(request: HttpRequest, filing: Filing, **forms: Any) -> dict[str, Any]:
    today = china_today()
    user = request.user
    may_decide = filing.is_pending and selectors.may_decide(user=user, filing=filing)
    return {
        "filing": filing,
        "today": today,
        "is_overdue": filing.is_pending and today > filing.deadline,
        "rounds": selectors.rounds_of(filing),
        "materials": selectors.materials_of(filing),
        "may_decide": may_decide,
        "may_extend": may_decide and filing.kind == FilingKind.APPROVE,
        "may_withdraw": selectors.may_withdraw(user=user, filing=filing),
        "may_resubmit": selectors.may_resubmit(user=user, filing=filing),
        "may_see_history": selectors.may_see_history(user=user, filing=filing),
        "decide_form": forms.get("decide_form") or DecideForm(),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
        "extend_form": forms.get("extend_form") or ExtendForm(),
    }


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    filing = selectors.filing_get(user=request.user, pk=pk)
    return render(request, "audit/filings/detail.html", _detail_context(request, filing))


@require_POST
@login_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    filing = selectors.filing_get(user=request.user, pk=pk)
    if not selectors.may_decide(user=request.user, filing=filing):
        raise PermissionDenied("无权办理此事项。")
    form = DecideForm(request.POST)
    if submitted(form, lambda: services.filing_decide(
            acting_user=request.user, filing=filing, decision=form.cleaned_data["decision"],
            opinion=form.cleaned_data["opinion"]
    )):
        return redirect("audit:filings:detail", pk=filing.pk)
    return render(request, "audit/filings/detail.html", _detail_context(request, filing, decide_form=form))


@require_POST
@login_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    filing = selectors.filing_get(user=request.user, pk=pk)
    if not selectors.may_submit(user=request.user, organization=filing.from_organization):
        raise PermissionDenied("无权撤回此事项。")
    form = WithdrawForm(request.POST)
    if submitted(form, lambda: services.filing_withdraw(
            acting_user=request.user, filing=filing, reason=form.cleaned_data["reason"]
    )):
        return redirect("audit:filings:detail", pk=filing.pk)
    return render(request, "audit/filings/detail.html", _detail_context(request, filing, withdraw_form=form))


@require_POST
@login_required
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    filing = selectors.filing_get(user=request.user, pk=pk)
    if not selectors.may_decide(user=request.user, filing=filing):
        raise PermissionDenied("无权延长此事项的期限。")
    form = ExtendForm(request.POST)
    if submitted(form, lambda: services.filing_extend(
            acting_user=request.user, filing=filing, until=form.cleaned_data["until"],
            reason=form.cleaned_data["reason"]
    )):
        return redirect("audit:filings:detail", pk=filing.pk)
    return render(request, "audit/filings/detail.html", _detail_context(request, filing, extend_form=form))


@login_required
def resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    filing = selectors.filing_get(user=request.user, pk=pk)
    if not selectors.may_submit(user=request.user, organization=filing.from_organization):
        raise PermissionDenied("无权重新报送此事项。")
    if request.method == "POST":
        form = ResubmitForm(request.POST, request.FILES)
        if submitted(form, lambda: services.filing_resubmit(
                acting_user=request.user, filing=filing, note=form.cleaned_data["note"],
                materials=uploads_of(form.cleaned_data["materials"])
        )):
            return redirect("audit:filings:detail", pk=filing.pk)
    else:
        form = ResubmitForm(initial={"note": filing.note})
    return render(request, "audit/filings/form.html",
                  {"form": form, "filing": filing, "title": "重新报送", "multipart": True})


@never_cache
@login_required
def material_download(request: HttpRequest, pk: int) -> FileResponse:
    """Materials are served only here, after the scope check; never from a static or media URL."""
    material = selectors.material_get(user=request.user, pk=pk)
    response = stored_file_response(material.file, content_type=material.content_type,
                                    filename=material.original_name)
    services.material_download_record(acting_user=request.user, material=material)
    return response


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """监督看板: filings by status and township, overdue filings and accountability cases."""
    has_filings = selectors.has_filing_scope(request.user)
    has_cases = case_selectors.has_case_scope(request.user)
    if not (has_filings or has_cases):
        raise Http404("页面不存在或无权访问。")
    today = china_today()
    board = selectors.dashboard(user=request.user, today=today)
    cases = case_selectors.dashboard_counts(user=request.user, today=today) if has_cases else None
    chart = {
        "labels": [row.name for row in board.townships],
        "overdue": [row.overdue for row in board.townships],
        "pending": [row.counts[FilingStatus.PENDING] for row in board.townships],
    }
    return render(request, "audit/filings/dashboard.html", {
        "board": board, "cases": cases, "chart": chart, "today": today, "statuses": FilingStatus.choices,
        "status_cards": [(label, board.totals[code]) for code, label in FilingStatus.choices],
    })
