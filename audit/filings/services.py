"""Writes to filings: submit, decide, resubmit, withdraw, extend, and the daily overdue job.

Callers pass objects they fetched through the tenancy scope (`selectors`) and have checked the
permission for (`selectors.may_submit`, `selectors.may_decide`); the services check the rules, emit
one audit event per change, and notify the people who must act. Each state change is claimed with a
conditional UPDATE (`… WHERE status = 'pending' AND revision = n`) whose row count must be 1, so two
reviewers deciding at once, or a decision racing a withdrawal, leave exactly one outcome.
"""

from collections.abc import Iterable, Sequence
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from audit.notifications.services import notify, notify_many
from audit.registry import filing_handler
from audit.services import record
from branches.models import Organization, OrganizationKind, OrganizationUserObjectPermission
from branches.policies import policy_value
from branches.scoping import Role
from partyadmin.errors import RuleViolation
from partyadmin.files import removed_on_failure
from partyadmin.workdays import add_working_days, china_today

from . import policies, rules
from .models import Filing, FilingKind, FilingMaterial, FilingRound, FilingStatus
from .uploads import CheckedMaterial, MaterialUpload, check_uploads

# Who answers a filing addressed to an organization: its reviewers and its officers.
HANDLER_ROLES = (Role.REVIEWER, Role.SECRETARY, Role.COMMITTEE)
TICK_BATCH = 500


# --- the tree, as the rules see it ------------------------------------------------------------------

def ancestors_of(organization: Organization) -> list[Organization]:
    """The organization's ancestors, nearest first (one query over the path prefixes)."""
    step = Organization.steplen
    paths = [organization.path[:end] for end in range(step, len(organization.path), step)]
    return list(Organization.objects.filter(path__in=paths).order_by("-depth"))


def _node(organization: Organization) -> rules.Node:
    return rules.Node(organization.pk, organization.kind, organization.can_approve_admission, organization.name)


def township_of(organization: Organization, ancestors: Sequence[Organization]) -> Organization | None:
    """The node right under the county department on the way up (乡镇党委 / 基层党委), if any."""
    chain = [organization, *ancestors]
    for below, node in zip(chain, chain[1:], strict=False):
        if node.kind == OrganizationKind.COUNTY_DEPT:
            return below
    return None


def handling_organization(*, from_organization: Organization, kind: str) -> Organization:
    """Which superior handles a filing of `kind` from `from_organization` (see `rules.route`)."""
    ancestors = ancestors_of(from_organization)
    target = rules.route(kind=kind, origin=_node(from_organization), ancestors=[_node(a) for a in ancestors])
    return next(a for a in ancestors if a.pk == target.id)


def _due_on(*, kind: str, submitted_on: date, to_organization: Organization) -> date:
    period = rules.DEFAULT_REVIEW_PERIOD
    if kind == FilingKind.REVIEW:
        period = policy_value(to_organization, policies.REVIEW_PERIOD)
    elif kind == FilingKind.PRE_REVIEW:
        period = policy_value(to_organization, policies.PRE_REVIEW_PERIOD)
    return rules.due_on(kind=kind, submitted_on=submitted_on, review_period=period,
                        add_working_days=add_working_days)


# --- who is told ----------------------------------------------------------------------------------

def handlers_of(organization: Organization) -> QuerySet:
    """Active users holding a reviewer, secretary or committee grant on the organization itself."""
    grants = OrganizationUserObjectPermission.objects.filter(
        content_object=organization, permission__codename__in=[role.codename for role in HANDLER_ROLES],
    ).values("user_id")
    return get_user_model().objects.filter(pk__in=grants, is_active=True).order_by("pk")


def _url(filing: Filing) -> str:
    return reverse("audit:filings:detail", args=[filing.pk])


def _notify_handlers(filing: Filing, *, key: str, title: str, body: str = "") -> None:
    notify_many(users=handlers_of(filing.to_organization), key=key, kind="filing", title=title, body=body,
                url=_url(filing), organization=filing.to_organization)


def _notify_submitter(filing: Filing, *, key: str, title: str, body: str = "") -> None:
    if filing.submitted_by is not None and filing.submitted_by.is_active:
        notify(user=filing.submitted_by, key=key, kind="filing", title=title, body=body, url=_url(filing),
               organization=filing.from_organization)


# --- materials ------------------------------------------------------------------------------------

def _store_materials(*, filing: Filing, checked: Iterable[CheckedMaterial], acting_user: AbstractBaseUser | None,
                     saved: list[str]) -> list[FilingMaterial]:
    rows = []
    now = timezone.now()
    for item in checked:
        material = FilingMaterial(
            filing=filing, revision=filing.revision, title=item.title, original_name=item.name,
            file_type=item.type.code, size=item.size, uploaded_by=_user_or_none(acting_user), uploaded_at=now,
        )
        item.file.seek(0)
        material.file.save(f"material{item.type.extensions[0]}", item.file, save=False)
        saved.append(material.file.name)
        material.save()
        rows.append(material)
    return rows


def _material_storage() -> Storage:
    """Where materials are stored: a failed submission removes the files it wrote there."""
    return FilingMaterial._meta.get_field("file").storage


def _user_or_none(user: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return user if user is not None and user.is_authenticated else None


def _material_log(rows: Iterable[FilingMaterial]) -> list[str]:
    return [f"{row.title}（{row.get_file_type_display()}，{row.size} 字节）" for row in rows]


# --- submit ---------------------------------------------------------------------------------------

@transaction.atomic
def filing_submit(
    *,
    acting_user: AbstractBaseUser | None,
    from_organization: Organization,
    kind: str,
    subject_type: str,
    subject_id: str | int,
    subject_label: str,
    title: str,
    note: str = "",
    materials: Sequence[MaterialUpload] = (),
    to_organization: Organization | None = None,
    today: date | None = None,
) -> Filing:
    """Sends a filing to the superior that handles it and tells that organization's reviewers.

    Materials are checked (type by content, size) before anything is written: one refused file
    refuses the submission. Files written by a submission whose transaction then fails are removed.
    """
    if kind not in FilingKind.values:
        raise RuleViolation("filing.kind", "报送类别无效。", field="kind")
    title = title.strip()
    if not title:
        raise RuleViolation("filing.title_required", "请填写标题。", field="title")
    checked = check_uploads(list(materials))
    ancestors = ancestors_of(from_organization)
    nodes = [_node(a) for a in ancestors]
    if to_organization is None:
        target = rules.route(kind=kind, origin=_node(from_organization), ancestors=nodes)
        to_organization = next(a for a in ancestors if a.pk == target.id)
    else:
        rules.check_explicit_target(target_id=to_organization.pk, ancestors=nodes)
    today = today or china_today()
    county_id = from_organization.county_id or to_organization.county_id or to_organization.pk
    with removed_on_failure(_material_storage()) as saved:
        filing = Filing.objects.create(
            county_id=county_id, township=township_of(from_organization, ancestors),
            from_organization=from_organization, to_organization=to_organization, kind=kind,
            subject_type=subject_type, subject_id=str(subject_id), subject_label=subject_label.strip()[:200],
            title=title[:200], note=note.strip(), submitted_by=_user_or_none(acting_user),
            submitted_at=timezone.now(), submitted_on=today,
            due_on=_due_on(kind=kind, submitted_on=today, to_organization=to_organization),
        )
        FilingRound.objects.create(
            filing=filing, revision=1, note=filing.note, submitted_by=filing.submitted_by,
            submitted_at=filing.submitted_at, due_on=filing.due_on,
        )
        stored = _store_materials(filing=filing, checked=checked, acting_user=acting_user, saved=saved)
        record(
            actor=acting_user, action="filing.submit", organization=from_organization, subject=filing,
            changes={
                "kind": [None, kind], "to_organization": [None, to_organization.name],
                "subject_label": [None, filing.subject_label], "due_on": [None, filing.due_on],
                "materials": [None, _material_log(stored)],
            },
        )
        _notify_handlers(
            filing, key=f"filing:{filing.pk}:submitted:1",
            title=f"待{filing.get_kind_display()}：{from_organization.name}报送“{filing.title}”",
            body=f"请于 {filing.due_on:%Y年%m月%d日} 前办理。",
        )
    return filing


# --- decide ---------------------------------------------------------------------------------------

def _claim(filing: Filing, **changes: object) -> None:
    """Moves a pending filing on, or refuses if someone else already did (row count must be 1)."""
    claimed = Filing.objects.filter(pk=filing.pk, status=FilingStatus.PENDING, revision=filing.revision).update(
        **changes)
    if claimed != 1:
        raise RuleViolation("filing.not_pending", "该事项已办理或已撤回，请刷新后查看。")
    for name, value in changes.items():
        setattr(filing, name, value)


@transaction.atomic
def filing_decide(*, acting_user: AbstractBaseUser, filing: Filing, decision: str, opinion: str = "") -> Filing:
    """Approves or returns a pending filing; the subject's domain handler runs in this transaction.

    "党委的备案意见应在一个月内以书面形式通知党支部" (seed 000 二(一)4): the decision is written, with
    its opinion, and the submitter is notified.
    """
    rules.check_decision(decision=decision, opinion=opinion)
    status = FilingStatus.APPROVED if decision == "approve" else FilingStatus.RETURNED
    now = timezone.now()
    opinion = opinion.strip()
    _claim(filing, status=status, decided_by=acting_user, decided_at=now, opinion=opinion)
    FilingRound.objects.filter(filing=filing, revision=filing.revision).update(
        status=status, decided_by=acting_user, decided_at=now, opinion=opinion)
    handler = filing_handler(filing.subject_type)
    if handler is not None:
        handler(acting_user=acting_user, subject_id=filing.subject_id, filing=filing)
    record(
        actor=acting_user, action=f"filing.{decision}", organization=filing.to_organization, subject=filing,
        changes={"status": [FilingStatus.PENDING, status], "opinion": [None, opinion or None],
                 "revision": [None, filing.revision]},
    )
    verdict = "已通过" if status == FilingStatus.APPROVED else "被退回"
    _notify_submitter(
        filing, key=f"filing:{filing.pk}:decided:{filing.revision}",
        title=f"{filing.get_kind_display()}{verdict}：{filing.title}",
        body=opinion or f"{filing.to_organization.name}已办理。",
    )
    return filing


# --- resubmit, withdraw, extend ---------------------------------------------------------------------

@transaction.atomic
def filing_resubmit(
    *,
    acting_user: AbstractBaseUser,
    filing: Filing,
    note: str = "",
    materials: Sequence[MaterialUpload] = (),
    today: date | None = None,
) -> Filing:
    """Sends a returned (or withdrawn) filing again: a new round with a new due date; earlier rounds stay."""
    checked = check_uploads(list(materials))
    today = today or china_today()
    revision = filing.revision + 1
    due = _due_on(kind=filing.kind, submitted_on=today, to_organization=filing.to_organization)
    now = timezone.now()
    claimed = Filing.objects.filter(
        pk=filing.pk, revision=filing.revision, status__in=[FilingStatus.RETURNED, FilingStatus.WITHDRAWN],
    ).update(
        status=FilingStatus.PENDING, revision=revision, note=note.strip(), submitted_by=acting_user,
        submitted_at=now, submitted_on=today, due_on=due, extended_until=None, overdue_since=None,
        decided_by=None, decided_at=None, opinion="",
    )
    if claimed != 1:
        raise RuleViolation("filing.not_resubmittable", "只有已退回或已撤回的事项可以重新报送。")
    filing.refresh_from_db()
    with removed_on_failure(_material_storage()) as saved:
        FilingRound.objects.create(filing=filing, revision=revision, note=filing.note, submitted_by=acting_user,
                                   submitted_at=now, due_on=due)
        stored = _store_materials(filing=filing, checked=checked, acting_user=acting_user, saved=saved)
        record(
            actor=acting_user, action="filing.resubmit", organization=filing.from_organization, subject=filing,
            changes={"revision": [revision - 1, revision], "status": [None, FilingStatus.PENDING],
                     "due_on": [None, due], "materials": [None, _material_log(stored)]},
        )
        _notify_handlers(
            filing, key=f"filing:{filing.pk}:submitted:{revision}",
            title=f"重新报送待{filing.get_kind_display()}：{filing.from_organization.name}“{filing.title}”",
            body=f"第 {revision} 次报送，请于 {due:%Y年%m月%d日} 前办理。",
        )
    return filing


@transaction.atomic
def filing_withdraw(*, acting_user: AbstractBaseUser, filing: Filing, reason: str = "") -> Filing:
    """The sender takes a pending filing back (it can be resubmitted later)."""
    now = timezone.now()
    reason = reason.strip()
    _claim(filing, status=FilingStatus.WITHDRAWN, decided_by=None, decided_at=None, opinion="")
    FilingRound.objects.filter(filing=filing, revision=filing.revision).update(
        status=FilingStatus.WITHDRAWN, decided_by=acting_user, decided_at=now, opinion=reason)
    record(
        actor=acting_user, action="filing.withdraw", organization=filing.from_organization, subject=filing,
        changes={"status": [FilingStatus.PENDING, FilingStatus.WITHDRAWN], "reason": [None, reason or None]},
    )
    _notify_handlers(filing, key=f"filing:{filing.pk}:withdrawn:{filing.revision}",
                     title=f"已撤回：{filing.from_organization.name}“{filing.title}”", body=reason)
    return filing


@transaction.atomic
def filing_extend(*, acting_user: AbstractBaseUser, filing: Filing, until: date, reason: str) -> Filing:
    """Extends the time to approve (审批): "特殊情况可以延长审批时间，但不得超过六个月" (《细则》第二十九条)."""
    if not reason.strip():
        raise RuleViolation("filing.extension_reason_required", "请填写延长期限的理由。", field="reason")
    rules.check_extension(kind=filing.kind, submitted_on=filing.submitted_on, current_deadline=filing.deadline,
                          until=until)
    before = filing.deadline
    _claim(filing, extended_until=until, overdue_since=None)
    record(
        actor=acting_user, action="filing.extend", organization=filing.to_organization, subject=filing,
        changes={"deadline": [before, until], "reason": [None, reason.strip()]},
    )
    _notify_submitter(filing, key=f"filing:{filing.pk}:extended:{until.isoformat()}",
                      title=f"审批期限延长至 {until:%Y年%m月%d日}：{filing.title}", body=reason.strip())
    return filing


# --- downloads (an export of a document: audited) -----------------------------------------------------

@transaction.atomic
def material_download_record(*, acting_user: AbstractBaseUser, material: FilingMaterial) -> None:
    record(
        actor=acting_user, action="filing.material_download", organization=material.filing.from_organization,
        subject=material.filing, changes={"material": material.title, "revision": material.revision},
    )


# --- the daily job ----------------------------------------------------------------------------------

def overdue_q(today: date) -> Q:
    """Pending filings whose last day (extended or not) has passed."""
    return Q(status=FilingStatus.PENDING) & (
        Q(extended_until__lt=today) | Q(extended_until__isnull=True, due_on__lt=today)
    )


def _mark_overdue(pk: int, today: date) -> bool:
    with transaction.atomic():
        claimed = Filing.objects.filter(Q(pk=pk, overdue_since__isnull=True) & overdue_q(today)).update(
            overdue_since=today)
        if claimed != 1:
            return False
        filing = Filing.objects.select_related("to_organization", "from_organization", "submitted_by").get(pk=pk)
        record(actor=None, action="filing.overdue", organization=filing.to_organization, subject=filing,
               changes={"overdue_since": [None, today], "deadline": filing.deadline})
        key = f"filing:{pk}:overdue:{filing.deadline.isoformat()}"
        title = f"已超期：{filing.get_kind_display()}“{filing.title}”（期限 {filing.deadline:%Y年%m月%d日}）"
        _notify_handlers(filing, key=key, title=title, body=f"{filing.from_organization.name}报送，尚未办理。")
        _notify_submitter(filing, key=key, title=title, body=f"{filing.to_organization.name}尚未办理。")
    return True


def filings_tick(*, today: date, county_id: int | None = None) -> int:
    """Marks pending filings past their deadline as overdue and notifies, once each; returns how many.

    Safe to run twice: a filing is claimed by `UPDATE … WHERE overdue_since IS NULL`, and every
    notification key is unique per user. An extension or a resubmission clears the mark, and the
    next deadline gets its own key.
    """
    candidates = Filing.objects.filter(overdue_q(today), overdue_since__isnull=True)
    if county_id is not None:
        candidates = candidates.filter(county_id=county_id)
    marked = 0
    last = 0
    while True:
        batch = list(candidates.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:TICK_BATCH])
        if not batch:
            return marked
        marked += sum(_mark_overdue(pk, today) for pk in batch)
        last = batch[-1]
