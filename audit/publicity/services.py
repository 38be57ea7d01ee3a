"""Writes of publicity windows and objections; each emits its audit events in its transaction.

Callers pass windows and objections they fetched through the selectors and have checked the action
for (`selectors.may_manage` for officers' actions); the services check the rules.

What a substantive objection terminates (seed 000: "发现有实质性问题的，应立即终止发展程序")
-------------------------------------------------------------------------------------------------
A window often publicizes several people at once (all the activists a branch designated this
spring). A substantive problem with one of them stops *that person's* process, not the others':

* an objection naming an entry terminates that entry — its subject's process, through the handler
  the domain app registered for the subject type (`audit.registry.publicity_handler`), called once,
  inside the concluding transaction;
* an objection against the window as a whole (no entry) terminates every entry still running;
* the window itself is terminated when no entry is left running — at once for a one-entry window.
An entry already terminated is never terminated (nor its handler called) twice.

Anonymous objections
--------------------
An anonymous online objection keeps no filer: the row has no `filed_by` and its audit event no
actor, so no page, export or audit view can name the person (the event still records the time and
what was filed). A named objection shows its filer to the officers who handle it.
"""

import json
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from audit.notifications.services import notify_many
from audit.registry import publicity_handler
from audit.services import mask_personal_data, record
from branches.models import Organization
from branches.policies import PUBLICITY_PERIOD, policy_value
from partyadmin.errors import RuleViolation
from partyadmin.workdays import add_working_days, china_today

from . import rules, selectors
from .models import (
    Channel,
    Finding,
    Objection,
    ObjectionStatus,
    PublicityEntry,
    PublicityWindow,
    WindowStatus,
)

EntrySpec = tuple[str, str, dict[str, Any]]  # (subject_type, subject_id, public fields)
CONTENT_MAX = 2000
TERMINATION_REASON_MAX = 1000


def _frozen(value: dict[str, Any]) -> dict[str, Any]:
    """A deep, JSON-shaped copy: later changes to the caller's dict (or its source) never reach it."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def _window_url(window: PublicityWindow) -> str:
    return reverse("audit:publicity:detail", args=[window.pk])


def _objection_url(objection: Objection) -> str:
    return reverse("audit:publicity:objection_detail", args=[objection.pk])


def _entry_label(entry: PublicityEntry | None) -> str:
    return "整个公示" if entry is None else f"第{entry.order}位 {entry.snapshot.get('name', '')}"


# --- opening ----------------------------------------------------------------------------------


def _checked_entries(entries: list[EntrySpec], declared: dict[str, str]) -> list[tuple[str, str, dict[str, Any]]]:
    if not entries:
        raise RuleViolation("publicity.no_entries", "请至少填写一个公示对象。", field="entries")
    checked = []
    seen: set[tuple[str, str]] = set()
    for number, (subject_type, subject_id, fields) in enumerate(entries, start=1):
        subject = (str(subject_type or ""), str(subject_id or ""))
        try:
            snapshot = rules.check_public_fields(_frozen(dict(fields)), result_fields=declared)
        except RuleViolation as violation:
            name = str(fields.get("name", "") or "").strip()
            prefix = f"第{number}个公示对象" + (f"（{name}）" if name else "")
            raise RuleViolation(violation.code, f"{prefix}：{violation.message}", field=violation.field) from None
        if subject[0] and subject in seen:
            raise RuleViolation("publicity.duplicate_subject", f"第{number}个公示对象与前面的重复。", field="entries")
        seen.add(subject)
        checked.append((subject[0], subject[1], snapshot))
    return checked


@transaction.atomic
def publicity_open(
    *,
    acting_user: AbstractBaseUser | None,
    organization: Organization,
    title: str,
    kind: str,
    entries: list[EntrySpec],
    scope: list[str],
    starts_on: date,
    contact: str = "",
    kind_label: str = "",
    result_fields: dict[str, str] | None = None,
    results_label: str = "",
    today: date | None = None,
) -> PublicityWindow:
    """Publishes a notice (全程公示, seed 000 二(三)1) for the tenant's period, computed once and stored.

    `entries` are (subject_type, subject_id, fields): the fields are checked against the public
    ones (rules.check_public_fields) and frozen as they are now. `result_fields` declares extra
    non-personal result columns ({key: 中文列名}); `results_label` renames the "results" column.
    The window opens at once if it starts today, else it waits for the daily job.
    """
    today = today or china_today()
    title = title.strip()
    if not title:
        raise RuleViolation("publicity.title_missing", "请填写公示标题。", field="title")
    label = rules.kind_label_for(kind, kind_label)
    scope = rules.check_scope(scope)
    rules.check_start(starts_on, today=today)
    declared = rules.check_result_fields(result_fields or {})
    checked = _checked_entries(entries, declared)
    period = rules.period_from_policy(policy_value(organization, PUBLICITY_PERIOD))
    ends_on = rules.window_end(starts_on, period, add_working_days=add_working_days)
    status = rules.status_on_opening(starts_on, today=today)
    window = PublicityWindow.objects.create(
        organization=organization,
        county_id=organization.county_id,
        title=title[:200],
        kind=kind,
        kind_label=label,
        scope=scope,
        columns=rules.columns_for([snapshot for _, _, snapshot in checked], result_fields=declared,
                                  results_label=results_label),
        opened_by=acting_user if acting_user is not None and acting_user.is_authenticated else None,
        starts_on=starts_on,
        ends_on=ends_on,
        period_unit=period.unit,
        period_count=period.count,
        status=status,
        contact=contact.strip()[:100],
        opened_at=timezone.now() if status == WindowStatus.OPEN else None,
    )
    PublicityEntry.objects.bulk_create([
        PublicityEntry(window=window, subject_type=subject_type, subject_id=subject_id, snapshot=snapshot,
                       order=order)
        for order, (subject_type, subject_id, snapshot) in enumerate(checked, start=1)
    ])
    contact_for_trail, _ = mask_personal_data(window.contact)
    record(
        actor=acting_user, action="publicity.open", organization=organization, subject=window,
        changes={
            "title": [None, window.title], "kind": [None, label], "scope": [None, window.scope_labels],
            "starts_on": [None, starts_on], "ends_on": [None, ends_on], "period": [None, window.period_label],
            "status": [None, window.get_status_display()], "contact": [None, contact_for_trail],
            "entries": [None, [snapshot.get("name") for _, _, snapshot in checked]],
        },
    )
    return window


# --- the daily job ----------------------------------------------------------------------------


def _claimed(queryset: QuerySet[PublicityWindow], *, status: str, stamp_field: str) -> list[PublicityWindow]:
    """Claims the rows of `queryset` with one conditional UPDATE and returns the rows *this* run
    changed, recognized by the timestamp it wrote.

    `queryset` filters on the old status, so a row another run changed no longer matches. On
    PostgreSQL the rows are picked with FOR UPDATE SKIP LOCKED: a concurrent run takes the rows
    this one has not locked instead of waiting for them (no deadlock, and the work can be split).
    """
    now = timezone.now()
    claimable = queryset.order_by().select_for_update(skip_locked=True).values("pk")
    changed = queryset.filter(pk__in=claimable).update(status=status, updated_at=now, **{stamp_field: now})
    if not changed:
        return []
    return list(
        PublicityWindow.objects.filter(status=status, **{stamp_field: now}).select_related("organization").order_by("pk")
    )


@transaction.atomic
def _open_due(today: date) -> int:
    windows = _claimed(
        PublicityWindow.objects.filter(status=WindowStatus.SCHEDULED, starts_on__lte=today),
        status=WindowStatus.OPEN, stamp_field="opened_at",
    )
    for window in windows:
        record(actor=None, action="publicity.start", organization=window.organization, subject=window,
               changes={"status": [WindowStatus.SCHEDULED.label, WindowStatus.OPEN.label]})
    return len(windows)


@transaction.atomic
def _close_due(today: date) -> int:
    # A window is open through the end of its last day: it closes once that day has passed.
    windows = _claimed(
        PublicityWindow.objects.filter(status=WindowStatus.OPEN, ends_on__lt=today),
        status=WindowStatus.CLOSED, stamp_field="closed_at",
    )
    for window in windows:
        record(actor=None, action="publicity.close", organization=window.organization, subject=window,
               changes={"status": [WindowStatus.OPEN.label, WindowStatus.CLOSED.label]})
    return len(windows)


@transaction.atomic
def _remind_closing(today: date) -> int:
    """Tells the opener and the secretaries that a window ends tomorrow (or today, if yesterday's run
    was missed). The key names the window and its last day: never sent twice."""
    windows = list(
        PublicityWindow.objects.filter(status=WindowStatus.OPEN, ends_on__range=(today, today + timedelta(days=1)))
        .select_related("organization", "opened_by").order_by("pk")
    )
    if not windows:
        return 0
    secretaries = selectors.secretaries_of(sorted({window.organization_id for window in windows}))
    sent = 0
    for window in windows:
        users = {user.pk: user for user in secretaries.get(window.organization_id, [])}
        if window.opened_by is not None and window.opened_by.is_active:
            users[window.opened_by.pk] = window.opened_by
        sent += notify_many(
            users=users.values(), key=f"publicity:{window.pk}:closing:{window.ends_on.isoformat()}",
            kind="publicity.closing", title=f"公示即将结束：{window.title}",
            body=f"{window.organization.name}的“{window.title}”公示至{window.ends_on.year}年{window.ends_on.month}月"
                 f"{window.ends_on.day}日结束，请及时处理收到的异议。",
            url=_window_url(window), organization=window.organization,
        )
    return sent


def publicity_tick(*, today: date) -> dict[str, int]:
    """The daily job (DESIGN §2.3): opens windows whose start has come, closes those whose last day
    has passed, reminds about those ending tomorrow. Safe to run twice: each step claims its rows
    with a conditional UPDATE on the old status, and reminders are idempotent per key."""
    return {"opened": _open_due(today), "closed": _close_due(today), "reminded": _remind_closing(today)}


# --- objections -------------------------------------------------------------------------------


def _locked(window: PublicityWindow) -> PublicityWindow:
    """The window re-read under a row lock: filing and concluding serialize on it."""
    return PublicityWindow.objects.select_for_update(of=("self",)).select_related("organization", "opened_by").get(pk=window.pk)


def _check_entry(window: PublicityWindow, entry: PublicityEntry | None) -> None:
    if entry is None:
        return
    if entry.window_id != window.pk:
        raise RuleViolation("publicity.entry_not_in_window", "所选公示对象不属于该公示。", field="entry")
    if entry.is_terminated:
        raise RuleViolation("publicity.entry_terminated", "该公示对象的程序已终止，不再受理异议。", field="entry")


def _checked_content(content: str) -> str:
    content = content.strip()
    if not content:
        raise RuleViolation("publicity.content_missing", "请填写异议内容。", field="content")
    if len(content) > CONTENT_MAX:
        raise RuleViolation("publicity.content_too_long", f"异议内容不能超过{CONTENT_MAX}字。", field="content")
    return content


def _notify_filed(window: PublicityWindow, objection: Objection, *, except_user: AbstractBaseUser | None) -> None:
    """The opener (and the secretaries, who answer for the branch) learn of each objection."""
    users = {user.pk: user for user in selectors.secretaries_of([window.organization_id]).get(window.organization_id, [])}
    if window.opened_by is not None and window.opened_by.is_active:
        users[window.opened_by.pk] = window.opened_by
    if except_user is not None:
        users.pop(except_user.pk, None)
    notify_many(
        users=users.values(), key=f"publicity:{window.pk}:objection:{objection.pk}", kind="publicity.objection",
        title=f"公示收到异议：{window.title}",
        body=f"{objection.get_channel_display()}，针对{_entry_label(objection.entry)}，请及时调查核实。",
        url=_objection_url(objection), organization=window.organization,
    )


def _objection_changes(objection: Objection) -> dict[str, list[Any]]:
    return {
        "channel": [None, objection.get_channel_display()],
        "entry": [None, _entry_label(objection.entry)],
        "anonymous": [None, objection.is_anonymous],
        "received_on": [None, objection.received_on],
        "content": [None, objection.content[:500]],
    }


@transaction.atomic
def objection_file(
    *, acting_user: AbstractBaseUser, window: PublicityWindow, entry: PublicityEntry | None = None, content: str,
    anonymous: bool = False, today: date | None = None,
) -> Objection:
    """A member of the publishing branch objects online while the window is open (seed 000:
    "接受党员、群众监督"). Anonymous: the objection keeps no filer (see the module docstring)."""
    today = today or china_today()
    window = _locked(window)
    if not selectors.is_member_in_scope(user=acting_user, window=window):
        raise RuleViolation("publicity.not_in_scope",
                            "只有本支部党员可以在网上提出异议；群众来信、来电、来访由党组织登记。")
    if not rules.accepts_objections(status=window.status, starts_on=window.starts_on, ends_on=window.ends_on,
                                    today=today):
        raise RuleViolation("publicity.not_open", "该公示不在公示期内，不能提出异议。")
    _check_entry(window, entry)
    objection = Objection.objects.create(
        window=window, county_id=window.county_id, entry=entry, filed_by=None if anonymous else acting_user,
        channel=Channel.ONLINE, content=_checked_content(content), is_anonymous=anonymous, received_on=today,
        filed_at=timezone.now(),
    )
    record(actor=None if anonymous else acting_user, action="publicity.objection_file",
           organization=window.organization, subject=window, changes=_objection_changes(objection))
    _notify_filed(window, objection, except_user=None)
    return objection


@transaction.atomic
def objection_record(
    *, acting_user: AbstractBaseUser, window: PublicityWindow, entry: PublicityEntry | None, content: str,
    channel: str, anonymous: bool, on_behalf_of_name: str = "", received_on: date | None = None,
    today: date | None = None,
) -> Objection:
    """An officer enters an objection received on paper, by phone or in person, during the window
    (possibly after it closed: seed 000 "对公示期间群众反映的问题要认真调查核实")."""
    today = today or china_today()
    received_on = received_on or today
    window = _locked(window)
    if window.status not in (WindowStatus.OPEN, WindowStatus.CLOSED):
        raise RuleViolation("publicity.not_open", f"该公示{window.get_status_display()}，不能登记异议。")
    rules.check_received_during_window(received_on, starts_on=window.starts_on, ends_on=window.ends_on, today=today)
    if channel not in (Channel.PAPER, Channel.PHONE, Channel.VISIT):
        raise RuleViolation("publicity.bad_channel", "请选择书面来信、电话反映或来访反映。", field="channel")
    name = on_behalf_of_name.strip()
    if anonymous and name:
        raise RuleViolation("publicity.anonymous_named", "匿名反映不填写反映人姓名。", field="on_behalf_of_name")
    if not anonymous and not name:
        raise RuleViolation("publicity.name_missing", "请填写反映人姓名，或勾选“匿名”。", field="on_behalf_of_name")
    _check_entry(window, entry)
    objection = Objection.objects.create(
        window=window, county_id=window.county_id, entry=entry, recorded_by=acting_user, on_behalf_of_name=name[:50],
        channel=channel, content=_checked_content(content), is_anonymous=anonymous, received_on=received_on,
        filed_at=timezone.now(),
    )
    changes = _objection_changes(objection)
    if name:
        changes["on_behalf_of_name"] = [None, name]
    record(actor=acting_user, action="publicity.objection_record", organization=window.organization, subject=window,
           changes=changes)
    _notify_filed(window, objection, except_user=acting_user)
    return objection


def _locked_objection(objection: Objection) -> tuple[PublicityWindow, Objection]:
    """Window first, then objection: the same lock order as filing."""
    window = _locked(objection.window)
    locked = Objection.objects.select_for_update(of=("self",)).select_related("entry").get(pk=objection.pk)
    locked.window = window
    return window, locked


@transaction.atomic
def objection_investigate(*, acting_user: AbstractBaseUser, objection: Objection, investigation: str = "") -> Objection:
    """Starts (or updates the notes of) the investigation of a received objection."""
    window, objection = _locked_objection(objection)
    if objection.status == ObjectionStatus.CONCLUDED:
        raise RuleViolation("publicity.objection_concluded", "该异议已办结。")
    before = {"status": objection.get_status_display(), "investigation": objection.investigation}
    objection.status = ObjectionStatus.INVESTIGATING
    objection.investigation = investigation.strip() or objection.investigation
    objection.investigated_by = acting_user
    objection.save(update_fields=["status", "investigation", "investigated_by"])
    after = {"status": objection.get_status_display(), "investigation": objection.investigation}
    record(actor=acting_user, action="publicity.objection_investigate", organization=window.organization,
           subject=window, subject_label=f"{window.title} · 异议 #{objection.pk}",
           changes={key: [before[key], after[key]] for key in after if before[key] != after[key]})
    return objection


@transaction.atomic
def objection_conclude(
    *, acting_user: AbstractBaseUser, objection: Objection, finding: str, investigation: str,
) -> Objection:
    """Records the finding of the investigation (seed 000: "认真调查核实"). A substantive problem
    terminates the process at once ("应立即终止发展程序"): see the module docstring for what it ends."""
    window, objection = _locked_objection(objection)
    if objection.status == ObjectionStatus.CONCLUDED:
        raise RuleViolation("publicity.objection_concluded", "该异议已办结。")
    if finding not in Finding.values:
        raise RuleViolation("publicity.bad_finding", "请选择核实结论。", field="finding")
    investigation = investigation.strip()
    if not investigation:
        raise RuleViolation("publicity.investigation_missing", "请写明调查核实情况。", field="investigation")
    now = timezone.now()
    before_status = objection.get_status_display()
    objection.status = ObjectionStatus.CONCLUDED
    objection.finding = finding
    objection.investigation = investigation
    objection.investigated_by = acting_user
    objection.concluded_at = now
    objection.save(update_fields=["status", "finding", "investigation", "investigated_by", "concluded_at"])
    record(
        actor=acting_user, action="publicity.objection_conclude", organization=window.organization, subject=window,
        subject_label=f"{window.title} · 异议 #{objection.pk}",
        changes={"status": [before_status, objection.get_status_display()],
                 "finding": [None, objection.get_finding_display()], "investigation": [None, investigation[:500]]},
    )
    if finding == Finding.SUBSTANTIVE:
        _terminate(acting_user=acting_user, window=window, objection=objection, now=now)
    if objection.filed_by is not None and objection.filed_by.is_active:
        notify_many(
            users=[objection.filed_by], key=f"publicity:objection:{objection.pk}:concluded",
            kind="publicity.objection_concluded", title=f"您对“{window.title}”提出的异议已办结",
            body=f"核实结论：{objection.get_finding_display()}。", url=_window_url(window),
            organization=window.organization,
        )
    return objection


def _terminate(*, acting_user: AbstractBaseUser, window: PublicityWindow, objection: Objection, now: Any) -> None:
    """Terminates the entries the objection concerns, calls their subjects' handlers once each, and
    the window when no entry is left running."""
    running = list(window.entries.select_for_update().filter(terminated_at__isnull=True).order_by("order"))
    targets = running if objection.entry_id is None else [e for e in running if e.pk == objection.entry_id]
    if targets:
        PublicityEntry.objects.filter(pk__in=[entry.pk for entry in targets]).update(terminated_at=now)
    for entry in targets:
        entry.terminated_at = now
        record(
            actor=acting_user, action="publicity.entry_terminate", organization=window.organization, subject=window,
            subject_label=f"{window.title} · {_entry_label(entry)}",
            changes={"entry": [None, _entry_label(entry)], "subject": [None, f"{entry.subject_type}:{entry.subject_id}"],
                     "objection": [None, objection.pk]},
        )
        handler = publicity_handler(entry.subject_type) if entry.subject_type else None
        if handler is not None:
            handler(acting_user=acting_user, subject_id=entry.subject_id, window=window, objection=objection)
    if len(targets) < len(running) or window.status == WindowStatus.TERMINATED:
        return
    before = window.get_status_display()
    window.status = WindowStatus.TERMINATED
    window.terminated_at = now
    window.termination_reason = (
        f"异议 #{objection.pk} 经调查核实存在实质性问题：{objection.investigation}"
    )[:TERMINATION_REASON_MAX]
    window.save(update_fields=["status", "terminated_at", "termination_reason", "updated_at"])
    record(
        actor=acting_user, action="publicity.terminate", organization=window.organization, subject=window,
        changes={"status": [before, window.get_status_display()],
                 "termination_reason": [None, window.termination_reason[:500]]},
    )
    if window.opened_by is not None and window.opened_by.is_active and window.opened_by.pk != acting_user.pk:
        notify_many(
            users=[window.opened_by], key=f"publicity:{window.pk}:terminated", kind="publicity.terminated",
            title=f"公示已终止：{window.title}", body=window.termination_reason[:300], url=_window_url(window),
            organization=window.organization,
        )
