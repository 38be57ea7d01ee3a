"""Points pages: the member's own score, declaration and appeal (phone first); the secretary's and clerk's
schemes, ledger, batch entry, confirmation queue and appeals. Out of scope is a 404 (the selectors); a
page the user can see but an action they may not take is a 403.
"""

import json
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from audit.services import record
from partyadmin.errors import RuleViolation
from partyadmin.files import stored_file_response
from partyadmin.forms import performed, submitted
from partyadmin.workdays import china_today

from . import selectors, services
from .forms import (
    AnnounceForm,
    AppealAnswerForm,
    AppealForm,
    DecideForm,
    DeclareForm,
    EntryBatchForm,
    ItemForm,
    SchemeCreateForm,
    SchemeSettingsForm,
    SuggestForm,
)
from .models import AppealStatus, Item, SectionKind
from .services import EvidenceUpload


def _year(request: HttpRequest, default: int) -> int:
    try:
        year = int(request.GET.get("year", default))
    except (TypeError, ValueError):
        return default
    return year if 2000 <= year <= 2100 else default


def _years(today: date) -> list[int]:
    return [today.year - 2, today.year - 1, today.year]


def _chart(score: Any) -> str:
    if score is None or score.score is None:
        return "null"
    quarters = score.score.quarters
    return json.dumps({"labels": ["一季度", "二季度", "三季度", "四季度"],
                       "values": [float(quarters[q].total) for q in (1, 2, 3, 4)]})


# --- the member ------------------------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    today = china_today()
    year = _year(request, today.year)
    score = selectors.my_score(user=request.user, year=year, today=today)
    if score is None:
        if selectors.has_points_scope(request.user):
            return redirect("scoring:index")
        raise Http404("页面不存在或无权访问。")
    appeals = list(selectors.appeal_list(user=request.user).filter(raised_by=request.user)[:10])
    return render(request, "scoring/mine.html", {
        "s": score, "year": year, "chart": _chart(score), "own": True, "appeals": appeals,
        "years": _years(today),
        "can_declare": score.scheme is not None and bool(selectors.declarable_items(score.scheme)),
        "can_suggest": score.scheme is not None and bool(selectors.suggestable_items(score.scheme)),
    })


def _member_scheme(request: HttpRequest):  # type: ignore[no-untyped-def]
    today = china_today()
    person = selectors.own_person(request.user)
    scheme = selectors.scheme_for_member(user=request.user, year=today.year)
    if person is None or scheme is None:
        raise Http404("页面不存在或无权访问。")
    return person, scheme


@login_required
def declare(request: HttpRequest) -> HttpResponse:
    person, scheme = _member_scheme(request)
    items = scheme.items.filter(is_active=True, allow_declaration=True).order_by("order", "pk")
    form = DeclareForm(request.POST or None, request.FILES or None, items=items)

    def action() -> None:
        data = form.cleaned_data
        services.entry_declare(
            acting_user=request.user, person=person, scheme=scheme, item=data["item"], occurred_on=data["occurred_on"],
            points=data["points"], note=data["note"], files=[EvidenceUpload(file=f) for f in data["files"]])

    if request.method == "POST" and submitted(form, action):
        messages.success(request, "申报已提交，待支委会或支部党员大会认定。")
        return redirect("scoring:mine")
    return render(request, "scoring/declare.html", {"form": form, "scheme": scheme, "title": "申报积分"},
                  status=400 if request.method == "POST" else 200)


@login_required
def suggest(request: HttpRequest) -> HttpResponse:
    person, scheme = _member_scheme(request)
    items = scheme.items.filter(is_active=True, allow_suggestion=True).order_by("order", "pk")
    people = [(p.person_id, p.name) for p in selectors.scored_people(scheme.organization, on=china_today())
              if p.person_id != person.pk]
    form = SuggestForm(request.POST or None, items=items, people=people)

    def action() -> None:
        data = form.cleaned_data
        services.entry_suggest(acting_user=request.user, person_id=data["person"], scheme=scheme, item=data["item"],
                               occurred_on=data["occurred_on"], points=data["points"], note=data["note"],
                               proposer_name=person.name)

    if request.method == "POST" and submitted(form, action):
        messages.success(request, "建议已提交，待支委会或支部党员大会认定。")
        return redirect("scoring:mine")
    return render(request, "scoring/declare.html", {"form": form, "scheme": scheme, "title": "建议为其他党员记分"},
                  status=400 if request.method == "POST" else 200)


@login_required
def appeal_new(request: HttpRequest) -> HttpResponse:
    person, scheme = _member_scheme(request)
    people = [(p.person_id, p.name) for p in selectors.scored_people(scheme.organization, on=china_today())]
    people.sort(key=lambda row: row[0] != person.pk)
    own_entries = [(e.pk, f"{e.occurred_on:%m-%d} {e.item.name} {e.points:+g}")
                   for e in selectors.entry_list(user=request.user, person_id=person.pk, year=scheme.year)[:50]]
    initial = {"person": person.pk}
    if request.GET.get("entry", "").isdigit():
        initial["entry"] = int(request.GET["entry"])
    form = AppealForm(request.POST or None, people=people, entries=own_entries, initial=initial)

    def action() -> None:
        data = form.cleaned_data
        entry = selectors.entry_get(user=request.user, pk=data["entry"]) if data["entry"] else None
        target = selectors.Person.objects.get(pk=data["person"])
        services.appeal_raise(acting_user=request.user, raised_by_person=person, person=target,
                              organization=scheme.organization, year=scheme.year, kind=data["kind"],
                              text=data["text"], entry=entry)

    if request.method == "POST" and submitted(form, action):
        messages.success(request, "已提交，党支部研究后答复。")
        return redirect("scoring:mine")
    return render(request, "scoring/appeal_form.html", {"form": form, "scheme": scheme},
                  status=400 if request.method == "POST" else 200)


# --- officers: schemes -------------------------------------------------------------------------------


def _require_scope(request: HttpRequest) -> None:
    if not selectors.has_points_scope(request.user):
        raise Http404("页面不存在或无权访问。")


@login_required
def index(request: HttpRequest) -> HttpResponse:
    if not selectors.has_points_scope(request.user):
        return redirect("scoring:mine")
    year = _year(request, china_today().year)
    branches = list(selectors.branches_for_view(user=request.user)[:200])
    schemes = {s.organization_id: s for s in selectors.scheme_list(user=request.user, year=year)}
    pending = selectors.pending_confirmations(user=request.user).count()
    return render(request, "scoring/index.html", {
        "year": year, "rows": [(b, schemes.get(b.pk)) for b in branches], "pending": pending,
        "open_appeals": selectors.open_appeal_count(user=request.user),
        "may_create": selectors.branches_for_record(user=request.user).exists(),
    })


@login_required
def scheme_create(request: HttpRequest) -> HttpResponse:
    organizations = selectors.branches_for_record(user=request.user)
    if not organizations.exists():
        raise Http404("页面不存在或无权访问。")
    initial = {"year": china_today().year}
    if request.GET.get("organization", "").isdigit():
        initial["organization"] = int(request.GET["organization"])
    form = SchemeCreateForm(request.POST or None, organizations=organizations, initial=initial)
    created: list = []

    def action() -> None:
        data = form.cleaned_data
        created.append(services.scheme_create_from_template(
            acting_user=request.user, organization=data["organization"], year=data["year"],
            template_code=data["template_code"]))

    if request.method == "POST" and submitted(form, action):
        messages.success(request, "方案已按模板生成，请补充完善后通报并公布。")
        return redirect("scoring:scheme", pk=created[0].pk)
    return render(request, "scoring/scheme_create.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


def _scheme_for_change(request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
    scheme = selectors.scheme_get(user=request.user, pk=pk)
    if not selectors.may_record(user=request.user, organization=scheme.organization):
        raise PermissionDenied
    return scheme


@login_required
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = selectors.scheme_get(user=request.user, pk=pk)
    may_change = selectors.may_record(user=request.user, organization=scheme.organization)
    settings_form = SchemeSettingsForm(initial={
        name: getattr(scheme, name) for name in SchemeSettingsForm.base_fields if name != "reason"})
    return render(request, "scoring/scheme.html", {
        "scheme": scheme, "items": selectors.scheme_items(scheme, active_only=False),
        "versions": scheme.versions.order_by("-version"), "may_change": may_change,
        "settings_form": settings_form, "announce_form": AnnounceForm(initial={"announced_on": scheme.announced_on}),
        "item_form": ItemForm(initial={"section": SectionKind.BONUS, "allow_clerk": True}),
        "may_confirm": selectors.may_confirm(user=request.user, organization=scheme.organization),
    })


@require_POST
@login_required
def scheme_settings(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _scheme_for_change(request, pk)
    form = SchemeSettingsForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        performed(request, lambda: services.scheme_update(acting_user=request.user, scheme=scheme, reason=reason,
                                                          **data), "方案设置已保存。")
    else:
        messages.error(request, "请检查填写的内容。")
    return redirect("scoring:scheme", pk=scheme.pk)


@require_POST
@login_required
def scheme_announce(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _scheme_for_change(request, pk)
    form = AnnounceForm(request.POST)
    if form.is_valid():
        performed(request, lambda: services.scheme_announce(acting_user=request.user, scheme=scheme,
                                                            announced_on=form.cleaned_data["announced_on"]),
                  "已登记党员大会通报日期。")
    else:
        messages.error(request, "请填写通报日期。")
    return redirect("scoring:scheme", pk=scheme.pk)


@require_POST
@login_required
def scheme_publish(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _scheme_for_change(request, pk)
    performed(request, lambda: services.scheme_publish(acting_user=request.user, scheme=scheme),
              "方案已公布，自即日起按方案记分。")
    return redirect("scoring:scheme", pk=scheme.pk)


@login_required
def item_add(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _scheme_for_change(request, pk)
    form = ItemForm(request.POST or None)

    def action() -> None:
        services.item_add(acting_user=request.user, scheme=scheme, reason=form.cleaned_data["reason"],
                          **form.item_data())

    if request.method == "POST" and submitted(form, action):
        messages.success(request, "项目已增加。" + ("已形成新版本。" if scheme.is_published else ""))
        return redirect("scoring:scheme", pk=scheme.pk)
    return render(request, "scoring/item_form.html", {"form": form, "scheme": scheme, "item": None},
                  status=400 if request.method == "POST" else 200)


@login_required
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_for_change(request, pk)
    scheme = item.scheme
    initial = {name: getattr(item, name) for name in ItemForm.base_fields if hasattr(item, name)}
    form = ItemForm(request.POST or None, initial=initial)

    def action() -> None:
        services.item_change(acting_user=request.user, item=item, reason=form.cleaned_data["reason"],
                             **form.item_data())

    if request.method == "POST" and submitted(form, action):
        messages.success(request, "项目已修改。" + ("原项目已停用并保留，已形成新版本。" if scheme.is_published else ""))
        return redirect("scoring:scheme", pk=scheme.pk)
    return render(request, "scoring/item_form.html", {"form": form, "scheme": scheme, "item": item},
                  status=400 if request.method == "POST" else 200)


def _item_for_change(request: HttpRequest, pk: int) -> Item:
    try:
        item = Item.objects.select_related("scheme__organization").get(pk=pk)
    except (Item.DoesNotExist, ValueError):
        raise Http404("对象不存在或无权访问。") from None
    selectors.scheme_get(user=request.user, pk=item.scheme_id)  # 404 out of scope
    if not selectors.may_record(user=request.user, organization=item.scheme.organization):
        raise PermissionDenied
    return item


@require_POST
@login_required
def item_retire(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_for_change(request, pk)
    performed(request, lambda: services.item_retire(acting_user=request.user, item=item,
                                                    reason=request.POST.get("reason", "")), "项目已停用。")
    return redirect("scoring:scheme", pk=item.scheme_id)


# --- officers: ledger, batch entry, confirmations -----------------------------------------------------------


@login_required
def ledger(request: HttpRequest, pk: int) -> HttpResponse:
    organization = selectors.branch_get(user=request.user, pk=pk)
    today = china_today()
    year = _year(request, today.year)
    try:
        month = int(request.GET.get("month", today.month if year == today.year else 12))
    except ValueError:
        month = today.month
    month = min(max(month, 1), 12)
    grid = selectors.ledger(user=request.user, organization=organization, year=year, month=month)
    rows = [(p, [grid.cells.get((p.person_id, i.pk)) for i in grid.items], grid.person_totals.get(p.person_id),
             grid.pending.get(p.person_id, 0)) for p in grid.people]
    return render(request, "scoring/ledger.html", {
        "grid": grid, "rows": rows, "year": year, "month": month, "months": range(1, 13),
        "summary": selectors.monthly_summary(user=request.user, organization=organization, year=year),
        "may_record": selectors.may_record(user=request.user, organization=organization),
    })


@login_required
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    organization = selectors.branch_get(user=request.user, pk=pk)
    if not selectors.may_record(user=request.user, organization=organization):
        raise PermissionDenied
    today = china_today()
    scheme = selectors.published_scheme_of(organization, today.year)
    if scheme is None:
        messages.error(request, f"{organization.name}{today.year}年度积分方案尚未公布，暂不能登记积分。")
        return redirect("scoring:index")
    items = scheme.items.filter(Q(allow_clerk=True) | Q(allow_suggestion=True), is_active=True).order_by("order", "pk")
    people = [(p.person_id, p.name + (f"（{selectors.KIND_LABELS.get(p.kind, p.kind)}）" if p.kind else ""))
              for p in selectors.scored_people(organization, on=today)]
    may_confirm = selectors.may_confirm(user=request.user, organization=organization)
    form = EntryBatchForm(request.POST or None, items=items, people=people, may_confirm=may_confirm,
                          initial={"occurred_on": today})
    created: list = []

    def action() -> None:
        data = form.cleaned_data
        created.extend(services.entries_record(
            acting_user=request.user, scheme=scheme, item=data["item"], person_ids=data["people"],
            occurred_on=data["occurred_on"], points=data["points"], note=data["note"],
            proposer_name=data["proposer_name"], confirm_body=data.get("confirm_body", ""),
            decided_on=data.get("decided_on")))

    if request.method == "POST" and submitted(form, action):
        messages.success(request, f"已登记 {len(created)} 条积分。")
        return redirect(f"{_url('scoring:ledger', organization.pk)}?month={form.cleaned_data['occurred_on'].month}")
    return render(request, "scoring/batch.html", {"form": form, "organization": organization, "scheme": scheme},
                  status=400 if request.method == "POST" else 200)


def _url(name: str, pk: int) -> str:
    from django.urls import reverse

    return reverse(name, args=[pk])


@login_required
def pending(request: HttpRequest) -> HttpResponse:
    _require_scope(request)
    entries = list(selectors.pending_confirmations(user=request.user)[:200])
    vetoes = list(selectors.vetoes_under_review(user=request.user)[:50])
    confirmable = {e.organization_id for e in entries
                   if selectors.may_confirm(user=request.user, organization=e.scheme.organization)}
    return render(request, "scoring/pending.html", {
        "entries": entries, "vetoes": vetoes, "confirmable": confirmable, "today": china_today().isoformat(),
        "form": DecideForm(initial={"decided_on": china_today()}),
    })


@login_required
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.entry_get(user=request.user, pk=pk)
    officer = selectors.may_record(user=request.user, organization=entry.scheme.organization)
    return render(request, "scoring/entry.html", {
        "entry": entry, "officer": officer, "today": china_today().isoformat(),
        "may_confirm": selectors.may_confirm(user=request.user, organization=entry.scheme.organization),
        "form": DecideForm(initial={"decided_on": china_today()}),
    })


def _decide(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    entry = selectors.entry_get(user=request.user, pk=pk)
    if not selectors.may_confirm(user=request.user, organization=entry.scheme.organization):
        raise PermissionDenied
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择认定机构并填写会议日期。")
        return redirect(request.POST.get("next") or _url("scoring:entry", entry.pk))
    data = form.cleaned_data
    try:
        if verb == "confirm":
            entry = services.entry_confirm(acting_user=request.user, entry=entry, body=data["body"],
                                           decided_on=data["decided_on"])
            messages.success(request, "一票否决已报基层党委审核。" if entry.veto_stage else f"已认定：{entry.person.name}"
                                                                                 f" {entry.item.name}")
        elif verb == "reject":
            services.entry_reject(acting_user=request.user, entry=entry, body=data["body"],
                                  decided_on=data["decided_on"], reason=data["reason"])
            messages.success(request, "已不予认定。")
        else:
            services.entry_compensate(acting_user=request.user, entry=entry, reason=data["reason"], body=data["body"],
                                      decided_on=data["decided_on"])
            messages.success(request, "已更正（原记录保留，另记冲抵分值）。")
    except RuleViolation as error:
        messages.error(request, error.message)
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt.startswith("/points/") else _url("scoring:entry", entry.pk))


@require_POST
@login_required
def entry_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "confirm")


@require_POST
@login_required
def entry_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "reject")


@require_POST
@login_required
def entry_compensate(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "compensate")


@never_cache
@login_required
def evidence(request: HttpRequest, pk: int) -> FileResponse:
    item = selectors.evidence_get(user=request.user, pk=pk)
    response = stored_file_response(item.file, content_type=item.content_type, inline=True)
    record(actor=request.user, action="scoring.evidence.view", organization=item.entry.organization, subject=item.entry,
           changes={"evidence": [None, item.title]})
    return response


@login_required
def person_detail(request: HttpRequest, pk: int, person_id: int) -> HttpResponse:
    organization = selectors.branch_get(user=request.user, pk=pk)
    today = china_today()
    year = _year(request, today.year)
    if person_id not in {p.person_id for p in selectors.scored_people(organization, on=today)} \
            and not selectors.entry_list(user=request.user, organization=organization, person_id=person_id).exists():
        raise Http404("对象不存在或无权访问。")
    person = selectors.Person.objects.get(pk=person_id)
    scheme = selectors.Scheme.objects.filter(organization=organization, year=year).first()
    score = selectors.person_score(person=person, scheme=scheme, year=year, today=today, with_ranking=False)
    return render(request, "scoring/mine.html", {"s": score, "year": year, "chart": _chart(score), "own": False,
                                                 "organization": organization, "years": _years(today)})


# --- appeals ---------------------------------------------------------------------------------------------


@login_required
def appeal_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    appeals = selectors.appeal_list(user=request.user, status=status if status in AppealStatus.values else "")
    return render(request, "scoring/appeals.html", {"appeals": appeals[:200], "status": status,
                                                    "officer": selectors.has_points_scope(request.user)})


@login_required
def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = selectors.appeal_get(user=request.user, pk=pk)
    may_answer = appeal.status == AppealStatus.OPEN and selectors.may_confirm(user=request.user,
                                                                             organization=appeal.organization)
    form = AppealAnswerForm(request.POST or None, initial={"decided_on": china_today(), "publish_scope": "parties"})
    if request.method == "POST":
        if not may_answer:
            raise PermissionDenied

        def action() -> None:
            data = form.cleaned_data
            services.appeal_answer(acting_user=request.user, appeal=appeal, outcome=data["outcome"],
                                   answer=data["answer"], publish_scope=data["publish_scope"],
                                   decided_on=data["decided_on"], body=data["body"])

        if submitted(form, action):
            messages.success(request, "已答复并存档。")
            return redirect("scoring:appeal", pk=appeal.pk)
    return render(request, "scoring/appeal.html", {"appeal": appeal, "form": form, "may_answer": may_answer},
                  status=400 if request.method == "POST" else 200)
