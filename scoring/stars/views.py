"""Ranking and stars pages: the branch hub, the frozen quarter ranking, the year-end proposal with its
quota bars, tie flags and the decision form, publicity and finalization, consequences, democratic
evaluation, the reviewer's overview and the member's own stars, plus the printable forms.

Out of scope is a 404 (the selectors); a page the user can see but an action they may not take is a 403.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from branches.models import Organization
from branches.scoping import Action, organizations_for
from membership.models import Member
from partyadmin.documents import pdf_response
from partyadmin.errors import RuleViolation
from partyadmin.forms import DateInput, StyledFormMixin, performed, submitted
from partyadmin.workdays import china_today

from . import rules, selectors, services
from .models import ConsequenceStatus, ProposalStatus


class YearForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)


class DecisionMetaForm(StyledFormMixin, forms.Form):
    meeting_on = forms.DateField(label="党员大会日期", widget=DateInput())
    note = forms.CharField(label="决定说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label="办理情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class EvaluationOpenForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label="评议年度", min_value=2000, max_value=2100)
    held_on = forms.DateField(label="评议日期", widget=DateInput())


GRADE_CHOICES = [("", "—")] + [(g, g) for g in rules.EVALUATION_GRADES]


class EvaluationResultForm(StyledFormMixin, forms.Form):
    person = forms.TypedChoiceField(label="党员", coerce=int)
    self_grade = forms.ChoiceField(label="个人自评", choices=GRADE_CHOICES, required=False)
    excellent = forms.IntegerField(label="优秀票", min_value=0, initial=0)
    qualified = forms.IntegerField(label="合格票", min_value=0, initial=0)
    basic = forms.IntegerField(label="基本合格票", min_value=0, initial=0)
    unqualified = forms.IntegerField(label="不合格票", min_value=0, initial=0)
    mass_good = forms.IntegerField(label="群众评“好”", min_value=0, initial=0)
    mass_fair = forms.IntegerField(label="群众评“一般”", min_value=0, initial=0)
    mass_poor = forms.IntegerField(label="群众评“差”", min_value=0, initial=0)

    def __init__(self, *args: Any, members: list[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(m.person_id, m.person.name) for m in members]


def _require_manage(request: HttpRequest, organization: Organization) -> None:
    if not selectors.may_manage(user=request.user, organization=organization):
        raise PermissionDenied("只有支部书记、支部委员可以办理。")


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year") or china_today().year)
    except ValueError:
        return china_today().year


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """排名定星: the branches the user may look at; officers land on their branch."""
    branches = list(organizations_for(request.user, selectors.READ).filter(kind__in=["branch", "general_branch"])
                    .order_by("path")[:200])
    if len(branches) == 1:
        return redirect("stars:branch", branches[0].pk)
    if not branches:
        if Member.objects.filter(person__user=request.user, is_active=True).exists():
            return redirect("stars:my_stars")
        raise Http404("页面不存在或无权访问。")
    return render(request, "scoring/stars/home.html", {"branches": branches})


@login_required
def branch(request: HttpRequest, pk: int) -> HttpResponse:
    organization = selectors.branch_get(user=request.user, pk=pk)
    return render(request, "scoring/stars/branch.html", {
        "organization": organization,
        "freezes": list(selectors.freezes_of(user=request.user, organization=organization)[:12]),
        "proposals": list(selectors.proposals_of(user=request.user, organization=organization)[:10]),
        "evaluations": list(selectors.evaluations_of(user=request.user, organization=organization)[:10]),
        "open_consequences": selectors.consequences_of(user=request.user, organization=organization,
                                                       status=ConsequenceStatus.OPEN).count(),
        "can_manage": selectors.may_manage(user=request.user, organization=organization),
        "this_year": china_today().year,
        "evaluation_form": EvaluationOpenForm(initial={"year": china_today().year, "held_on": china_today()}),
    })


@login_required
def quarter(request: HttpRequest, pk: int) -> HttpResponse:
    freeze = selectors.freeze_get(user=request.user, pk=pk)
    results = list(selectors.freeze_results(freeze))
    return render(request, "scoring/stars/quarter.html", {"freeze": freeze, "results": results,
                                                           "analysis": freeze.analysis})


@login_required
def quarter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    freeze = selectors.freeze_get(user=request.user, pk=pk)
    kind = request.GET.get("kind", "form")
    results = list(selectors.freeze_results(freeze))
    context = {"title": f"党员积分管理审核表（{freeze.label}）", "organization": freeze.organization,
               "period": freeze.label, "results": results, "analysis": freeze.analysis, "issuer": freeze.organization.name,
               "today": china_today()}
    if kind == "notice":
        context["title"] = f"{freeze.label}党员积分排名公示"
        context["results"] = [r for r in results if r.is_member]
        return pdf_response("scoring/stars/documents/ranking_notice.html", context,
                            filename=f"ranking-{freeze.year}-q{freeze.quarter}.pdf")
    return pdf_response("scoring/stars/documents/audit_form.html", context,
                        filename=f"audit-{freeze.year}-q{freeze.quarter}.pdf")


def _proposal_context(request: HttpRequest, proposal, **extra: Any) -> dict[str, Any]:
    policy = proposal.star_policy
    rows = list(selectors.proposal_rows(proposal))
    choices = [(lv, policy.label_of(lv)) for lv in sorted(set(policy.levels) | {policy.veto_level}, reverse=True)]
    for row in rows:
        row.proposed_label = policy.label_of(row.proposed_level) if not row.exclusion else "不参评"
        row.level_label = policy.label_of(row.level) if not row.exclusion else "不参评"
        row.exclusion_label = rules.EXCLUSION_LABELS.get(row.exclusion, "")
    bars = []
    for quota in proposal.quotas:
        decided = sum(1 for r in rows if not r.exclusion and r.level == quota["level"])
        seats = quota["seats"] or 0
        bars.append({**quota, "decided": decided,
                     "percent": min(100, round(100 * decided / seats)) if seats else (100 if decided else 0),
                     "over": decided > seats})
    from audit.publicity.models import PublicityWindow

    window = PublicityWindow.objects.filter(pk=proposal.publicity_id).first() if proposal.publicity_id else None
    context = {
        "proposal": proposal, "policy": policy, "rows": rows, "choices": choices, "bars": bars,
        "window": window, "can_manage": selectors.may_manage(user=request.user, organization=proposal.organization),
        "meta_form": DecisionMetaForm(initial={"meeting_on": proposal.meeting_on or china_today(),
                                               "note": proposal.decision_note}),
        "editable": proposal.status in (ProposalStatus.PROPOSED, ProposalStatus.DECIDED),
        "ties": [r for r in rows if r.tie],
        "warnings": [w for w in proposal.warnings if not (w.startswith("有积分并列") and any(r.tie for r in rows))],
    }
    context.update(extra)
    return context


@login_required
def proposal(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(user=request.user, pk=pk)
    return render(request, "scoring/stars/proposal.html", _proposal_context(request, proposal))


def _parse_level(raw: str | None) -> int | None:
    if raw in (None, "", "none"):
        return None
    try:
        return int(raw)
    except ValueError:
        raise RuleViolation("stars.level", "等次无效。") from None


@login_required
@require_POST
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(user=request.user, pk=pk)
    _require_manage(request, proposal.organization)
    form = DecisionMetaForm(request.POST)
    levels, reasons = {}, {}
    for row in proposal.rows.all():
        if row.exclusion:
            continue
        try:
            levels[row.pk] = _parse_level(request.POST.get(f"level_{row.pk}", str(row.proposed_level)))
        except RuleViolation as violation:
            form.add_error(None, violation.message)
        reasons[row.pk] = request.POST.get(f"reason_{row.pk}", "")
    if not form.errors and submitted(form, lambda: services.proposal_decide(
            acting_user=request.user, proposal=proposal, meeting_on=form.cleaned_data["meeting_on"], levels=levels,
            reasons=reasons, note=form.cleaned_data["note"])):
        messages.success(request, "已记录党员大会的定星决定。")
        return redirect("stars:proposal", proposal.pk)
    context = _proposal_context(request, proposal, meta_form=form, posted_levels=levels, posted_reasons=reasons)
    for row in context["rows"]:
        if row.pk in levels:
            row.level = levels[row.pk]
        row.posted_reason = reasons.get(row.pk, "")
    return render(request, "scoring/stars/proposal.html", context, status=400)


def _simple_action(request: HttpRequest, pk: int, action, success: str) -> HttpResponse:
    proposal = selectors.proposal_get(user=request.user, pk=pk)
    _require_manage(request, proposal.organization)
    performed(request, lambda: action(proposal), success)
    return redirect("stars:proposal", proposal.pk)


@login_required
@require_POST
def proposal_publicize(request: HttpRequest, pk: int) -> HttpResponse:
    return _simple_action(request, pk, lambda p: services.proposal_publicize(acting_user=request.user, proposal=p),
                          "定星结果已开始公示。")


@login_required
@require_POST
def proposal_finalize(request: HttpRequest, pk: int) -> HttpResponse:
    return _simple_action(request, pk, lambda p: services.proposal_finalize(acting_user=request.user, proposal=p),
                          "定星结果已确定，后续措施已列入待办。")


@login_required
@require_POST
def proposal_recompute(request: HttpRequest, pk: int) -> HttpResponse:
    return _simple_action(request, pk, lambda p: services.proposal_recompute(acting_user=request.user, proposal=p),
                          "已按最新积分重新计算定星建议。")


@login_required
@require_POST
def branch_rollup(request: HttpRequest, pk: int) -> HttpResponse:
    """计算年度定星建议 for one branch (the January job does every branch of the county)."""
    organization = selectors.branch_get(user=request.user, pk=pk)
    _require_manage(request, organization)
    form = YearForm(request.POST)
    if not form.is_valid() or form.cleaned_data["year"] > china_today().year:
        messages.error(request, "年度无效。")
        return redirect("stars:branch", organization.pk)
    year = form.cleaned_data["year"]
    services.rollup_branches(organization_ids=[organization.pk], year=year)
    found = selectors.proposals_of(user=request.user, organization=organization).filter(year=year).first()
    if found is None:
        messages.error(request, f"本支部没有已公布的{year}年度积分方案或定星规则。")
        return redirect("stars:branch", organization.pk)
    from audit.services import record

    record(actor=request.user, action="stars.recompute", organization=organization, subject=found,
           changes={"year": [None, year]})
    return redirect("stars:proposal", found.pk)


@login_required
def proposal_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(user=request.user, pk=pk)
    context = _proposal_context(request, proposal)
    context.update({"issuer": proposal.organization.name, "today": china_today(), "organization": proposal.organization})
    if request.GET.get("kind") == "notice":
        if proposal.status not in (ProposalStatus.DECIDED, ProposalStatus.PUBLICIZED, ProposalStatus.FINAL):
            raise Http404("页面不存在或无权访问。")
        context["title"] = f"{proposal.year}年度党员星级评定结果公示"
        context["rows"] = [r for r in context["rows"] if not r.exclusion and r.level is not None]
        return pdf_response("scoring/stars/documents/star_notice.html", context, filename=f"stars-{proposal.year}.pdf")
    context.update({"title": f"党员积分管理审核表（{proposal.year}年度）", "period": f"{proposal.year}年度",
                    "results": context["rows"], "yearly": True})
    return pdf_response("scoring/stars/documents/audit_form.html", context,
                        filename=f"audit-{proposal.year}.pdf")


@login_required
def consequences(request: HttpRequest, pk: int) -> HttpResponse:
    organization = selectors.branch_get(user=request.user, pk=pk)
    status = request.GET.get("status", ConsequenceStatus.OPEN)
    if status not in ConsequenceStatus.values:
        status = ConsequenceStatus.OPEN
    items = list(selectors.consequences_of(user=request.user, organization=organization, status=status)[:200])
    return render(request, "scoring/stars/consequences.html", {
        "organization": organization, "items": items, "status": status, "statuses": ConsequenceStatus.choices,
        "can_manage": selectors.may_manage(user=request.user, organization=organization), "form": ResolveForm(),
        "today": china_today(),
    })


@login_required
@require_POST
def consequence_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.consequence_get(user=request.user, pk=pk, action=selectors.READ)
    _require_manage(request, item.organization)
    form = ResolveForm(request.POST)
    if submitted(form, lambda: services.consequence_resolve(acting_user=request.user, consequence=item,
                                                             note=form.cleaned_data["note"])):
        messages.success(request, "已办结。")
    else:
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("stars:consequences", item.organization_id)


@login_required
@require_POST
def evaluation_create(request: HttpRequest, pk: int) -> HttpResponse:
    organization = selectors.branch_get(user=request.user, pk=pk)
    _require_manage(request, organization)
    form = EvaluationOpenForm(request.POST)
    created = {}
    if submitted(form, lambda: created.setdefault("e", services.evaluation_open(
            acting_user=request.user, organization=organization, year=form.cleaned_data["year"],
            held_on=form.cleaned_data["held_on"]))):
        return redirect("stars:evaluation", created["e"].pk)
    messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("stars:branch", organization.pk)


def _evaluation_members(evaluation) -> list[Member]:
    return list(Member.objects.filter(organization=evaluation.organization, is_active=True)
                .select_related("person").order_by("person__name", "pk"))


@login_required
def evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.evaluation_get(user=request.user, pk=pk)
    members = _evaluation_members(item)
    can_manage = selectors.may_manage(user=request.user, organization=item.organization)
    form = EvaluationResultForm(members=members)
    status = 200
    if request.method == "POST":
        _require_manage(request, item.organization)
        form = EvaluationResultForm(request.POST, members=members)
        if form.is_valid():
            person = next(m.person for m in members if m.person_id == form.cleaned_data["person"])
            data = form.cleaned_data
            if submitted(form, lambda: services.evaluation_record(
                    acting_user=request.user, evaluation=item, person=person, self_grade=data["self_grade"],
                    member_votes={"优秀": data["excellent"], "合格": data["qualified"], "基本合格": data["basic"],
                                  "不合格": data["unqualified"]},
                    mass_opinions={"好": data["mass_good"], "一般": data["mass_fair"], "差": data["mass_poor"]})):
                messages.success(request, f"已登记{person.name}的评议结果。")
                return redirect("stars:evaluation", item.pk)
        status = 400
    results = list(item.results.select_related("person").order_by("person__name"))
    return render(request, "scoring/stars/evaluation.html", {
        "evaluation": item, "results": results, "form": form, "can_manage": can_manage,
        "missing": [m for m in members if m.person_id not in {r.person_id for r in results}],
    }, status=status)


@login_required
@require_POST
def evaluation_close(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.evaluation_get(user=request.user, pk=pk)
    _require_manage(request, item.organization)
    performed(request, lambda: services.evaluation_close(acting_user=request.user, evaluation=item),
              "民主评议已完成，评议等次已计入积分。")
    return redirect("stars:evaluation", item.pk)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Reviewer: rollup progress and the star distribution per branch across the subtree."""
    if not organizations_for(request.user, Action.VIEW_MEMBER).exists():
        raise Http404("页面不存在或无权访问。")
    year = (_year(request) if request.GET.get("year")
            else selectors.latest_proposal_year(user=request.user) or china_today().year)
    data = selectors.subtree_overview(user=request.user, year=year)
    levels = [5, 4, 3, 2, 1, 0]
    names = {5: "五星/优秀", 4: "四星/良好", 3: "三星/合格", 2: "二星/基本合格", 1: "一星/不合格", 0: "未评星"}
    chart = {
        "branches": [b["name"] for b in data["branches"]],
        "series": [{"name": names[lv], "data": [b["levels"].get(lv, 0) for b in data["branches"]]} for lv in levels],
    }
    return render(request, "scoring/stars/overview.html", {
        "year": year, "data": data, "chart": chart, "headers": [names[lv] for lv in levels],
        "table": [{"id": b["id"], "name": b["name"], "counts": [b["levels"].get(lv, 0) for lv in levels]}
                  for b in data["branches"]],
        "statuses": [(data["status_labels"][k], v) for k, v in data["status_counts"].items()],
    })


@login_required
def my_stars(request: HttpRequest) -> HttpResponse:
    member = Member.objects.filter(person__user=request.user, is_active=True).select_related("person").first()
    if member is None:
        raise Http404("页面不存在或无权访问。")
    rows = []
    for row in selectors.my_star_rows(person_id=member.person_id):
        try:
            label = rules.parse_policy(row.proposal.policy).label_of(row.level)
        except rules.PolicyError:
            label = ""
        rows.append({"year": row.year, "label": label, "total": row.total, "base": row.base, "bonus": row.bonus,
                     "deduction": row.deduction, "rank": row.branch_rank, "organization": row.organization.name,
                     "final": row.proposal.status == ProposalStatus.FINAL})
    return render(request, "scoring/stars/mine.html", {
        "member": member, "rows": rows, "quarters": list(selectors.my_quarters(person_id=member.person_id)[:8]),
    })
