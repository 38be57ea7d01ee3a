"""Checklist pages: the index (rounds, the user's checklists, the queue), the checklist with self and review
scores side by side, the county table with charts, the PDF of the filled table, templates, evidence,
rectification, award eligibility, and the discipline of a committee seat.

Out of scope is a 404 (the selectors); a page the user can see but an action they may not take is a 403.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from branches import committee_selectors, scoping
from branches.committee_forms import SeatDisciplineForm
from branches.scoping import Action
from partyadmin.documents import pdf_response
from partyadmin.errors import RuleViolation
from partyadmin.files import stored_file_response
from partyadmin.forms import performed, submitted
from partyadmin.workdays import china_today

from . import selectors, services
from .forms import (
    EligibilityForm,
    EvidenceForm,
    OpinionForm,
    RectificationForm,
    ReviewVetoForm,
    RoundForm,
    ScoreParseError,
    SubmitForm,
    TemplateUploadForm,
    VetoDeclareForm,
    parse_scores,
)
from .models import Assessment, AssessmentStatus


def _require_scope(request: HttpRequest) -> None:
    if not selectors.has_scope(request.user):
        raise Http404("页面不存在或无权访问。")


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _require_scope(request)
    counties = selectors.counties_for_manage(user=request.user)
    form = None
    if counties:
        form = RoundForm(initial={"year": china_today().year, "county": counties[0].pk},
                         counties=scoping.organizations_for(request.user, Action.VIEW_ORGANIZATION)
                         .filter(pk__in=[c.pk for c in counties]),
                         templates=selectors.templates_for(user=request.user))
    return render(request, "branches/standards/index.html", {
        "rounds": selectors.rounds_for(user=request.user)[:20],
        "mine": selectors.assessment_list(user=request.user).filter(
            organization__path__in=[g.path for g in scoping.grants_of(request.user)])[:20],
        "queue_count": selectors.queue(user=request.user).count(),
        "round_form": form,
        "rectifications": selectors.rectifications(user=request.user).filter(status="open")[:20],
    })


@require_POST
@login_required
def round_create(request: HttpRequest) -> HttpResponse:
    counties = selectors.counties_for_manage(user=request.user)
    if not counties:
        raise Http404("页面不存在或无权访问。")
    form = RoundForm(request.POST, counties=scoping.organizations_for(request.user, Action.VIEW_ORGANIZATION)
                     .filter(pk__in=[c.pk for c in counties]), templates=selectors.templates_for(user=request.user))
    result: dict[str, Any] = {}

    def action() -> None:
        result["round"] = services.round_open(acting_user=request.user, **form.cleaned_data)

    if submitted(form, action):
        messages.success(request, f"已发起{form.cleaned_data['year']}年度考核。")
        return redirect("standards:round", pk=result["round"].pk)
    for error in form.errors.values():
        messages.error(request, "；".join(error))
    return redirect("standards:index")


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    _require_scope(request)
    return render(request, "branches/standards/queue.html", {"rows": selectors.queue(user=request.user)[:200]})


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.round_get(user=request.user, pk=pk)
    status = request.GET.get("status", "")
    table = selectors.county_table(user=request.user, round_=round_,
                                   status=status if status in AssessmentStatus.values else "")
    return render(request, "branches/standards/round.html", {
        "round": round_, "table": table, "chart": table.chart(),
        "statuses": AssessmentStatus.choices, "status": status,
    })


def _assessment_context(request: HttpRequest, assessment: Assessment, **extra: Any) -> dict[str, Any]:
    rows = selectors.items_of(assessment)
    evidence = selectors.evidence_of(assessment)
    by_item: dict[int, list] = {}
    by_veto: dict[int, list] = {}
    for e in evidence:
        if e.item_id:
            by_item.setdefault(e.item_id, []).append(e)
        if e.veto_id:
            by_veto.setdefault(e.veto_id, []).append(e)
    for row in rows:
        row.evidence_list = by_item.get(row.item_id, [])
    vetoes = selectors.vetoes_of(assessment)
    for v in vetoes:
        v.evidence_list = by_veto.get(v.veto_id, [])
    return {
        "assessment": assessment,
        "sections": selectors.section_rows(assessment, rows),
        "vetoes": vetoes,
        "template": assessment.round.template,
        "may_self": selectors.may_self_assess(user=request.user, assessment=assessment),
        "may_review": selectors.may_review(user=request.user, assessment=assessment),
        "may_report": selectors.may_report(user=request.user, assessment=assessment),
        "may_rate": selectors.may_rate(user=request.user, assessment=assessment),
        "rectification": getattr(assessment, "rectification", None) if assessment.passed is False else None,
        "may_rectify": scoping.can(request.user, Action.CHANGE_MEMBER, assessment.organization),
        "evidence_form": EvidenceForm(),
        "opinion_form": OpinionForm(),
        "submit_form": SubmitForm(),
        "error": "",
        **extra,
    }


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    return render(request, "branches/standards/assessment.html", _assessment_context(request, assessment))


def _run(request: HttpRequest, assessment: Assessment, action: Any, success: str) -> HttpResponse:
    performed(request, action, success)
    return redirect("standards:assessment", pk=assessment.pk)


def _for_self(request: HttpRequest, pk: int) -> Assessment:
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    if not scoping.can(request.user, Action.CHANGE_MEMBER, assessment.organization):
        raise PermissionDenied("无权修改该支部的自评。")
    return assessment


def _for_review(request: HttpRequest, pk: int) -> Assessment:
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    if not selectors.may_review(user=request.user, assessment=assessment):
        raise PermissionDenied("无权考核评分。")
    return assessment


@require_POST
@login_required
def prefill(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _for_self(request, pk)
    return _run(request, assessment, lambda: services.assessment_prefill(acting_user=request.user,
                                                                         assessment=assessment),
                "已根据组织生活、委员会、党费和党员名册记录预填。")


@require_POST
@login_required
def scores(request: HttpRequest, pk: int) -> HttpResponse:
    """Saves the score column the user holds: 自评分 (the branch) or 考核分 (the examiners)."""
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    review = request.POST.get("column") == "review"
    if review:
        assessment = _for_review(request, pk)
    else:
        assessment = _for_self(request, pk)
    rows = selectors.items_of(assessment)
    try:
        entries = parse_scores(request.POST, rows)
        if review:
            services.review_scores_save(acting_user=request.user, assessment=assessment, entries=entries)
        else:
            services.self_scores_save(acting_user=request.user, assessment=assessment, entries=entries)
    except (ScoreParseError, RuleViolation) as error:
        message = error.message if isinstance(error, RuleViolation) else str(error)
        messages.error(request, message)
        return render(request, "branches/standards/assessment.html",
                      _assessment_context(request, assessment, error=message, posted=request.POST), status=400)
    messages.success(request, "考核分已保存。" if review else "自评分已保存。")
    return redirect("standards:assessment", pk=assessment.pk)


def _veto_row(assessment: Assessment, veto_pk: int) -> Any:
    row = assessment.vetoes.select_related("veto").filter(pk=veto_pk).first()
    if row is None:
        raise Http404("对象不存在或无权访问。")
    return row


@require_POST
@login_required
def veto_declare(request: HttpRequest, pk: int, veto_pk: int) -> HttpResponse:
    assessment = _for_self(request, pk)
    row = _veto_row(assessment, veto_pk)
    form = VetoDeclareForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择申报情况。")
        return redirect("standards:assessment", pk=assessment.pk)
    return _run(request, assessment, lambda: services.veto_declare(
        acting_user=request.user, assessment=assessment, veto_row=row, **form.cleaned_data), "已申报。")


@require_POST
@login_required
def veto_review(request: HttpRequest, pk: int, veto_pk: int) -> HttpResponse:
    assessment = _for_review(request, pk)
    row = _veto_row(assessment, veto_pk)
    form = ReviewVetoForm(request.POST)
    form.is_valid()
    return _run(request, assessment, lambda: services.review_veto_set(
        acting_user=request.user, assessment=assessment, veto_row=row, found=form.cleaned_data.get("found"),
        note=form.cleaned_data.get("note", "")), "已认定。")


@require_POST
@login_required
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _for_self(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请填写材料名称，并上传文件或填写链接。")
        return redirect("standards:assessment", pk=assessment.pk)
    kind, _, raw = form.cleaned_data["target"].partition(":")
    template = assessment.round.template
    item = template.items.filter(pk=raw).first() if kind == "item" and raw.isdigit() else None
    veto = template.vetoes.filter(pk=raw).first() if kind == "veto" and raw.isdigit() else None
    if item is None and veto is None:
        raise Http404("对象不存在或无权访问。")
    return _run(request, assessment, lambda: services.evidence_add(
        acting_user=request.user, assessment=assessment, title=form.cleaned_data["title"], item=item, veto=veto,
        url=form.cleaned_data["url"], upload=form.cleaned_data.get("file")), "已添加佐证材料。")


@require_POST
@login_required
def evidence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = selectors.evidence_get(user=request.user, pk=pk)
    assessment = _for_self(request, evidence.assessment_id)
    return _run(request, assessment, lambda: services.evidence_remove(acting_user=request.user, evidence=evidence),
                "已删除佐证材料。")


@login_required
def evidence_file(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = selectors.evidence_get(user=request.user, pk=pk)
    from audit.filings import rules as filing_rules

    material = filing_rules.MATERIAL_TYPES.get(evidence.file_type)
    return stored_file_response(evidence.file,
                                content_type=material.content_type if material else "application/octet-stream")


@require_POST
@login_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _for_self(request, pk)
    form = SubmitForm(request.POST)
    form.is_valid()
    return _run(request, assessment, lambda: services.assessment_submit(
        acting_user=request.user, assessment=assessment, note=form.cleaned_data.get("note", "")),
        "已提交基层党委考核。")


@require_POST
@login_required
def decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """report / return (the committee), rate / county_return (the county)."""
    assessment = _for_review(request, pk)
    form = OpinionForm(request.POST)
    form.is_valid()
    opinion = form.cleaned_data.get("opinion", "")
    actions = {
        "report": (services.committee_report, "已考核并报送县委组织部。"),
        "return": (services.committee_return, "已退回支部修改。"),
        "rate": (services.county_rate, "已验收评定，结果进入公示。"),
        "county_return": (services.county_return, "已退回基层党委。"),
    }
    if action not in actions:
        raise Http404("页面不存在。")
    service, message = actions[action]
    if action in ("return", "county_return") and not opinion.strip():
        messages.error(request, "退回须填写意见。")
        return redirect("standards:assessment", pk=assessment.pk)
    return _run(request, assessment, lambda: service(acting_user=request.user, assessment=assessment,
                                                     opinion=opinion), message)


@login_required
def assessment_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    rows = selectors.items_of(assessment)
    context = {"assessment": assessment, "template": assessment.round.template,
               "sections": selectors.section_rows(assessment, rows), "vetoes": selectors.vetoes_of(assessment),
               "title": assessment.round.template.name, "issuer": assessment.round.template.issuer}
    return pdf_response("branches/standards/documents/checklist.html", context,
                        filename=f"{assessment.organization.name}{assessment.year}年度规范化建设考核细则.pdf")


# --- templates ----------------------------------------------------------------------------------------------


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    _require_scope(request)
    counties = selectors.counties_for_manage(user=request.user)
    form = None
    if counties:
        county_qs = scoping.organizations_for(request.user, Action.VIEW_ORGANIZATION).filter(
            pk__in=[c.pk for c in counties])
        form = TemplateUploadForm(request.POST or None, request.FILES or None, counties=county_qs)
        if request.method == "POST":
            def action() -> None:
                services.template_load(acting_user=request.user, data=form.cleaned_data["file"],
                                       county=form.cleaned_data["county"])
            if submitted(form, action):
                messages.success(request, "已导入考核细则。")
                return redirect("standards:templates")
    elif request.method == "POST":
        raise PermissionDenied("无权导入考核细则。")
    return render(request, "branches/standards/templates.html",
                  {"templates": selectors.templates_for(user=request.user), "form": form})


@login_required
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    template = selectors.template_get(user=request.user, pk=pk)
    if request.GET.get("format") == "json":
        response = JsonResponse(template.source, json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = f'attachment; filename="{template.code}-v{template.version}.json"'
        return response
    return render(request, "branches/standards/template_detail.html",
                  {"template": template, "sections": selectors.template_sections(template),
                   "vetoes": list(template.vetoes.order_by("order"))})


# --- rectification, eligibility, discipline ---------------------------------------------------------------


@require_POST
@login_required
def rectification_report(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.rectification_get(user=request.user, pk=pk)
    if not scoping.can(request.user, Action.CHANGE_MEMBER, task.organization):
        raise PermissionDenied("无权报告整改情况。")
    form = RectificationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写整改情况。")
        return redirect("standards:assessment", pk=task.assessment_id)
    return _run(request, task.assessment, lambda: services.rectification_report(
        acting_user=request.user, task=task, report=form.cleaned_data["report"]), "已报告整改情况。")


@login_required
def eligibility(request: HttpRequest) -> HttpResponse:
    """评先评优资格: "建成规范化建设合格支部将成为党支部、党支部书记参加区级以上评先评优的必要条件"."""
    _require_scope(request)
    organizations = scoping.organizations_for(request.user, Action.VIEW_MEMBER).filter(kind="branch", is_active=True)
    form = EligibilityForm(request.GET or None, organizations=organizations.order_by("path"),
                           initial={"year": china_today().year - 1})
    verdict = None
    if request.GET and form.is_valid():
        try:
            services.award_eligibility_check(**form.cleaned_data)
            verdict = (True, f"{form.cleaned_data['organization'].name}是{form.cleaned_data['year']}年度党支部规范化建设"
                             "合格支部，具备参加区级以上评先评优的资格。")
        except RuleViolation as violation:
            verdict = (False, violation.message)
    return render(request, "branches/standards/eligibility.html", {"form": form, "verdict": verdict})


@require_POST
@login_required
def seat_discipline(request: HttpRequest, pk: int) -> HttpResponse:
    seat = committee_selectors.seat_get(user=request.user, pk=pk)
    if not committee_selectors.may_manage_committee(user=request.user, organization=seat.organization):
        raise PermissionDenied("无权修改委员信息。")
    form = SeatDisciplineForm(request.POST)
    if submitted(form, lambda: services.seat_discipline_set(acting_user=request.user, seat=seat,
                                                            discipline=form.cleaned_data["discipline"])):
        messages.success(request, "已保存党纪处分情况。")
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors) or "保存失败。")
    return redirect("committee:page", pk=seat.organization_id)

