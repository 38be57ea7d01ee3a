"""一编三定 pages: the branch's cycle, the township's view of every village, a group's ledger (personal
data masked, audited reveal), the leader's phone entry with photos, the member's own post, and the
three forms of seed 000 as PDF and Excel.

Out of scope is a 404 (the selectors); an action the user may not take on a page they can see is a 403.
"""

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from branches.scoping import Action, path_roots
from partyadmin.crypto import mask_address, mask_phone
from partyadmin.documents import pdf_response
from partyadmin.errors import RuleViolation
from partyadmin.files import stored_file_response
from partyadmin.forms import performed
from partyadmin.workdays import china_today

from . import documents, selectors, services
from .forms import (
    ClaimForm,
    CommitmentForm,
    DateForm,
    EntryForm,
    EvaluationForm,
    ExemptionDecideForm,
    GroupForm,
    MemberForm,
    MonthForm,
    PostForm,
    PostListCreateForm,
    ReviewForm,
    TrainingForm,
)
from .models import Exemption, Placement, Post, PostList


def _month(request: HttpRequest, default: date) -> date:
    form = MonthForm(request.GET)
    month = form.cleaned_data.get("month") if form.is_valid() else None
    return (month or default).replace(day=1)


# --- overview ------------------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    today = china_today()
    lists = selectors.post_list_list(user=request.user)
    branches = selectors.branches_for_change(user=request.user)
    led = list(selectors.groups_for_person(user=request.user, year=today.year))
    if not lists.exists() and not branches.exists() and not path_roots(request.user, Action.VIEW_MEMBER):
        return redirect("grouping:mine")  # members: their own post, claims and groups
    form = None
    if branches.exists():
        if request.method == "POST":
            form = PostListCreateForm(request.POST, organizations=branches)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    post_list = services.post_list_create(acting_user=request.user, organization=data["organization"],
                                                          year=data["year"], suggested=data["suggested"])
                except RuleViolation as violation:
                    form.add_rule_violation(violation)
                else:
                    messages.success(request, "岗位清单已建立。")
                    return redirect("grouping:cycle", pk=post_list.pk)
        else:
            form = PostListCreateForm(organizations=branches, initial={"year": today.year,
                                                                        "organization": branches.first()})
    return render(request, "grouping/index.html", {"lists": lists[:100], "form": form, "led": led},
                  status=400 if request.method == "POST" else 200)


@login_required
def township(request: HttpRequest) -> HttpResponse:
    """Every village's (community's) place in the cycle, in one query."""
    today = china_today()
    year = request.GET.get("year", "")
    year_value = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else today.year
    month = today if year_value == today.year else date(year_value, 12, 1)
    rows = selectors.township_status(user=request.user, year=year_value, month=month)
    if not rows and not selectors.townships_for(user=request.user).exists():
        raise Http404("页面不存在或无权访问。")
    return render(request, "grouping/township.html", {"rows": rows, "year": year_value, "month": month})


@login_required
def cycle(request: HttpRequest, pk: int) -> HttpResponse:
    post_list = selectors.post_list_get(user=request.user, pk=pk)
    today = china_today()
    month = _month(request, today)
    may_change = selectors.may_change(user=request.user, organization=post_list.organization)
    plan = selectors.plan_of(post_list=post_list, on=today)
    context: dict[str, Any] = {
        "post_list": post_list, "plan": plan,
        "missing": selectors.missing_this_month(post_list=post_list, month=month),
        "month": month,
        "revisions": post_list.revisions.order_by("-version")[:10],
        "evaluations": selectors.evaluations_of(post_list),
        "reviews": selectors.reviews_of(post_list),
        "exemptions": selectors.exemptions_of(organization=post_list.organization, year=post_list.year),
        "may_change": may_change,
    }
    if may_change:
        cadres = selectors.committee_members(post_list.organization)
        context.update({
            "post_form": PostForm(), "date_form": DateForm(initial={"on": today}),
            "claim_form": ClaimForm(posts=[r.post for r in plan.rows], members=plan.participation.eligible),
            "group_forms": [(row, GroupForm(initial={"post": row.post.pk, "leader": row.post.leader_id,
                                                     "cadre": row.post.cadre_id},
                                            group_members=[p.member for p in row.placed if p.status == "confirmed"],
                                            cadres=cadres)) for row in plan.rows],
            "to_confirm": sorted({p.member for row in plan.rows for p in row.placed if p.status == "proposed"},
                                 key=lambda m: m.pk),
            "review_form": ReviewForm(posts=[r.post for r in plan.rows], initial={"reviewed_on": today}),
            "evaluation_form": EvaluationForm(members=_placed_members(plan), initial={"evaluated_on": today}),
            "training_form": TrainingForm(members=plan.participation.eligible, initial={"held_on": today}),
            "to_sign": [(p, CommitmentForm(initial={"placement": p.pk, "signed_on": today}))
                        for row in plan.rows for p in row.placed if p.status == "confirmed" and not p.commitment],
        })
    return render(request, "grouping/cycle.html", context)


def _placed_members(plan: Any) -> list:
    seen: dict[int, Any] = {}
    for row in plan.rows:
        for placement in row.placed:
            if placement.status == "confirmed":
                seen.setdefault(placement.member_id, placement.member)
    return list(seen.values())


def _act(post_list: PostList, user: Any, action: str, data: Any) -> str:
    """One step of the cycle from the cycle page; returns the success message (RuleViolation otherwise)."""
    today = china_today()
    organization = post_list.organization

    def valid(form: Any) -> dict[str, Any]:
        if not form.is_valid():
            raise RuleViolation("grouping.form", "；".join(e for errors in form.errors.values() for e in errors))
        return form.cleaned_data

    def member(pk: int) -> Any:
        return selectors.member_of_branch(organization=organization, pk=pk)

    if action == "add_post":
        services.post_add(acting_user=user, post_list=post_list, **valid(PostForm(data)))
        return "岗位已增设，岗位清单已生成新版本。"
    if action == "publish":
        services.post_list_publish(acting_user=user, post_list=post_list, published_on=valid(DateForm(data))["on"])
        return "岗位清单已在党员大会上公布，党员可以认领岗位。"
    if action == "claim":
        plan = selectors.plan_of(post_list=post_list, on=today)
        cleaned = valid(ClaimForm(data, posts=[r.post for r in plan.rows], members=plan.participation.eligible))
        post = selectors.posts_of(post_list).get(pk=cleaned["post"])
        services.claim_create(acting_user=user, post=post, member=member(cleaned["member"]))
        return "认岗已登记。"
    if action == "draft":
        created = services.placement_draft(acting_user=user, post_list=post_list)
        return f"已根据认岗情况拟定定岗方案（新增{len(created)}人次）。"
    if action == "confirm":
        chosen = member(valid(MemberForm(data))["member"])
        opinion = str(data.get("opinion", "")).strip()
        if opinion:  # "征求党员意见后，确认每名党员的具体岗位"
            for placement in Placement.objects.filter(post__post_list=post_list, member=chosen, status="proposed"):
                services.placement_opinion(acting_user=user, placement=placement, opinion=opinion)
        services.placement_confirm(acting_user=user, post_list=post_list, member=chosen)
        return "岗位已确认。"
    if action == "group":
        post_id = data.get("post", "")
        post = selectors.posts_of(post_list).filter(pk=int(post_id) if str(post_id).isdigit() else 0).first()
        if post is None:
            raise Http404("岗位不存在。")
        form = GroupForm(data, group_members=[p.member for p in selectors.group_members(post)],
                         cadres=selectors.committee_members(organization))
        cleaned = valid(form)
        services.group_set(acting_user=user, post=post,
                           leader=member(cleaned["leader"]) if cleaned["leader"] else None,
                           cadre=member(cleaned["cadre"]) if cleaned["cadre"] else None)
        return f"“{post.group_label}”编组已保存。"
    if action == "commitment":
        cleaned = valid(CommitmentForm(data))
        placement = Placement.objects.filter(post__post_list=post_list).filter(pk=cleaned["placement"]).first()
        if placement is None:
            raise Http404("定岗记录不存在。")
        services.commitment_sign(acting_user=user, placement=placement, commitment=cleaned["commitment"],
                                 signed_on=cleaned["signed_on"])
        return "履岗承诺书已登记。"
    if action == "public_commitment":
        services.public_commitment_record(acting_user=user, post_list=post_list, committed_on=valid(DateForm(data))["on"])
        return "公开承诺日期已登记。"
    if action == "publish_ledger":
        services.group_ledger_publish(acting_user=user, post_list=post_list, starts_on=valid(DateForm(data))["on"])
        return "编组台账已公布，接受群众监督。"
    if action == "file":
        services.post_list_file(acting_user=user, post_list=post_list)
        return "岗位清单、定岗方案、编组台账和工作计划已报乡镇（街道）党（工）委备案。"
    if action in ("review", "evaluation", "training"):
        plan = selectors.plan_of(post_list=post_list, on=today)
        if action == "review":
            cleaned = valid(ReviewForm(data, posts=[r.post for r in plan.rows]))
            post = selectors.posts_of(post_list).get(pk=cleaned.pop("post"))
            services.review_record(acting_user=user, post=post, **cleaned)
            return "半年总结点评已登记。"
        if action == "evaluation":
            cleaned = valid(EvaluationForm(data, members=_placed_members(plan)))
            services.evaluation_record(acting_user=user, post_list=post_list, member=member(cleaned.pop("member")),
                                       **cleaned)
            return "履岗考评已登记，考评结果已计入党员积分（本支部有积分方案时）。"
        cleaned = valid(TrainingForm(data, members=plan.participation.eligible))
        services.training_record(acting_user=user, member=member(cleaned.pop("member")), **cleaned)
        return "培训记录已登记。"
    if action == "exemption":
        cleaned = valid(ExemptionDecideForm(data))
        exemption = Exemption.objects.filter(organization=organization, pk=cleaned["exemption"]).first()
        if exemption is None:
            raise Http404("申请不存在。")
        services.exemption_decide(acting_user=user, exemption=exemption, approve=cleaned["approve"])
        return "已审批。"
    raise Http404("未知操作。")


@require_POST
@login_required
def cycle_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    post_list = selectors.post_list_get_for_change(user=request.user, pk=pk)
    try:
        message = _act(post_list, request.user, action, request.POST)
    except RuleViolation as violation:
        messages.error(request, violation.message)
    else:
        messages.success(request, message)
    return redirect("grouping:cycle", pk=post_list.pk)


# --- a group: ledger, entries ------------------------------------------------------------------------------


def _group_context(request: HttpRequest, post: Post, *, revealed: bool = False) -> dict[str, Any]:
    month = _month(request, china_today())
    rows = []
    for placement in selectors.group_members(post):
        person = placement.member.person
        rows.append({
            "placement": placement, "person": person, "member": placement.member,
            "phone": person.phone if revealed else mask_phone(person.phone),
            "address": person.address if revealed else mask_address(person.address),
            "is_leader": placement.member_id == post.leader_id,
        })
    user = request.user
    return {
        "post": post, "post_list": post.post_list, "rows": rows, "revealed": revealed, "month": month,
        "entries": selectors.entries_of(post, month=month),
        "may_reveal": selectors.may_view_personal_data(user=user, organization=post.organization),
        "may_enter": post.leader_id is not None and (
            selectors.may_change(user=user, organization=post.organization)
            or (post.leader and post.leader.person.user_id == user.pk)
            or (post.cadre and post.cadre.person.user_id == user.pk)),
        "is_leader": bool(post.leader and post.leader.person.user_id == user.pk),
        "is_cadre": bool(post.cadre and post.cadre.person.user_id == user.pk),
    }


@login_required
def group(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.group_get(user=request.user, pk=pk)
    return render(request, "grouping/group.html", _group_context(request, post))


@require_POST
@login_required
def group_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.group_get(user=request.user, pk=pk)
    if not selectors.may_view_personal_data(user=request.user, organization=post.organization):
        raise PermissionDenied("无权查看完整个人信息。")
    services.ledger_reveal(acting_user=request.user, post_list=post.post_list, post=post)
    return render(request, "grouping/group.html", _group_context(request, post, revealed=True))


@login_required
def entry_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The leader's phone entry: one line of the 履岗记实台账 with photos."""
    post = selectors.group_get_for_entry(user=request.user, pk=pk)
    members = [p.member for p in selectors.group_members(post)]
    if request.method == "POST":
        form = EntryForm(request.POST, request.FILES, members=members)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.entry_record(acting_user=request.user, post=post, activity_on=data["activity_on"],
                                      participant_ids=data["participants"], content=data["content"],
                                      outcome=data["outcome"], remark=data["remark"], photos=data["photos"])
            except RuleViolation as violation:
                form.add_rule_violation(violation)
            else:
                messages.success(request, "履岗记实已保存。")
                return redirect("grouping:group", pk=post.pk)
    else:
        form = EntryForm(members=members, initial={"activity_on": china_today(), "participants": [m.pk for m in members]})
    return render(request, "grouping/entry_form.html", {"form": form, "post": post},
                  status=400 if request.method == "POST" else 200)


@require_POST
@login_required
def entry_sign(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.entry_get(user=request.user, pk=pk)
    performed(request, lambda: services.entry_sign(acting_user=request.user, entry=entry), "已签字。")
    return redirect(f"{_group_url(entry.post_id)}?month={entry.activity_on:%Y-%m}")


def _group_url(pk: int) -> str:
    from django.urls import reverse

    return reverse("grouping:group", args=[pk])


@never_cache
@login_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    """Photos are served only here, after the scope check."""
    item = selectors.photo_get(user=request.user, pk=pk)
    return stored_file_response(item.image, content_type=item.content_type, inline=True)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """我的岗位: the member's posts this year, and the groups they lead or contract."""
    year = china_today().year
    placements = selectors.own_posts(user=request.user, year=year)
    groups = list(selectors.groups_for_person(user=request.user, year=year))
    member, posts, claimed = selectors.claimable_posts(user=request.user, year=year)
    trainings = selectors.own_trainings(member=member) if member is not None else []
    return render(request, "grouping/mine.html", {"placements": placements, "groups": groups, "year": year,
                                                  "member": member, "posts": posts, "claimed": claimed,
                                                  "trainings": trainings})


@require_POST
@login_required
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    """A member claims a post of their own branch for themself ("组织党员申报认领岗位")."""
    member, posts, _ = selectors.claimable_posts(user=request.user, year=china_today().year)
    post = next((p for p in posts if p.pk == pk), None)
    if member is None or post is None:
        raise Http404("岗位不存在或无权认领。")
    performed(request, lambda: services.claim_create(acting_user=request.user, post=post, member=member),
              f"已认领“{post.name}”，待党支部研究确定。")
    return redirect("grouping:mine")


# --- documents ---------------------------------------------------------------------------------------------


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=documents.XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _check_format(fmt: str) -> None:
    if fmt not in ("pdf", "xlsx"):
        raise Http404("文件格式不存在。")


@login_required
def post_list_document(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    _check_format(fmt)
    post_list = selectors.post_list_get(user=request.user, pk=pk)
    name = f"{post_list.organization.name}{post_list.year}年无职党员岗位清单"
    if fmt == "xlsx":
        return _xlsx(documents.post_list_xlsx(post_list), f"{name}.xlsx")
    return pdf_response("grouping/documents/post_list.html", {
        "post_list": post_list, "posts": list(selectors.posts_of(post_list)), "title": "无职党员岗位清单",
        "issuer": post_list.organization.name}, filename=f"{name}.pdf")


def _reveal_requested(request: HttpRequest, post_list: PostList, fmt: str) -> bool:
    if request.GET.get("full") != "1":
        return False
    if not selectors.may_view_personal_data(user=request.user, organization=post_list.organization):
        raise PermissionDenied("无权导出完整个人信息。")
    services.ledger_reveal(acting_user=request.user, post_list=post_list, export=fmt.upper())
    return True


@login_required
def group_ledger_document(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    _check_format(fmt)
    post_list = selectors.post_list_get(user=request.user, pk=pk)
    reveal = _reveal_requested(request, post_list, fmt)
    name = f"{post_list.organization.name}{post_list.year}年无职党员定岗编组台账"
    if fmt == "xlsx":
        return _xlsx(documents.group_ledger_xlsx(post_list, reveal=reveal), f"{name}.xlsx")
    return pdf_response("grouping/documents/group_ledger.html", {
        "post_list": post_list, "groups": documents.ledger_groups(post_list, reveal=reveal),
        "columns": documents.LEDGER_COLUMNS, "title": "无职党员定岗编组台账", "issuer": post_list.organization.name,
        "today": china_today(), "masked": not reveal}, filename=f"{name}.pdf")


@login_required
def performance_document(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    _check_format(fmt)
    post = selectors.group_get(user=request.user, pk=pk)
    month = _month(request, china_today())
    name = f"{post.group_label}{month.year}年{month.month}月履岗记实台账"
    if fmt == "xlsx":
        return _xlsx(documents.performance_ledger_xlsx(post, month), f"{name}.xlsx")
    return pdf_response("grouping/documents/performance_ledger.html", documents.performance_context(post, month),
                        filename=f"{name}.pdf")
