"""Meeting pages: list with the branch's due/overdue summary, calendar, record form with the attendee
table (reloaded by htmx when the organization or type changes), detail with attendance and photos,
edit, void, photos served through the scope check, county compliance, the member's own attendance.

Out of scope is a 404 (the selectors); a page the user can see but an action they may not take is a
403, as on the publicity pages.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from branches import scoping
from branches.models import Organization
from branches.scoping import Action
from partyadmin.errors import RuleViolation
from partyadmin.files import stored_file_response
from partyadmin.forms import performed
from partyadmin.workdays import china_today

from . import rules, selectors, services
from .forms import (
    AttendanceParseError,
    CalendarYearForm,
    ComplianceFilterForm,
    MeetingEditForm,
    MeetingFilterForm,
    MeetingForm,
    PhotoUploadForm,
    VoidForm,
    parse_attendance,
)
from .models import Meeting

PAGE_SIZE = 20
COMPLIANCE_PAGE_SIZE = 50


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


# --- list, calendar ------------------------------------------------------------------------------------


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    if not selectors.has_meeting_scope(request.user):
        return redirect("meetings:mine")
    branches = selectors.branches_for_view(user=request.user)
    form = MeetingFilterForm(request.GET or None, organizations=branches)
    filters = form.cleaned_data if form.is_valid() else {}
    organization = filters.get("organization")
    meetings = selectors.meeting_list(
        user=request.user, organization=organization, meeting_type=filters.get("type", ""),
        year=filters.get("year"), include_voided=filters.get("voided", False),
    )
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    # A secretary (one branch in view) or a chosen branch: what is due and overdue, on top.
    single = list(branches[:2])
    branch = organization or (single[0] if len(single) == 1 else None)
    calendar = selectors.branch_calendar(branch=branch, today=china_today()) if branch is not None else None
    return render(request, "branches/meetings/list.html", {
        "form": form,
        "page": page,
        "calendar": calendar,
        "can_record": selectors.organizations_for_recording(user=request.user).exists(),
    })


@login_required
def branch_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    branch = selectors.branch_get(user=request.user, pk=pk)
    today = china_today()
    form = CalendarYearForm(request.GET or None)
    year = (form.cleaned_data.get("year") if form.is_valid() else None) or today.year
    calendar = selectors.branch_calendar(branch=branch, today=today, year=year)
    return render(request, "branches/meetings/calendar.html", {
        "calendar": calendar,
        "months": range(1, 13),
        "previous_year": year - 1,
        "next_year": year + 1 if year < today.year else None,
        "can_record": scoping.can(request.user, Action.CHANGE_MEMBER, branch),
    })


# --- record, attendees ---------------------------------------------------------------------------------


def _chosen_organization(organizations: Any, raw: str | None) -> Organization | None:
    if not raw or not str(raw).isdigit():
        return None
    return organizations.filter(pk=int(raw)).first()


def _attendee_context(*, organization: Organization | None, meeting_type: str, posted: tuple[dict, dict] | None = None,
                      host_member_id: str = "") -> dict[str, Any]:
    """The attendee table for the chosen organization and type, with posted choices kept on a re-render."""
    context: dict[str, Any] = {"rows": None, "problem": "", "status_choices": list(rules.ATTENDANCE_STATUS_LABELS.items()),
                               "host_member_id": host_member_id}
    if organization is None or meeting_type not in rules.MEETING_TYPE_LABELS:
        context["problem"] = "请先选择召开组织和会议类型，系统将列出应到人员。"
        return context
    try:
        rules.check_organization_kind(meeting_type=meeting_type, organization_kind=organization.kind)
    except RuleViolation as violation:
        context["problem"] = violation.message
        return context
    rows = selectors.attendee_rows(organization=organization, meeting_type=meeting_type)
    if posted is not None:
        statuses, notes = posted
        for row in rows:
            row.status = statuses.get(row.member.pk, "")
            row.note = notes.get(row.member.pk, "")
    context["rows"] = rows
    context["hosts"] = [row.member for row in rows]
    if not rows:
        context["problem"] = ("本届支部委员会尚无在任委员，请先在组织页面登记支部委员。"
                              if meeting_type == rules.MeetingType.COMMITTEE_MEETING else "该组织暂无在册党员。")
    return context


@login_required
def meeting_create(request: HttpRequest) -> HttpResponse:
    organizations = selectors.organizations_for_recording(user=request.user)
    if not organizations.exists():
        raise Http404("页面不存在或无权访问。")
    source = request.POST if request.method == "POST" else request.GET
    organization = _chosen_organization(organizations, source.get("organization"))
    meeting_type = source.get("type", "")
    hosts = selectors.host_candidates(organization=organization) if organization is not None else None
    posted = None
    if request.method == "POST":
        form = MeetingForm(request.POST, request.FILES, organizations=organizations, hosts=hosts)
        try:
            posted = parse_attendance(request.POST)
        except AttendanceParseError as error:
            form.add_error(None, str(error))
        if form.is_valid() and posted is not None:
            data = form.cleaned_data
            try:
                meeting = services.meeting_record(
                    acting_user=request.user, organization=data["organization"], type=data["type"],
                    held_on=data["held_on"], topic=data["topic"], place=data["place"],
                    host_member=data["host_member"], host_name=data["host_name"], recorder_name=data["recorder_name"],
                    minutes=data["minutes"], attendance=posted[0], notes=posted[1], photos=data["photos"],
                )
            except RuleViolation as violation:
                form.add_rule_violation(violation)
            else:
                messages.success(request, "会议已录入。")
                if meeting.is_late:
                    messages.warning(request, "该会议录入时已超过本单位规定的录入期限，已标记为补录。")
                return redirect("meetings:detail", pk=meeting.pk)
    else:
        initial: dict[str, Any] = {"held_on": china_today()}
        if organization is not None:
            initial["organization"] = organization
        elif organizations.count() == 1:
            organization = organizations.first()
            initial["organization"] = organization
        if meeting_type in rules.MEETING_TYPE_LABELS:
            initial["type"] = meeting_type
        form = MeetingForm(initial=initial, organizations=organizations, hosts=hosts)
    context = _attendee_context(organization=organization, meeting_type=meeting_type, posted=posted,
                                host_member_id=str(source.get("host_member", "")))
    return render(request, "branches/meetings/form.html", {"form": form, **context},
                  status=400 if request.method == "POST" else 200)


@login_required
def attendees(request: HttpRequest) -> HttpResponse:
    """The attendee table for an organization and type (htmx, on the record form)."""
    organizations = selectors.organizations_for_recording(user=request.user)
    raw = request.GET.get("organization")
    organization = _chosen_organization(organizations, raw)
    if raw and organization is None:
        raise Http404("页面不存在或无权访问。")
    context = _attendee_context(organization=organization, meeting_type=request.GET.get("type", ""))
    return render(request, "branches/meetings/_attendee_table.html", context)


# --- detail, edit, attendance, void ---------------------------------------------------------------------


def _detail_context(request: HttpRequest, meeting: Meeting, **extra: Any) -> dict[str, Any]:
    may_change = selectors.may_change(user=request.user, meeting=meeting) and not meeting.is_voided
    recorded = selectors.attendance_of(meeting)
    summary = {label: 0 for label in rules.ATTENDANCE_STATUS_LABELS.values()}
    for row in recorded:
        summary[rules.ATTENDANCE_STATUS_LABELS[row.status]] += 1
    context = {
        "meeting": meeting,
        "recorded": recorded,
        "summary": summary,
        "photos": selectors.photos_of(meeting),
        "may_change": may_change,
        "may_see_history": scoping.can(request.user, Action.VIEW_AUDIT, meeting.organization),
        "status_choices": list(rules.ATTENDANCE_STATUS_LABELS.items()),
        "rows": selectors.attendee_rows(organization=meeting.organization, meeting_type=meeting.type,
                                        meeting=meeting, default="") if may_change else None,
        "upload_form": PhotoUploadForm() if may_change else None,
        "void_form": VoidForm() if may_change else None,
    }
    context.update(extra)
    return context


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    return render(request, "branches/meetings/detail.html", _detail_context(request, meeting))


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_change(user=request.user, pk=pk)
    hosts = selectors.host_candidates(organization=meeting.organization)
    if request.method == "POST":
        form = MeetingEditForm(request.POST, hosts=hosts)
        if form.is_valid():
            try:
                services.meeting_update(acting_user=request.user, meeting=meeting, **form.cleaned_data)
            except RuleViolation as violation:
                form.add_rule_violation(violation)
            else:
                messages.success(request, "会议记录已修改。")
                return redirect("meetings:detail", pk=meeting.pk)
    else:
        form = MeetingEditForm(hosts=hosts, initial={
            "held_on": meeting.held_on, "topic": meeting.topic, "place": meeting.place,
            "host_member": meeting.host_member_id,
            "host_name": "" if meeting.host_member_id else meeting.host_name,
            "recorder_name": meeting.recorder_name, "minutes": meeting.minutes,
        })
    return render(request, "branches/meetings/edit.html", {"form": form, "meeting": meeting},
                  status=400 if request.method == "POST" else 200)


@require_POST
@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Sets attendance from the detail page's table (htmx: answers with the table itself)."""
    meeting = selectors.meeting_get_for_change(user=request.user, pk=pk)
    error = ""
    try:
        statuses, notes = parse_attendance(request.POST)
        if not statuses:
            raise RuleViolation("attendance.empty", "请至少为一名党员选择出勤情况。", field="attendance")
        services.attendance_set(acting_user=request.user, meeting=meeting, attendance=statuses, notes=notes)
    except (RuleViolation, AttendanceParseError) as problem:
        error = problem.message if isinstance(problem, RuleViolation) else str(problem)
    if _is_htmx(request):
        meeting = selectors.meeting_get(user=request.user, pk=pk)
        context = _detail_context(request, meeting, attendance_error=error, attendance_saved=not error)
        return render(request, "branches/meetings/_attendance.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "出勤情况已保存。")
    return redirect("meetings:detail", pk=meeting.pk)


@require_POST
@login_required
def meeting_void(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_change(user=request.user, pk=pk)
    form = VoidForm(request.POST)
    if form.is_valid():
        performed(request, lambda: services.meeting_void(acting_user=request.user, meeting=meeting,
                                                         reason=form.cleaned_data["reason"]),
                  "会议记录已作废，不再计入会议达标和出勤统计。")
    else:
        messages.error(request, "请填写作废原因。")
    return redirect("meetings:detail", pk=meeting.pk)


# --- photos -----------------------------------------------------------------------------------------------


@require_POST
@login_required
def photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_change(user=request.user, pk=pk)
    form = PhotoUploadForm(request.POST, request.FILES)
    if form.is_valid():
        photos = form.cleaned_data["photos"]
        performed(request, lambda: services.photo_add(acting_user=request.user, meeting=meeting, files=photos,
                                                      captions=[form.cleaned_data["caption"]] * len(photos)),
                  f"已上传 {len(photos)} 张照片。")
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect("meetings:detail", pk=meeting.pk)


@never_cache
@login_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    """Photos are served only here, after the scope check; never from a static or media URL."""
    item = selectors.photo_get(user=request.user, pk=pk)
    return stored_file_response(item.image, content_type=item.content_type, inline=True)


@require_POST
@login_required
def photo_remove(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.photo_get(user=request.user, pk=pk)
    meeting = selectors.meeting_get_for_change(user=request.user, pk=item.meeting_id)
    try:
        services.photo_remove(acting_user=request.user, photo=item)
    except RuleViolation as violation:
        messages.error(request, violation.message)
    else:
        messages.success(request, "照片已删除。")
    return redirect("meetings:detail", pk=meeting.pk)


# --- county compliance, own attendance --------------------------------------------------------------------


@login_required
def compliance(request: HttpRequest) -> HttpResponse:
    """Branches × meeting types, held vs required in a quarter; overdue per township as a bar chart."""
    if not selectors.has_meeting_scope(request.user):
        raise Http404("页面不存在或无权访问。")
    today = china_today()
    form = ComplianceFilterForm(request.GET or None, today=today)
    window = form.window()
    report = selectors.compliance_report(user=request.user, window=window, today=today,
                                         township_id=form.township_id(), overdue_only=form.wants_overdue_only())
    page = Paginator(report.rows, COMPLIANCE_PAGE_SIZE).get_page(request.GET.get("page"))
    townships = [(t, n) for t, n in report.townships if t is not None]
    return render(request, "branches/meetings/compliance.html", {
        "form": form,
        "report": report,
        "page": page,
        "townships": townships,
        "chosen_township": form.township_id(),
        "period_options": form.period_options(),
        "chart": {
            "labels": [t.short_name or t.name for t, _ in townships],
            "overdue": [n for _, n in townships],
        },
    })


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """我的组织生活: the member's own attendance (phone first)."""
    member, rows = selectors.own_attendance(user=request.user)
    if member is None:
        raise Http404("页面不存在或无权访问。")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    year = china_today().year
    counts = selectors.attendance_counts(member_ids=[member.pk], start=rules.period_of(
        china_today(), rules.Frequency.YEAR).start, end=china_today())[member.pk]
    return render(request, "branches/meetings/mine.html", {
        "member": member, "page": page, "year": year,
        "counts": [(rules.ATTENDANCE_STATUS_LABELS[s], n) for s, n in counts.items()],
    })
