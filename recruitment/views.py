"""Recruitment pages: the branch board by stage, the application form, the person's file (timeline of the 25
steps with the current step's action forms), the printable 发展党员全程记实表, the accountability form, the
county dashboard, the member's own file.

Out of scope is a 404 (the selectors); acting needs the officer's CHANGE_MEMBER scope (also a 404).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from branches import scoping
from branches.scoping import Action
from partyadmin.files import stored_file_response
from partyadmin.forms import submitted
from partyadmin.workdays import china_today

from . import documents, selectors, services
from .forms import ACTIONS, AccountabilityForm, ApplyForm
from .models import FileStatus, RecruitmentFile, Stage, StepMaterial, StepStatus
from .policies import MASS_RECOMMENDATION_MEETING, value


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The user's branches: one branch goes straight to its board."""
    branches = list(selectors.branches_for(user=request.user)[:200])
    if len(branches) == 1:
        return redirect("recruitment:branch_board", branches[0].pk)
    if not branches:
        own = selectors.own_file(user=request.user)
        if own is not None:
            return redirect("recruitment:file_detail", own.pk)
        raise Http404("没有可查看的党支部。")
    return render(request, "recruitment/branches.html", {"branches": branches})


@login_required
def branch_board(request: HttpRequest, pk: int) -> HttpResponse:
    branch = selectors.branch_get(user=request.user, pk=pk)
    today = china_today()
    return render(request, "recruitment/board.html", {
        "board": selectors.branch_board(user=request.user, branch=branch, today=today),
        "branch": branch,
        "today": today,
        "can_apply": scoping.can(request.user, Action.CHANGE_MEMBER, branch),
    })


@login_required
def file_apply(request: HttpRequest, pk: int) -> HttpResponse:
    branch = selectors.branch_get(user=request.user, pk=pk, action=Action.CHANGE_MEMBER)
    form = ApplyForm(request.POST or None, initial={"applied_on": china_today()})
    created: list[RecruitmentFile] = []
    if request.method == "POST" and submitted(form, lambda: created.append(
            form.run(user=request.user, organization=branch))):
        messages.success(request, "已登记入党申请，并发布入党申请人公示。")
        return redirect("recruitment:file_detail", created[0].pk)
    return render(request, "recruitment/apply.html", {"form": form, "branch": branch})


def _forms_for(file: RecruitmentFile, steps: list[Any], *, failed: tuple[str, Any] | None = None,
               ) -> list[tuple[str, Any]]:
    """The action forms offered at the file's current step (the failed one, with its errors, in its place)."""
    if file.status != FileStatus.ACTIVE:
        return []
    current = next((s for s in steps if s.number == file.current_step), None)
    shown = []
    for name, form_class in ACTIONS.items():
        if file.current_step not in form_class.steps:
            continue
        if name == "mass_meeting" and not value(file.organization, MASS_RECOMMENDATION_MEETING):
            continue
        if current is not None and name == "filing" and current.filing_id and current.filing.status == "pending":
            continue
        if current is not None and name in ("designate", "propose") and current.data.get("decided_on"):
            continue
        if name == "evaluation" and current is not None and current.data.get("decided_on"):
            continue
        if name == "cancel_activist" and file.stage != Stage.ACTIVIST:
            continue
        if name == "transfer" and file.member_id is not None:
            continue
        if failed is not None and failed[0] == name:
            shown.append(failed)
        else:
            shown.append((name, form_class(file=file, auto_id=f"{name}-%s")))
    if failed is not None and all(name != failed[0] for name, _ in shown):
        shown.insert(0, failed)
    return shown


def _detail_context(request: HttpRequest, file: RecruitmentFile, **extra: Any) -> dict[str, Any]:
    steps = selectors.steps_of(file)
    may_change = selectors.may_change(user=request.user, file=file)
    standing = services.activist_standing(file, china_today()) if file.stage == Stage.ACTIVIST else None
    return {
        "file": file,
        "rows": selectors.step_rows(steps),
        "forms": _forms_for(file, steps, **extra) if may_change else [],
        "may_change": may_change,
        "may_see_history": scoping.can(request.user, Action.VIEW_AUDIT, file.organization),
        "recommendations": file.recommendations.prefetch_related("recommenders__person"),
        "contacts": file.contact_persons.select_related("member__person"),
        "introducers": file.introducers.select_related("member__person"),
        "training": file.training_records.all(),
        "evaluations": file.evaluations.all(),
        "standing": standing,
        "show_standing": file.stage == Stage.ACTIVIST,
        "mass_org_needed": services.mass_org_needed(file.person),
        "done_count": sum(1 for s in steps if s.status == StepStatus.DONE),
    }


@login_required
def file_detail(request: HttpRequest, pk: int) -> HttpResponse:
    file = selectors.file_get(user=request.user, pk=pk)
    return render(request, "recruitment/detail.html", _detail_context(request, file))


@login_required
@require_POST
def file_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    file = selectors.file_get_for_change(user=request.user, pk=pk)
    form_class = ACTIONS.get(action)
    if form_class is None:
        raise Http404("无此操作。")
    form = form_class(request.POST, request.FILES, file=file, auto_id=f"{action}-%s")
    if submitted(form, lambda: form.run(user=request.user)):
        messages.success(request, f"已办理：{form.title}。")
        return redirect("recruitment:file_detail", file.pk)
    file = selectors.file_get_for_change(user=request.user, pk=pk)
    form.file = file
    context = _detail_context(request, file, failed=(action, form))
    context["failed"] = action
    return render(request, "recruitment/detail.html", context, status=400)


@login_required
def file_record(request: HttpRequest, pk: int) -> HttpResponse:
    """发展党员全程记实表 (PDF), printable at any time."""
    file = selectors.file_get(user=request.user, pk=pk)
    return documents.record_sheet_response(file=file, user=request.user)


@login_required
def material_download(request: HttpRequest, pk: int) -> HttpResponse:
    material = StepMaterial.objects.select_related("step").filter(pk=pk).first()
    if material is None:
        raise Http404("对象不存在或无权访问。")
    selectors.file_get(user=request.user, pk=material.step.file_id)
    return stored_file_response(material.file, filename=material.original_name)


@login_required
def accountability(request: HttpRequest, pk: int) -> HttpResponse:
    file = selectors.file_get_for_change(user=request.user, pk=pk)
    parties = services.responsible_parties(file)
    form = AccountabilityForm(request.POST or None, parties=parties,
                              initial={"discovered_on": china_today(), "step_number": min(file.current_step, 25)})
    cases: list[Any] = []
    if request.method == "POST" and submitted(form, lambda: cases.append(services.accountability_open(
            acting_user=request.user, file=file, **form.cleaned_data))):
        messages.success(request, "已立案，责任追究案件须自发现之日起30日内处理完毕。")
        return redirect("audit:accountability:detail", cases[0].pk)
    return render(request, "recruitment/accountability.html", {"form": form, "file": file})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if not scoping.organizations_for(request.user, Action.VIEW_MEMBER).exists():
        raise Http404("没有可查看的党组织。")
    return render(request, "recruitment/dashboard.html", selectors.dashboard(user=request.user, today=china_today()))


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    file = selectors.own_file(user=request.user)
    if file is None:
        return render(request, "recruitment/mine_empty.html")
    return redirect("recruitment:file_detail", file.pk)
