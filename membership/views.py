"""Member register pages: list, detail (masked personal data, audited reveal), create, edit, own record,
Excel export of the filtered list and Excel import of a branch's register sheet."""

from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from branches.models import Organization
from partyadmin.crypto import mask_address, mask_id_number, mask_phone
from partyadmin.errors import RuleViolation
from partyadmin.jobs import job_run_get_for_user
from partyadmin.models import JobRun
from partyadmin.workdays import china_today

from . import documents, imports, portal, selectors, services, tasks
from .forms import MemberEditForm, MemberFilterForm, MemberForm, MemberImportForm
from .imports import XLSX_CONTENT_TYPE
from .models import Member

PAGE_SIZE = 20


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    if not selectors.has_register_scope(request.user):
        # The member role sees only its own record (DESIGN §2.1).
        return redirect("membership:me")
    form = MemberFilterForm(request.GET or None, organizations=selectors.organizations_for_filter(user=request.user))
    filters = form.selector_filters()
    members = selectors.member_list(user=request.user, **filters)
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "sort_links": _sort_links(query, filters.get("sort", "")),
        "can_create": selectors.branches_for_change(user=request.user).exists(),
    }
    template = "membership/_table.html" if request.htmx else "membership/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _sort_links(query: QueryDict, current: str) -> dict[str, dict[str, str]]:
    """Column-header links: a click sorts by the column, a second click reverses it."""
    links = {}
    for key in ("name", "joined_on"):
        linked = query.copy()
        linked["sort"] = f"-{key}" if current == key else key
        arrow = " ↑" if current == key else " ↓" if current == f"-{key}" else ""
        links[key] = {"query": linked.urlencode(), "arrow": arrow}
    return links


def _detail_context(request: HttpRequest, member: Member) -> dict:
    person = member.person
    return {
        "member": member,
        "person": person,
        "masked": {
            "id_number": mask_id_number(person.id_number),
            "phone": mask_phone(person.phone),
            "address": mask_address(person.address),
        },
        "may_reveal": selectors.may_view_personal_data(user=request.user, member=member),
        "may_change": selectors.may_change_member(user=request.user, member=member),
        "may_see_history": selectors.may_see_history(user=request.user, member=member),
    }


@login_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors.member_get(user=request.user, pk=pk)
    # The member's own panels (meetings, dues, …); the branch notices panel is the reader's, not the member's.
    panels = portal.render_panels(request, member, exclude={"notices"})
    return render(request, "membership/detail.html", _detail_context(request, member) | {"portal_panels": panels})


@login_required
def member_me(request: HttpRequest) -> HttpResponse:
    member = selectors.member_for_user(request.user)
    if member is None:
        return render(request, "membership/me_missing.html", status=404)
    panels = portal.render_panels(request, member)
    return render(request, "membership/detail.html",
                  _detail_context(request, member) | {"is_me": True, "portal_panels": panels})


@never_cache
@require_POST
@login_required
def member_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the unmasked ID number, phone and address once, recording who looked (DESIGN §2.1)."""
    member = selectors.member_get(user=request.user, pk=pk)
    if not selectors.may_view_personal_data(user=request.user, member=member):
        services.member_reveal_refused(acting_user=request.user, member=member)
        raise PermissionDenied("无权查看完整个人信息。")
    revealed = services.member_reveal_personal_data(acting_user=request.user, member=member)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "membership/_personal_data.html", _detail_context(request, member) | {"revealed": revealed})
    return render(request, "membership/detail.html", _detail_context(request, member) | {"revealed": revealed})


@login_required
def member_create(request: HttpRequest) -> HttpResponse:
    branches = selectors.branches_for_change(user=request.user)
    if not branches.exists():
        raise PermissionDenied("无权登记党员。")
    form_kwargs = {"branches": branches, "party_groups": selectors.party_groups_for_change(user=request.user)}
    if request.method == "POST":
        form = MemberForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                member = services.member_create(
                    acting_user=request.user, organization=form.cleaned_data["organization"], **form.service_fields(),
                )
            except RuleViolation as violation:
                form.add_rule_violation(violation)
            else:
                return redirect("membership:detail", pk=member.pk)
    else:
        initial = {"organization": branches.first()} if branches.count() == 1 else {}
        form = MemberForm(initial=initial, **form_kwargs)
    return render(request, "membership/form.html", {"form": form, "title": "登记党员"})


@login_required
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors.member_get(user=request.user, pk=pk)
    if not selectors.may_change_member(user=request.user, member=member):
        raise PermissionDenied("无权修改此党员信息。")
    form_kwargs = {
        "member": member,
        "branches": selectors.branches_for_change(user=request.user).filter(pk=member.organization_id),
        "party_groups": selectors.party_groups_for_change(user=request.user).filter(
            path__startswith=member.organization.path),
    }
    if request.method == "POST":
        form = MemberEditForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                services.member_update(acting_user=request.user, member=member, **form.service_fields())
            except RuleViolation as violation:
                form.add_rule_violation(violation)
            else:
                return redirect("membership:detail", pk=member.pk)
    else:
        form = MemberEditForm(**form_kwargs)
    return render(request, "membership/form.html", {"form": form, "member": member, "title": "修改党员信息"})


# --- Excel export ----------------------------------------------------------------------------

@login_required
def member_export(request: HttpRequest) -> HttpResponse:
    """The list as filtered, in Excel, personal data masked; every export is audited (DESIGN §2.7).
    A large list is written by a background job and offered on its result page."""
    if not selectors.has_register_scope(request.user):
        raise Http404("没有可导出的党员名册。")
    form = MemberFilterForm(request.GET or None, organizations=selectors.organizations_for_filter(user=request.user))
    if form.is_bound and not form.is_valid():
        # An organization outside the scope is not a choice: the same answer as one that does not exist.
        raise Http404("筛选条件有误或无权访问。")
    filters = form.selector_filters()
    if selectors.member_list(user=request.user, **filters).count() > documents.EXPORT_SYNC_MAX_ROWS:
        run = tasks.member_export_start(acting_user=request.user, query=request.GET.urlencode())
        return redirect("membership:export_result", pk=run.pk)
    output, _ = documents.member_export(acting_user=request.user, filters=filters,
                                        audited_filters=form.audited_filters())
    return FileResponse(output, as_attachment=True, filename=documents.export_filename(china_today()),
                        content_type=XLSX_CONTENT_TYPE)


def _export_run(request: HttpRequest, pk: int) -> JobRun:
    run = job_run_get_for_user(user=request.user, pk=pk)
    if run.name != tasks.EXPORT_JOB:
        raise Http404("导出记录不存在或无权查看。")
    return run


@login_required
def member_export_result(request: HttpRequest, pk: int) -> HttpResponse:
    run = _export_run(request, pk)
    return render(request, "membership/export_result.html", {"run": run})


@never_cache
@login_required
def member_export_download(request: HttpRequest, pk: int) -> FileResponse:
    """The file of a finished export job, once: it is deleted as it is handed out."""
    run = _export_run(request, pk)
    handle = tasks.member_export_take(run)
    if handle is None:
        raise Http404("导出文件已下载或不存在，请重新导出。")
    return FileResponse(handle, as_attachment=True, filename=run.result.get("filename") or "党员名册.xlsx",
                        content_type=XLSX_CONTENT_TYPE)


# --- Excel import ----------------------------------------------------------------------------

def _branches_for_import(request: HttpRequest) -> QuerySet[Organization]:
    branches = selectors.branches_for_change(user=request.user)
    if not branches.exists():
        raise PermissionDenied("无权导入党员。")
    return branches


@login_required
def member_import(request: HttpRequest) -> HttpResponse:
    """Upload a filled-in register sheet; every row is checked and nothing is written if any is bad."""
    _branches_for_import(request)
    if request.method == "POST":
        form = MemberImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                sheet = imports.read_sheet(upload)
            except RuleViolation as violation:
                form.add_rule_violation(violation)
            else:
                run = tasks.member_import_start(acting_user=request.user, upload=upload, sheet=sheet)
                return redirect("membership:import_result", pk=run.pk)
    else:
        form = MemberImportForm()
    return render(request, "membership/import.html", {"form": form, "columns": imports.COLUMNS})


@login_required
def member_import_template(request: HttpRequest) -> FileResponse:
    branches = _branches_for_import(request)
    stream = BytesIO()
    documents.import_template(branches=branches.only("name", "code"), stream=stream)
    stream.seek(0)
    return FileResponse(stream, as_attachment=True, filename="党员名册导入模板.xlsx", content_type=XLSX_CONTENT_TYPE)


@login_required
def member_import_result(request: HttpRequest, pk: int) -> HttpResponse:
    """An import's outcome: every bad cell (行, 列, 值, 问题) or the count written; progress while it runs."""
    run = job_run_get_for_user(user=request.user, pk=pk)
    if run.name != tasks.IMPORT_JOB:
        raise Http404("导入记录不存在或无权查看。")
    result = None if run.is_running else imports.ImportResult.from_dict(run.result or {})
    return render(request, "membership/import_result.html", {"run": run, "result": result})
