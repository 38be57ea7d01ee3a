"""Writes to accountability cases: open, add a responsible party, extend, close, and the daily overdue job.

Callers pass cases fetched through `selectors.case_get` and have checked the permission
(`selectors.may_manage`, `selectors.may_extend`); the services check the rules of seed 000 二(三)3 and
emit one audit event per change.
"""

from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from audit.notifications.services import notify_many
from audit.services import record
from branches.models import Organization, OrganizationKind, OrganizationUserObjectPermission
from branches.scoping import Role
from partyadmin.errors import RuleViolation
from partyadmin.workdays import china_today

from . import rules
from .models import AccountabilityCase, CaseStatus, Outcome, PartyRole, ResponsibleParty, ViolationType

TICK_BATCH = 500


def _ancestor_paths(organization: Organization) -> list[str]:
    step = Organization.steplen
    return [organization.path[:end] for end in range(step, len(organization.path) + 1, step)]


def _township_of(organization: Organization) -> Organization | None:
    """The node right under the county department on the way up (乡镇党委 / 基层党委), if any."""
    chain = list(Organization.objects.filter(path__in=_ancestor_paths(organization)).order_by("depth"))
    for above, node in zip(chain, chain[1:], strict=False):
        if above.kind == OrganizationKind.COUNTY_DEPT:
            return node
    return None


def handlers_of(case: AccountabilityCase) -> QuerySet:
    """Reviewers granted on the case's organization or any organization above it."""
    grants = OrganizationUserObjectPermission.objects.filter(
        content_object__path__in=_ancestor_paths(case.organization), permission__codename=Role.REVIEWER.codename,
    ).values("user_id")
    return get_user_model().objects.filter(pk__in=grants, is_active=True).order_by("pk")


def _notify(case: AccountabilityCase, *, key: str, title: str, body: str = "") -> None:
    users = list(handlers_of(case))
    if case.opened_by is not None and case.opened_by.is_active and case.opened_by not in users:
        users.append(case.opened_by)
    notify_many(users=users, key=key, kind="accountability", title=title, body=body,
                url=reverse("audit:accountability:detail", args=[case.pk]), organization=case.organization)


def _check_open(case: AccountabilityCase) -> None:
    if not case.is_open:
        raise RuleViolation("case.closed", "该案件已办结，不能再修改。")


@transaction.atomic
def case_open(
    *,
    acting_user: AbstractBaseUser | None,
    organization: Organization,
    subject_label: str,
    violation_type: str,
    description: str,
    discovered_on: date,
    subject_type: str = "",
    subject_id: str | int = "",
    today: date | None = None,
) -> AccountabilityCase:
    """Opens a case; due 30 days after discovery ("自发现之日起，一般应在30日内处理完毕", seed 000 二(三)3(4))."""
    today = today or china_today()
    rules.check_discovered_on(discovered_on=discovered_on, today=today)
    if violation_type not in ViolationType.values:
        raise RuleViolation("case.violation_type", "请选择问题类型。", field="violation_type")
    if not subject_label.strip():
        raise RuleViolation("case.subject_required", "请填写涉及事项。", field="subject_label")
    if not description.strip():
        raise RuleViolation("case.description_required", "请填写问题描述。", field="description")
    case = AccountabilityCase.objects.create(
        county_id=organization.county_id or organization.pk, township=_township_of(organization),
        organization=organization, subject_type=subject_type, subject_id=str(subject_id),
        subject_label=subject_label.strip()[:200], violation_type=violation_type, description=description.strip(),
        discovered_on=discovered_on, due_on=rules.due_on(discovered_on),
        opened_by=acting_user if acting_user is not None and acting_user.is_authenticated else None,
        opened_at=timezone.now(),
    )
    record(
        actor=acting_user, action="accountability.open", organization=organization, subject=case,
        changes={"violation_type": [None, violation_type], "subject_label": [None, case.subject_label],
                 "discovered_on": [None, discovered_on], "due_on": [None, case.due_on]},
    )
    _notify(case, key=f"case:{case.pk}:opened", title=f"责任追究立案：{organization.name}“{case.subject_label}”",
            body=f"请于 {case.due_on:%Y年%m月%d日} 前处理完毕。")
    return case


@transaction.atomic
def party_add(
    *,
    acting_user: AbstractBaseUser,
    case: AccountabilityCase,
    name: str,
    role: str,
    user: AbstractBaseUser | None = None,
    member_id: int | None = None,
    note: str = "",
) -> ResponsibleParty:
    """Names a responsible party ("谁介绍谁负责、谁培养谁负责、谁考察谁负责、谁审批谁负责")."""
    _check_open(case)
    if role not in PartyRole.values:
        raise RuleViolation("case.party_role", "请选择责任身份。", field="role")
    if not name.strip():
        raise RuleViolation("case.party_name_required", "请填写责任人姓名或组织名称。", field="name")
    party = ResponsibleParty.objects.create(case=case, name=name.strip()[:100], role=role, user=user,
                                            member_id=member_id, note=note.strip()[:200], added_by=acting_user)
    record(
        actor=acting_user, action="accountability.add_party", organization=case.organization, subject=case,
        changes={"party": [None, f"{party.get_role_display()} {party.name}"]},
    )
    return party


@transaction.atomic
def case_extend(*, acting_user: AbstractBaseUser, case: AccountabilityCase, until: date,
                reason: str) -> AccountabilityCase:
    """Extends a case with the county department's approval, at most 3 months from discovery
    ("经县（市、区）…组织部门同意，可适当延长，最长不得超过3个月", seed 000 二(三)3(4))."""
    if not reason.strip():
        raise RuleViolation("case.extension_reason_required", "请填写延长理由（特殊情况）。", field="reason")
    rules.check_extension(discovered_on=case.discovered_on, current_deadline=case.deadline, until=until)
    before = case.deadline
    now = timezone.now()
    claimed = AccountabilityCase.objects.filter(pk=case.pk, status=CaseStatus.OPEN).update(
        extended_until=until, extension_reason=reason.strip()[:300], extension_approved_by=acting_user,
        extension_approved_at=now, overdue_since=None,
    )
    if claimed != 1:
        raise RuleViolation("case.closed", "该案件已办结，不能再修改。")
    case.refresh_from_db()
    record(
        actor=acting_user, action="accountability.extend", organization=case.organization, subject=case,
        changes={"deadline": [before, until], "reason": [None, case.extension_reason]},
    )
    _notify(case, key=f"case:{case.pk}:extended:{until.isoformat()}",
            title=f"责任追究期限延长至 {until:%Y年%m月%d日}：{case.subject_label}", body=case.extension_reason)
    return case


@transaction.atomic
def case_close(
    *,
    acting_user: AbstractBaseUser,
    case: AccountabilityCase,
    outcome: str,
    outcome_note: str = "",
    admission_not_recognized: bool = False,
    announced_on: date | None = None,
) -> AccountabilityCase:
    """Closes a case with its outcome (诫勉谈话、批评教育、书面检查、党纪处分，或不予追究)."""
    if outcome not in Outcome.values:
        raise RuleViolation("case.outcome_required", "请选择处理结果。", field="outcome")
    rules.check_close(outcome=outcome, admission_not_recognized=admission_not_recognized,
                      announced_on=announced_on, discovered_on=case.discovered_on)
    now = timezone.now()
    claimed = AccountabilityCase.objects.filter(pk=case.pk, status=CaseStatus.OPEN).update(
        status=CaseStatus.CLOSED, outcome=outcome, outcome_note=outcome_note.strip(),
        admission_not_recognized=admission_not_recognized, announced_on=announced_on, closed_by=acting_user,
        closed_at=now,
    )
    if claimed != 1:
        raise RuleViolation("case.closed", "该案件已办结，不能再修改。")
    case.refresh_from_db()
    record(
        actor=acting_user, action="accountability.close", organization=case.organization, subject=case,
        changes={"status": [CaseStatus.OPEN, CaseStatus.CLOSED], "outcome": [None, outcome],
                 "admission_not_recognized": [False, admission_not_recognized],
                 "announced_on": [None, announced_on]},
    )
    return case


def overdue_q(today: date) -> Q:
    """Open cases whose last day (extended or not) has passed."""
    return Q(status=CaseStatus.OPEN) & (
        Q(extended_until__lt=today) | Q(extended_until__isnull=True, due_on__lt=today)
    )


def _mark_overdue(pk: int, today: date) -> bool:
    with transaction.atomic():
        claimed = AccountabilityCase.objects.filter(Q(pk=pk, overdue_since__isnull=True) & overdue_q(today)).update(
            overdue_since=today)
        if claimed != 1:
            return False
        case = AccountabilityCase.objects.select_related("organization", "opened_by").get(pk=pk)
        record(actor=None, action="accountability.overdue", organization=case.organization, subject=case,
               changes={"overdue_since": [None, today], "deadline": case.deadline})
        _notify(case, key=f"case:{pk}:overdue:{case.deadline.isoformat()}",
                title=f"责任追究已超期：{case.organization.name}“{case.subject_label}”",
                body=f"办理期限 {case.deadline:%Y年%m月%d日} 已过，尚未办结。")
    return True


def cases_tick(*, today: date, county_id: int | None = None) -> int:
    """Marks open cases past their deadline and notifies, once each (safe to run twice); returns how many."""
    candidates = AccountabilityCase.objects.filter(overdue_q(today), overdue_since__isnull=True)
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
