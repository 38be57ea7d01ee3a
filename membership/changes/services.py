"""Writes for changes of a member's situation; each emits its audit events inside its transaction.

Callers pass rows they fetched through `selectors` and have checked the action for (`selectors.may_*`);
the services check the rules (`rules`), the order of the steps, and what the rows say now: every state
change is claimed with a conditional UPDATE or under a row lock on the member, so two officers acting at
once leave exactly one outcome. Oversight is used, not rebuilt: filings (`audit.filings.services`) carry
the exemption and disposal to the superior committee, whose decision comes back through the handlers
registered in `membership.apps` (`exemption_filing_decided`, `disposal_filing_decided`).
"""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef
from django.urls import reverse
from django.utils import timezone

from audit.filings.models import Filing, FilingKind, FilingStatus
from audit.filings.services import filing_submit, filing_withdraw
from audit.filings.uploads import MaterialUpload
from audit.notifications.services import notify_many
from audit.publicity.services import publicity_open
from audit.services import record
from branches.models import Organization, OrganizationKind, OrganizationUserObjectPermission
from branches.policies import policy_value
from branches.scoping import Role
from membership import rules as member_rules
from membership.models import Flow, Member, MemberStatus, Person
from partyadmin.errors import RuleViolation
from partyadmin.workdays import add_days, add_months, china_today

from . import policies, registry, rules, selectors
from .models import (
    AnnouncementMethod,
    ApplicationSource,
    DisposalCase,
    DisposalOutcome,
    DisposalStep,
    Exemption,
    ExemptionReason,
    ExemptionStatus,
    FlowDirection,
    FlowRecord,
    FlowReport,
    Measure,
    StatusChange,
    StatusChangeKind,
    Transfer,
    TransferKind,
    TransferStatus,
)

SUBJECT_TRANSFER = "membership.transfer"
SUBJECT_EXEMPTION = "membership.exemption"
SUBJECT_DISPOSAL = "membership.disposalcase"
LETTER_ACTION = "member.introduction_letter"
PUBLICITY_KIND = "membership.disposal"
PUBLICITY_KIND_LABEL = "处置不合格党员结果公告"
OFFICER_ROLES = (Role.SECRETARY, Role.COMMITTEE)
TICK_BATCH = 500
TEXT_MAX = 2000


# --- shared helpers ---------------------------------------------------------------------------------

def _actor(user: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return user if user is not None and user.is_authenticated else None


def _actor_id(user: AbstractBaseUser | None) -> int | None:
    actor = _actor(user)
    return actor.pk if actor is not None else None


def _lock_member(member: Member, *, active: bool = True) -> Member:
    """The member row locked for this transaction (writes to one member queue up), refreshed."""
    locked = Member.objects.select_for_update().filter(pk=member.pk).first()
    if locked is None or (active and not locked.is_active):
        raise RuleViolation("member.inactive", "该党员已不在册。")
    for field in ("organization_id", "party_group_id", "county_id", "status", "full_on", "is_active", "flow",
                  "flow_organization", "flow_certificate_no", "is_exempt", "exempt_reason"):
        setattr(member, field, getattr(locked, field))
    return member


def _text(value: str, *, code: str, message: str, field: str, limit: int = TEXT_MAX) -> str:
    text = (value or "").strip()
    if not text:
        raise RuleViolation(code, message, field=field)
    return text[:limit]


def officers_of(organization_ids: Iterable[int]) -> dict[int, list[AbstractBaseUser]]:
    """Active users with a secretary or committee grant on each organization itself (one query)."""
    grants = (
        OrganizationUserObjectPermission.objects.filter(
            content_object_id__in=list(set(organization_ids)),
            permission__codename__in=[role.codename for role in OFFICER_ROLES], user__is_active=True,
        ).select_related("user").order_by("user_id")
    )
    users: dict[int, list[AbstractBaseUser]] = {}
    for grant in grants:
        bucket = users.setdefault(grant.content_object_id, [])
        if grant.user not in bucket:
            bucket.append(grant.user)
    return users


def _notify_officers(organization: Organization, *, key: str, title: str, body: str = "", url: str = "") -> int:
    return notify_many(users=officers_of([organization.pk]).get(organization.pk, []), key=key, kind="member_change",
                       title=title, body=body, url=url, organization=organization)


def _member_user(member: Member) -> list[AbstractBaseUser]:
    user = member.person.user
    return [user] if user is not None and user.is_active else []


def _status_change(*, acting_user: AbstractBaseUser | None, member: Member, kind: str, effective_on: date,
                   details: str, organization: Organization | None = None) -> StatusChange:
    organization = organization or member.organization
    return StatusChange.objects.create(
        member=member, organization=organization, county_id=organization.county_id, kind=kind,
        effective_on=effective_on, details=details[:300], recorded_by=_actor(acting_user),
    )


def _leave_register(*, acting_user: AbstractBaseUser | None, member: Member, kind: str, effective_on: date,
                    details: str) -> StatusChange:
    """Takes a member out of the register (never deleted): inactive, open flows ended, the reason kept."""
    member.is_active = False
    member.save(update_fields=["is_active", "updated_at"])
    _end_open_flows(member=member, on=effective_on, note=StatusChangeKind(kind).label)
    return _status_change(acting_user=acting_user, member=member, kind=kind, effective_on=effective_on,
                          details=details)


def _check_no_open_disposal(member: Member, *, code: str, message: str) -> None:
    if DisposalCase.objects.filter(member=member, closed_on__isnull=True).exists():
        raise RuleViolation(code, message)


def _decision_date(filing: Filing) -> date:
    return timezone.localdate(filing.decided_at) if filing.decided_at else china_today()


# --- transfers (组织关系转接) --------------------------------------------------------------------------

def _transfer_url(transfer: Transfer) -> str:
    return reverse("membership:changes:transfer_detail", args=[transfer.pk])


def _check_transferable(member: Member) -> None:
    if Transfer.objects.filter(member=member, status__in=[TransferStatus.REQUESTED, TransferStatus.ISSUED]).exists():
        raise RuleViolation("transfer.already_open", "该党员已有正在办理的组织关系转接。")
    # A member under the disposal procedure stays with the branch that handles it until the case is closed.
    _check_no_open_disposal(member, code="transfer.disposal_open",
                            message="该党员的不合格党员处置程序尚未办结，暂不能转接组织关系。")


@transaction.atomic
def transfer_request(*, acting_user: AbstractBaseUser | None, member: Member, to_organization: Organization,
                     reason: str, today: date | None = None) -> Transfer:
    """The sending branch asks the receiving branch to take the member (and, through the recruitment hook,
    their file); the receiving branch's officers are told."""
    today = today or china_today()
    _lock_member(member)
    to_organization = Organization.objects.get(pk=to_organization.pk)
    rules.check_transfer_target(from_id=member.organization_id, to_id=to_organization.pk,
                                to_is_branch=to_organization.kind == OrganizationKind.BRANCH,
                                to_is_active=to_organization.is_active)
    reason = rules.check_reason(reason)
    _check_transferable(member)
    try:
        with transaction.atomic():
            transfer = Transfer.objects.create(
                member=member, kind=TransferKind.INTERNAL, status=TransferStatus.REQUESTED,
                from_organization=member.organization, county_id=member.county_id, to_organization=to_organization,
                to_county_id=to_organization.county_id or to_organization.pk, destination=to_organization.name,
                reason=reason, member_status=member.status, requested_on=today, requested_by=_actor(acting_user),
            )
    except IntegrityError:
        raise RuleViolation("transfer.already_open", "该党员已有正在办理的组织关系转接。") from None
    record(actor=acting_user, action="transfer.request", organization=member.organization, subject=transfer,
           changes={"member": [None, member.pk], "to_organization": [None, to_organization.name],
                    "reason": [None, reason]})
    _notify_officers(to_organization, key=f"transfer:{transfer.pk}:requested",
                     title=f"待接收：{member.organization.name}转来{member.person.name}的组织关系",
                     body=f"转接原因：{reason}", url=_transfer_url(transfer))
    return transfer


def _claim_transfer(transfer: Transfer, *, expected: str, **changes: Any) -> None:
    claimed = Transfer.objects.filter(pk=transfer.pk, status=expected).update(updated_at=timezone.now(), **changes)
    if claimed != 1:
        raise RuleViolation("transfer.not_pending", "该转接已办理或已撤回，请刷新后查看。")
    for name, value in changes.items():
        setattr(transfer, name, value)


@transaction.atomic
def transfer_accept(*, acting_user: AbstractBaseUser, transfer: Transfer, today: date | None = None) -> Transfer:
    """The receiving branch takes the member: the register entry moves (party group cleared), open flow
    records end, and every registered transfer handler (recruitment's file) runs in this transaction."""
    today = today or china_today()
    rules.check_not_own_transfer(requested_by_id=transfer.requested_by_id, acting_user_id=_actor_id(acting_user))
    if transfer.kind != TransferKind.INTERNAL:
        raise RuleViolation("transfer.not_internal", "转出本系统的转接不需接收。")
    _claim_transfer(transfer, expected=TransferStatus.REQUESTED, status=TransferStatus.ACCEPTED, decided_on=today,
                    decided_by=_actor(acting_user))
    member = _lock_member(transfer.member)
    if member.organization_id != transfer.from_organization_id:
        raise RuleViolation("transfer.member_moved", "该党员已不在转出党支部，请撤回此转接。")
    receiver = Organization.objects.get(pk=transfer.to_organization_id)
    sender = transfer.from_organization
    member.organization = receiver
    member.party_group = None
    member.county_id = receiver.county_id
    member.save(update_fields=["organization", "party_group", "county", "updated_at"])
    Person.objects.filter(pk=member.person_id).update(county_id=receiver.county_id, updated_at=timezone.now())
    _end_open_flows(member=member, on=today, note="组织关系已转出")
    _status_change(acting_user=acting_user, member=member, kind=StatusChangeKind.TRANSFERRED_IN, effective_on=today,
                   details=f"自{sender.name}转入", organization=receiver)
    for handler in registry.transfer_handlers():
        handler(acting_user=acting_user, transfer=transfer)
    record(actor=acting_user, action="transfer.accept", organization=receiver, subject=transfer,
           changes={"status": [TransferStatus.REQUESTED, TransferStatus.ACCEPTED],
                    "from_organization": [None, sender.name]})
    record(actor=acting_user, action="member.transfer", organization=sender, subject=member,
           changes={"organization": [sender.pk, receiver.pk], "transfer": [None, transfer.pk]})
    _notify_requester(transfer, title=f"已接收：{receiver.name}已接收{member.person.name}的组织关系")
    return transfer


def _notify_requester(transfer: Transfer, *, title: str, body: str = "") -> None:
    users = [transfer.requested_by] if transfer.requested_by is not None and transfer.requested_by.is_active else []
    users += officers_of([transfer.from_organization_id]).get(transfer.from_organization_id, [])
    notify_many(users=users, key=f"transfer:{transfer.pk}:{transfer.status}", kind="member_change", title=title,
                body=body, url=_transfer_url(transfer), organization=transfer.from_organization)


@transaction.atomic
def transfer_refuse(*, acting_user: AbstractBaseUser, transfer: Transfer, reason: str,
                    today: date | None = None) -> Transfer:
    """The receiving branch refuses, with its reason (seed 001 第十二条 "对不符合规定的要坚决退回")."""
    today = today or china_today()
    reason = rules.check_reason(reason, field="refusal_reason", what="拒收理由")
    rules.check_not_own_transfer(requested_by_id=transfer.requested_by_id, acting_user_id=_actor_id(acting_user))
    _claim_transfer(transfer, expected=TransferStatus.REQUESTED, status=TransferStatus.REFUSED, decided_on=today,
                    decided_by=_actor(acting_user), refusal_reason=reason)
    record(actor=acting_user, action="transfer.refuse", organization=transfer.to_organization, subject=transfer,
           changes={"status": [TransferStatus.REQUESTED, TransferStatus.REFUSED], "reason": [None, reason]})
    _notify_requester(transfer, title=f"被拒收：{transfer.destination}未接收{transfer.member.person.name}的组织关系",
                      body=f"理由：{reason}")
    return transfer


@transaction.atomic
def transfer_cancel(*, acting_user: AbstractBaseUser | None, transfer: Transfer, reason: str,
                    today: date | None = None) -> Transfer:
    """The sending branch takes back a transfer the receiver has not answered yet."""
    today = today or china_today()
    reason = rules.check_reason(reason, field="cancel_reason", what="撤回原因")
    _claim_transfer(transfer, expected=TransferStatus.REQUESTED, status=TransferStatus.CANCELLED, decided_on=today,
                    decided_by=_actor(acting_user), refusal_reason=reason)
    record(actor=acting_user, action="transfer.cancel", organization=transfer.from_organization, subject=transfer,
           changes={"status": [TransferStatus.REQUESTED, TransferStatus.CANCELLED], "reason": [None, reason]})
    if transfer.to_organization is not None:
        _notify_officers(transfer.to_organization, key=f"transfer:{transfer.pk}:cancelled",
                         title=f"已撤回：{transfer.from_organization.name}撤回了{transfer.member.person.name}的转接",
                         body=reason, url=_transfer_url(transfer))
    return transfer


def _next_letter_sequence(county_id: int, year: int) -> int:
    """The county's next letter number of the year, under a lock on the county row (numbers never repeat)."""
    Organization.objects.select_for_update().filter(pk=county_id).first()
    last = Transfer.objects.filter(county_id=county_id, letter_year=year).aggregate(n=Max("letter_sequence"))["n"]
    return (last or 0) + 1


@transaction.atomic
def transfer_out_issue(*, acting_user: AbstractBaseUser | None, member: Member, destination: str, reason: str,
                       today: date | None = None) -> Transfer:
    """Transfer out of the system: a numbered introduction letter (介绍信) valid for the tenant's number of
    days, with the month the dues are paid to; the member leaves the register (inactive, never deleted).

    seed 001 流动党员管理制度(3): "外出时间六个月以上且地点比较固定的,应转移党员正式组织关系,即开写党员
    组织关系介绍信,转入所在地区、单位的党组织。"
    """
    today = today or china_today()
    _lock_member(member)
    destination = rules.check_reason(destination, field="destination", what="接收党组织名称")
    reason = rules.check_reason(reason)
    _check_transferable(member)
    validity = policy_value(member.organization, policies.LETTER_VALIDITY_DAYS)
    valid_until = rules.letter_valid_until(today, validity)
    sequence = _next_letter_sequence(member.county_id, today.year)
    transfer = Transfer.objects.create(
        member=member, kind=TransferKind.OUTSIDE, status=TransferStatus.ISSUED,
        from_organization=member.organization, county_id=member.county_id, destination=destination, reason=reason,
        member_status=member.status, requested_on=today, requested_by=_actor(acting_user), decided_on=today,
        decided_by=_actor(acting_user), letter_year=today.year, letter_sequence=sequence,
        letter_valid_until=valid_until, dues_paid_until=registry.dues_paid_until(member),
    )
    _leave_register(acting_user=acting_user, member=member, kind=StatusChangeKind.TRANSFERRED_OUT, effective_on=today,
                    details=f"转往{destination}，介绍信{transfer.letter_number}")
    record(actor=acting_user, action="transfer.issue_letter", organization=member.organization, subject=transfer,
           changes={"member": [None, member.pk], "destination": [None, destination], "reason": [None, reason],
                    "letter_number": [None, transfer.letter_number], "valid_until": [None, valid_until],
                    "dues_paid_until": [None, transfer.dues_paid_until], "is_active": [True, False]})
    return transfer


@transaction.atomic
def transfer_receipt_record(*, acting_user: AbstractBaseUser | None, transfer: Transfer, received_on: date,
                            today: date | None = None) -> Transfer:
    """The receiving organization's 回执 came back: the transfer out is complete."""
    today = today or china_today()
    if received_on > today or received_on < transfer.requested_on:
        raise RuleViolation("transfer.receipt_date", "回执日期须在开具介绍信之后、且不晚于今天。", field="received_on")
    _claim_transfer(transfer, expected=TransferStatus.ISSUED, status=TransferStatus.RECEIPTED, receipt_on=received_on)
    record(actor=acting_user, action="transfer.receipt", organization=transfer.from_organization, subject=transfer,
           changes={"status": [TransferStatus.ISSUED, TransferStatus.RECEIPTED], "receipt_on": [None, received_on]})
    return transfer


@transaction.atomic
def transfer_void(*, acting_user: AbstractBaseUser | None, transfer: Transfer, reason: str,
                  today: date | None = None) -> Transfer:
    """An unused letter (lost, expired, the member stays) is voided and the member is back in the register."""
    today = today or china_today()
    reason = rules.check_reason(reason, field="void_reason", what="作废原因")
    _claim_transfer(transfer, expected=TransferStatus.ISSUED, status=TransferStatus.VOIDED, void_reason=reason)
    member = _lock_member(transfer.member, active=False)
    member.is_active = True
    member.save(update_fields=["is_active", "updated_at"])
    _status_change(acting_user=acting_user, member=member, kind=StatusChangeKind.REINSTATED, effective_on=today,
                   details=f"介绍信{transfer.letter_number}作废：{reason}")
    record(actor=acting_user, action="transfer.void", organization=transfer.from_organization, subject=transfer,
           changes={"status": [TransferStatus.ISSUED, TransferStatus.VOIDED], "reason": [None, reason],
                    "is_active": [False, True]})
    return transfer


@transaction.atomic
def introduction_letter_record(*, acting_user: AbstractBaseUser, transfer: Transfer, full_id_number: bool) -> None:
    """Every print of a letter is an audit event; it says whether the ID number was printed in full
    (DESIGN §2.1: every view of unmasked personal data is recorded)."""
    record(actor=acting_user, action=LETTER_ACTION, organization=transfer.from_organization, subject=transfer.member,
           changes={"transfer": [None, transfer.pk], "letter_number": [None, transfer.letter_number],
                    "id_number": [None, "完整" if full_id_number else "隐藏"]})


# --- floating members (流动党员) -------------------------------------------------------------------------

def _flow_url(flow: FlowRecord) -> str:
    return reverse("membership:changes:flow_detail", args=[flow.pk])


def _sync_member_flow(member: Member, flow: FlowRecord | None) -> None:
    """The register's flow columns follow the open flow record."""
    if flow is None:
        member.flow, member.flow_organization, member.flow_certificate_no = Flow.NONE, "", ""
    else:
        member.flow = flow.direction
        member.flow_organization = flow.other_organization[:100]
        member.flow_certificate_no = flow.certificate_no[:40]
    member.save(update_fields=["flow", "flow_organization", "flow_certificate_no", "updated_at"])


def _end_open_flows(*, member: Member, on: date, note: str) -> None:
    open_flows = list(FlowRecord.objects.filter(member=member, returned_on__isnull=True))
    for flow in open_flows:
        flow.returned_on = max(on, flow.started_on)
        flow.end_note = note[:200]
        flow.save(update_fields=["returned_on", "end_note", "updated_at"])
    if open_flows:
        _sync_member_flow(member, None)


@transaction.atomic
def flow_register(*, acting_user: AbstractBaseUser | None, member: Member, direction: str, other_organization: str,
                  started_on: date, ends_on: date | None = None, fixed_place: bool = False, place: str = "",
                  certificate_no: str = "", contact: str = "", today: date | None = None) -> FlowRecord:
    """A member flows out (or in): the other organization, the 活动证 number, the period. What the seed asks
    for this length and place is `rules.flow_advice` (shown to the officer; a fixed place for six months or
    more calls for a transfer)."""
    today = today or china_today()
    _lock_member(member)
    rules.check_flow(direction=direction, other_organization=other_organization, started_on=started_on,
                     ends_on=ends_on, today=today)
    if FlowRecord.objects.filter(member=member, returned_on__isnull=True).exists():
        raise RuleViolation("flow.already_open", "该党员已有未结束的流动登记，请先登记返回。")
    flow = FlowRecord.objects.create(
        member=member, organization=member.organization, county_id=member.county_id, direction=direction,
        other_organization=other_organization.strip()[:100], place=place.strip()[:100],
        certificate_no=certificate_no.strip()[:40], started_on=started_on, ends_on=ends_on, fixed_place=fixed_place,
        contact=contact.strip()[:100], created_by=_actor(acting_user),
    )
    _sync_member_flow(member, flow)
    record(actor=acting_user, action="flow.register", organization=member.organization, subject=flow,
           changes={"member": [None, member.pk], "direction": [None, flow.get_direction_display()],
                    "other_organization": [None, flow.other_organization],
                    "certificate_no": [None, flow.certificate_no or None], "started_on": [None, started_on],
                    "ends_on": [None, ends_on], "fixed_place": [None, fixed_place]})
    return flow


@transaction.atomic
def flow_update(*, acting_user: AbstractBaseUser | None, flow: FlowRecord, certificate_no: str, ends_on: date | None,
                fixed_place: bool, place: str = "", contact: str = "") -> FlowRecord:
    """Corrects an open flow record (the 活动证 issued later, a new expected return, a fixed place found)."""
    if not flow.is_open:
        raise RuleViolation("flow.closed", "该流动登记已结束。")
    if ends_on is not None and ends_on <= flow.started_on:
        raise RuleViolation("flow.end_before_start", "预计返回日期须晚于外出日期。", field="ends_on")
    before = {"certificate_no": flow.certificate_no, "ends_on": flow.ends_on, "fixed_place": flow.fixed_place,
              "place": flow.place}
    flow.certificate_no, flow.ends_on, flow.fixed_place = certificate_no.strip()[:40], ends_on, fixed_place
    flow.place, flow.contact = place.strip()[:100], contact.strip()[:100]
    flow.save(update_fields=["certificate_no", "ends_on", "fixed_place", "place", "contact", "updated_at"])
    _sync_member_flow(_lock_member(flow.member), flow)
    after = {"certificate_no": flow.certificate_no, "ends_on": flow.ends_on, "fixed_place": flow.fixed_place,
             "place": flow.place}
    changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if changes:
        record(actor=acting_user, action="flow.update", organization=flow.organization, subject=flow, changes=changes)
    return flow


@transaction.atomic
def flow_report_add(*, acting_user: AbstractBaseUser | None, flow: FlowRecord, reported_on: date, content: str,
                    today: date | None = None) -> FlowReport:
    """A report of the floating member to the home branch: "每年至少向原所在村党组织汇报两次外出期间的思想、
    工作和参加党的组织生活等情况。原所在村党组织要做好外出党员的汇报记录" (seed 001 第十一条)."""
    today = today or china_today()
    content = rules.check_report(reported_on=reported_on, content=content, started_on=flow.started_on, today=today)
    if flow.returned_on is not None and reported_on > flow.returned_on:
        raise RuleViolation("flow.report_after_return", "汇报日期不能晚于结束日期。", field="reported_on")
    report = FlowReport.objects.create(flow=flow, reported_on=reported_on, content=content[:TEXT_MAX],
                                       recorded_by=_actor(acting_user))
    record(actor=acting_user, action="flow.report", organization=flow.organization, subject=flow,
           changes={"reported_on": [None, reported_on], "length": [None, len(report.content)]})
    return report


@transaction.atomic
def flow_end(*, acting_user: AbstractBaseUser | None, flow: FlowRecord, returned_on: date, note: str = "",
             today: date | None = None) -> FlowRecord:
    """The member is back (or the inflow ended): the record closes and the register no longer shows a flow."""
    today = today or china_today()
    rules.check_flow_end(returned_on=returned_on, started_on=flow.started_on, today=today)
    claimed = FlowRecord.objects.filter(pk=flow.pk, returned_on__isnull=True).update(
        returned_on=returned_on, end_note=note.strip()[:200], updated_at=timezone.now())
    if claimed != 1:
        raise RuleViolation("flow.closed", "该流动登记已结束。")
    flow.returned_on, flow.end_note = returned_on, note.strip()[:200]
    _sync_member_flow(_lock_member(flow.member, active=False), None)
    record(actor=acting_user, action="flow.end", organization=flow.organization, subject=flow,
           changes={"returned_on": [None, returned_on], "note": [None, flow.end_note or None]})
    return flow


def flow_tick(*, today: date) -> dict[str, int]:
    """Daily: reminds of the twice-yearly report and prompts a transfer after six months in a fixed place.

    Idempotent: each reminder has a notification key per flow and half-year (or per flow for the prompt),
    and a key is never notified twice; the counts are the flows for which something new was sent.
    """
    half = rules.half_year_of(today)
    reported = FlowReport.objects.filter(flow=OuterRef("pk"), reported_on__gte=half.starts_on,
                                         reported_on__lte=half.ends_on)
    flows = FlowRecord.objects.filter(returned_on__isnull=True, direction=FlowDirection.OUT, member__is_active=True)
    if today < half.reminds_from:
        # Outside the reminder months only the transfer prompt can be due.
        flows = flows.filter(fixed_place=True, started_on__lte=add_months(today, -rules.TRANSFER_AFTER_MONTHS))
    flows = flows.annotate(reported_this_half=Exists(reported)).select_related("member__person__user", "organization")
    counts = {"report_reminders": 0, "transfer_prompts": 0}
    last = 0
    while True:
        batch = list(flows.filter(pk__gt=last).order_by("pk")[:TICK_BATCH])
        if not batch:
            return counts
        officers = officers_of(flow.organization_id for flow in batch)
        for flow in batch:
            people = officers.get(flow.organization_id, [])
            name = flow.member.person.name
            if rules.report_reminder_due(direction=flow.direction, started_on=flow.started_on, today=today,
                                         reported_this_half=flow.reported_this_half):
                sent = notify_many(
                    users=people + _member_user(flow.member), key=f"flow:{flow.pk}:report:{half.key}",
                    kind="member_change", title=f"流动党员汇报提醒：{name}{half.label}尚未汇报",
                    body=f"{rules.ADVICE_TEXT[rules.ADVICE_REPORT]}请在{half.ends_on:%Y年%m月%d日}前登记汇报。",
                    url=_flow_url(flow), organization=flow.organization,
                )
                counts["report_reminders"] += bool(sent)
            if rules.transfer_prompt_due(direction=flow.direction, started_on=flow.started_on,
                                         fixed_place=flow.fixed_place, today=today):
                sent = notify_many(
                    users=people, key=f"flow:{flow.pk}:transfer_prompt", kind="member_change",
                    title=f"建议转接组织关系：{name}外出已满6个月且地点固定",
                    body=rules.ADVICE_TEXT[rules.ADVICE_TRANSFER], url=_flow_url(flow), organization=flow.organization,
                )
                counts["transfer_prompts"] += bool(sent)
        last = batch[-1].pk


# --- exemption from scoring (免于积分评星) -------------------------------------------------------------------

def _exemption_url(exemption: Exemption) -> str:
    return reverse("membership:changes:exemption_detail", args=[exemption.pk])


@transaction.atomic
def exemption_apply(*, acting_user: AbstractBaseUser | None, member: Member, reason_kind: str, reason: str,
                    applied_on: date, source: str, today: date | None = None) -> Exemption:
    """The member's own application, or the secretary entering it for them ("经本人申请", seed 000)."""
    today = today or china_today()
    _lock_member(member)
    if source not in ApplicationSource.values:
        raise RuleViolation("exemption.source", "申请方式无效。", field="source")
    reason = rules.check_exemption_reason(reason_kind=reason_kind, reason=reason, kinds=list(ExemptionReason.values))
    if applied_on > today:
        raise RuleViolation("exemption.applied_in_future", "申请日期不能晚于今天。", field="applied_on")
    if member.is_exempt:
        raise RuleViolation("exemption.already_exempt", "该党员已免于积分评星。")
    if Exemption.objects.filter(member=member, status__in=[ExemptionStatus.APPLIED, ExemptionStatus.FILED,
                                                           ExemptionStatus.RETURNED]).exists():
        raise RuleViolation("exemption.pending", "该党员已有正在办理的免于积分评星申请。")
    exemption = Exemption.objects.create(
        member=member, organization=member.organization, county_id=member.county_id, reason_kind=reason_kind,
        reason=reason, source=source, applied_on=applied_on, applied_by=_actor(acting_user),
    )
    record(actor=acting_user, action="exemption.apply", organization=member.organization, subject=exemption,
           changes={"member": [None, member.pk], "reason": [None, exemption.label],
                    "source": [None, exemption.get_source_display()], "applied_on": [None, applied_on]})
    _notify_officers(member.organization, key=f"exemption:{exemption.pk}:applied",
                     title=f"待研究：{member.person.name}申请免于积分评星", body=exemption.label,
                     url=_exemption_url(exemption))
    return exemption


@transaction.atomic
def exemption_decide(*, acting_user: AbstractBaseUser, exemption: Exemption, agreed: bool, body: str,
                     decided_on: date, note: str = "", materials: Sequence[MaterialUpload] = (),
                     today: date | None = None) -> Exemption:
    """The branch decides ("党支部研究同意", seed 000) by its committee or general meeting; an agreement is
    filed with the superior committee at once ("并报上级党(工)委…备案", seed 001 第七条). The member is
    exempt only when the filing is approved (`exemption_filing_decided`)."""
    today = today or china_today()
    if exemption.status != ExemptionStatus.APPLIED:
        raise RuleViolation("exemption.not_applied", "该申请已研究，不能重复办理。")
    rules.check_decision_body(body=body, has_committee=exemption.organization.has_committee)
    rules.check_decided_on(decided_on=decided_on, after=exemption.applied_on, today=today)
    if not agreed:
        note = _text(note, code="exemption.rejection_reason", message="不同意时请写明理由。", field="note", limit=500)
    claimed = Exemption.objects.filter(pk=exemption.pk, status=ExemptionStatus.APPLIED).update(
        status=ExemptionStatus.FILED if agreed else ExemptionStatus.REJECTED, body=body, decided_on=decided_on,
        decision_note=note.strip()[:500], decided_by=acting_user, updated_at=timezone.now())
    if claimed != 1:
        raise RuleViolation("exemption.not_applied", "该申请已研究，不能重复办理。")
    exemption.refresh_from_db()
    name = exemption.member.person.name
    if agreed:
        filing = filing_submit(
            acting_user=acting_user, from_organization=exemption.organization, kind=FilingKind.RECORD,
            subject_type=SUBJECT_EXEMPTION, subject_id=exemption.pk, subject_label=f"{name} 免于积分评星",
            title=f"关于{name}同志免于积分评星的备案报告",
            note=(f"{exemption.label}。经{exemption.get_body_display()}于{decided_on:%Y年%m月%d日}研究同意。"
                  + (f"\n{exemption.decision_note}" if exemption.decision_note else "")),
            materials=materials, today=today,
        )
        Exemption.objects.filter(pk=exemption.pk).update(filing_id=filing.pk)
        exemption.filing_id = filing.pk
    record(actor=acting_user, action="exemption.decide", organization=exemption.organization, subject=exemption,
           changes={"status": [ExemptionStatus.APPLIED, exemption.status], "body": [None, exemption.get_body_display()],
                    "decided_on": [None, decided_on], "filing": [None, exemption.filing_id]})
    return exemption


def exemption_filing_decided(*, acting_user: AbstractBaseUser, subject_id: str, filing: Filing) -> None:
    """Filing handler: approved → the member is exempt (Member.is_exempt, shown on the lists); returned →
    the branch sees the opinion and may resubmit the filing. Runs inside `filing_decide`'s transaction."""
    exemption = (Exemption.objects.select_for_update().select_related("member", "organization")
                 .filter(pk=subject_id).first())
    if exemption is None or exemption.filing_id != filing.pk or exemption.status not in (
            ExemptionStatus.FILED, ExemptionStatus.RETURNED):
        return
    before = exemption.status
    exemption.filing_opinion = filing.opinion[:500]
    if filing.status == FilingStatus.APPROVED:
        exemption.status = ExemptionStatus.APPROVED
        exemption.effective_on = _decision_date(filing)
        member = _lock_member(exemption.member, active=False)
        member.is_exempt = True
        member.exempt_reason = exemption.label[:200]
        member.save(update_fields=["is_exempt", "exempt_reason", "updated_at"])
        record(actor=acting_user, action="member.exempt", organization=exemption.organization, subject=member,
               changes={"is_exempt": [False, True], "exempt_reason": [None, member.exempt_reason],
                        "exemption": [None, exemption.pk]})
    elif filing.status == FilingStatus.RETURNED:
        exemption.status = ExemptionStatus.RETURNED
    else:
        return
    exemption.save(update_fields=["status", "filing_opinion", "effective_on", "updated_at"])
    record(actor=acting_user, action="exemption.filing_decided", organization=exemption.organization,
           subject=exemption, changes={"status": [before, exemption.status],
                                       "opinion": [None, exemption.filing_opinion or None]})


@transaction.atomic
def exemption_end(*, acting_user: AbstractBaseUser | None, exemption: Exemption, ended_on: date, reason: str,
                  today: date | None = None) -> Exemption:
    """The member takes part in scoring again (health recovered, or at their request)."""
    today = today or china_today()
    reason = _text(reason, code="exemption.end_reason", message="请填写恢复积分评星的原因。", field="reason", limit=200)
    if exemption.status != ExemptionStatus.APPROVED:
        raise RuleViolation("exemption.not_in_force", "只有已生效的免于积分评星可以恢复。")
    rules.check_decided_on(decided_on=ended_on, after=exemption.effective_on or exemption.applied_on, today=today,
                           field="ended_on")
    claimed = Exemption.objects.filter(pk=exemption.pk, status=ExemptionStatus.APPROVED).update(
        status=ExemptionStatus.ENDED, ended_on=ended_on, end_reason=reason, updated_at=timezone.now())
    if claimed != 1:
        raise RuleViolation("exemption.not_in_force", "只有已生效的免于积分评星可以恢复。")
    exemption.status, exemption.ended_on, exemption.end_reason = ExemptionStatus.ENDED, ended_on, reason
    member = _lock_member(exemption.member, active=False)
    member.is_exempt, member.exempt_reason = False, ""
    member.save(update_fields=["is_exempt", "exempt_reason", "updated_at"])
    record(actor=acting_user, action="exemption.end", organization=exemption.organization, subject=exemption,
           changes={"status": [ExemptionStatus.APPROVED, ExemptionStatus.ENDED], "reason": [None, reason],
                    "ended_on": [None, ended_on]})
    return exemption


# --- disposal of unqualified members (处置不合格党员) ---------------------------------------------------------

def _disposal_url(case: DisposalCase) -> str:
    return reverse("membership:changes:disposal_detail", args=[case.pk])


def _lock_case(case: DisposalCase) -> DisposalCase:
    locked = DisposalCase.objects.select_for_update().filter(pk=case.pk).first()
    if locked is None or locked.closed_on is not None:
        raise RuleViolation("disposal.closed", "该处置已办结或已撤销。")
    for field in ("step", "outcome", "measure", "filing_returned", "approved_on", "rectify_until",
                  "pre_review_filing_id", "pre_review_county_filing_id", "approval_filing_id",
                  "approval_county_filing_id", "pre_reviewed_on", "meeting_on", "announced_on", "extend_probation"):
        setattr(case, field, getattr(locked, field))
    return case


def _save_case(case: DisposalCase, *fields: str) -> None:
    case.save(update_fields=[*fields, "updated_at"])


@transaction.atomic
def disposal_open(*, acting_user: AbstractBaseUser | None, member: Member, measure: str, finding_on: date,
                  finding: str, lapse_grounds: Sequence[str] = (), education: str = "",
                  extend_probation: bool = False, lapse_source: str = "", lapse_reference: str = "",
                  follows: DisposalCase | None = None, today: date | None = None) -> DisposalCase:
    """(1) "由支委会对有不合格表现的党员作出初步认定" (seed 001 第十五条): the case opens with the measure in
    view. A self-lapse case (自行脱党) names its grounds and the criticism and education given first, and
    leads to 除名; it may come from another app's candidate list (`registry.lapse_sources`)."""
    today = today or china_today()
    _lock_member(member)
    rules.check_measure(measure)
    grounds = list(dict.fromkeys(lapse_grounds))
    rules.check_self_lapse(grounds=grounds, measure=measure, education=education)
    rules.check_probation_extension(extend=extend_probation, measure=measure, member_status=member.status)
    finding = _text(finding, code="disposal.finding_required", message="请填写不合格表现及支委会初步认定意见。",
                    field="finding")
    rules.check_decided_on(decided_on=finding_on, after=member.joined_on, today=today, field="finding_on")
    source = registry.lapse_source(lapse_source) if lapse_source else None
    if lapse_source and (source is None or not lapse_reference):
        raise RuleViolation("disposal.lapse_source", "自行脱党提示来源无效。")
    if DisposalCase.objects.filter(member=member, closed_on__isnull=True).exists():
        raise RuleViolation("disposal.already_open", "该党员已有正在办理的处置程序。")
    try:
        with transaction.atomic():
            case = DisposalCase.objects.create(
                member=member, organization=member.organization, county_id=member.county_id, measure=measure,
                member_status=member.status, follows=follows, finding_on=finding_on, finding=finding,
                lapse_grounds=grounds, education=education.strip()[:TEXT_MAX], extend_probation=extend_probation,
                lapse_reference=f"{lapse_source}:{lapse_reference}" if source else "", opened_by=_actor(acting_user),
            )
    except IntegrityError:
        raise RuleViolation("disposal.already_open", "该党员已有正在办理的处置程序。") from None
    if source is not None:
        source.case_opened(acting_user=acting_user, reference=lapse_reference, case=case)
    record(actor=acting_user, action="disposal.open", organization=member.organization, subject=case,
           changes={"member": [None, member.pk], "measure": [None, case.get_measure_display()],
                    "finding_on": [None, finding_on], "self_lapse": [None, case.lapse_ground_labels or None],
                    "follows": [None, follows.pk if follows else None]})
    return case


@transaction.atomic
def disposal_investigate(*, acting_user: AbstractBaseUser | None, case: DisposalCase, investigated_on: date,
                         investigation: str, proposal: str, measure: str | None = None,
                         extend_probation: bool | None = None, today: date | None = None) -> DisposalCase:
    """(2) "党支部对党员不合格表现进行调查,形成调查核实材料,支委会提出初步处置意见" (seed 001 第十五条).
    The proposal may settle on another measure than the one the case opened with."""
    today = today or china_today()
    _lock_case(case)
    rules.check_step(current=case.step, action="investigate")
    investigation = _text(investigation, code="disposal.investigation_required", message="请填写调查核实情况。",
                          field="investigation")
    proposal = _text(proposal, code="disposal.proposal_required", message="请填写支委会初步处置意见。", field="proposal")
    rules.check_decided_on(decided_on=investigated_on, after=case.finding_on, today=today, field="investigated_on")
    before = case.measure
    if measure is not None:
        rules.check_measure(measure)
        case.measure = measure
    if extend_probation is not None:
        case.extend_probation = extend_probation
    rules.check_self_lapse(grounds=case.lapse_grounds, measure=case.measure, education=case.education)
    rules.check_probation_extension(extend=case.extend_probation, measure=case.measure,
                                    member_status=case.member.status)
    case.investigated_on, case.investigation, case.proposal = investigated_on, investigation, proposal
    case.step = DisposalStep.INVESTIGATED
    _save_case(case, "investigated_on", "investigation", "proposal", "measure", "extend_probation", "step")
    record(actor=acting_user, action="disposal.investigate", organization=case.organization, subject=case,
           changes={"step": [DisposalStep.FINDING, DisposalStep.INVESTIGATED], "investigated_on": [None, investigated_on],
                    "measure": [Measure(before).label, case.get_measure_display()]})
    return case


def _filing_note(case: DisposalCase, extra: str) -> str:
    lines = [f"处置方式：{case.get_measure_display()}", f"不合格表现及初步认定：{case.finding}"]
    if case.lapse_grounds:
        lines.append("自行脱党情形：" + "；".join(case.lapse_ground_labels))
    if case.investigation:
        lines.append(f"调查核实情况：{case.investigation}")
    if case.proposal:
        lines.append(f"初步处置意见：{case.proposal}")
    if case.meeting_on:
        lines.append(f"支部大会（{case.meeting_on:%Y年%m月%d日}）：应到{case.votes_eligible}人，实到{case.votes_attended}人，"
                     f"赞成{case.votes_for}票，反对{case.votes_against}票，弃权{case.votes_abstained}票")
    if extra.strip():
        lines.append(extra.strip())
    return "\n".join(lines)


@transaction.atomic
def disposal_submit_pre_review(*, acting_user: AbstractBaseUser, case: DisposalCase, note: str = "",
                               materials: Sequence[MaterialUpload] = (), today: date | None = None) -> DisposalCase:
    """(3) "党支部将初步处置意见、调查核实材料报镇党委预审。对拟作出劝退、除名处置的,由镇党委报市委组织部门
    预审" (seed 001 第十五条): a 预审 filing to the township; its approval forwards 劝退/除名 upward."""
    today = today or china_today()
    _lock_case(case)
    rules.check_step(current=case.step, action="pre_review")
    name = case.member.person.name
    filing = filing_submit(
        acting_user=acting_user, from_organization=case.organization, kind=FilingKind.PRE_REVIEW,
        subject_type=SUBJECT_DISPOSAL, subject_id=case.pk, subject_label=f"{name} {case.get_measure_display()}",
        title=f"关于对{name}同志拟作{case.get_measure_display()}处置的预审请示", note=_filing_note(case, note),
        materials=materials, today=today,
    )
    case.pre_review_filing_id, case.step, case.filing_returned, case.filing_opinion = (
        filing.pk, DisposalStep.PRE_REVIEW, False, "")
    _save_case(case, "pre_review_filing_id", "step", "filing_returned", "filing_opinion")
    record(actor=acting_user, action="disposal.pre_review", organization=case.organization, subject=case,
           changes={"step": [DisposalStep.INVESTIGATED, DisposalStep.PRE_REVIEW], "filing": [None, filing.pk],
                    "to_organization": [None, filing.to_organization.name]})
    return case


@transaction.atomic
def disposal_record_vote(*, acting_user: AbstractBaseUser | None, case: DisposalCase, meeting_on: date,
                         eligible: int, attended: int, in_favour: int, against: int, abstained: int,
                         member_statement: str = "", today: date | None = None) -> DisposalCase:
    """(4) "经预审同意后,党支部召开支部大会,通报对拟处置党员调查核实和预审情况,讨论处置意见并进行表决"
    (seed 001 第十五条). A measure the meeting does not pass closes the case."""
    today = today or china_today()
    _lock_case(case)
    rules.check_step(current=case.step, action="vote")
    rules.check_decided_on(decided_on=meeting_on, after=case.pre_reviewed_on or case.finding_on, today=today,
                           field="meeting_on")
    passed = rules.check_vote(rules.Vote(eligible=eligible, attended=attended, in_favour=in_favour, against=against,
                                         abstained=abstained))
    case.meeting_on, case.votes_eligible, case.votes_attended = meeting_on, eligible, attended
    case.votes_for, case.votes_against, case.votes_abstained = in_favour, against, abstained
    case.member_statement = member_statement.strip()[:TEXT_MAX]
    fields = ["meeting_on", "votes_eligible", "votes_attended", "votes_for", "votes_against", "votes_abstained",
              "member_statement"]
    if passed:
        case.step = DisposalStep.VOTED
        fields.append("step")
    else:
        case.outcome, case.closed_on, case.closing_note = DisposalOutcome.NOT_ADOPTED, meeting_on, "支部大会表决未通过"
        fields += ["outcome", "closed_on", "closing_note"]
    _save_case(case, *fields)
    record(actor=acting_user, action="disposal.vote", organization=case.organization, subject=case,
           changes={"meeting_on": [None, meeting_on], "votes": [None, {"应到": eligible, "实到": attended,
                                                                         "赞成": in_favour, "反对": against,
                                                                         "弃权": abstained}],
                    "passed": [None, passed]})
    return case


@transaction.atomic
def disposal_submit_approval(*, acting_user: AbstractBaseUser, case: DisposalCase, note: str = "",
                             materials: Sequence[MaterialUpload] = (), today: date | None = None) -> DisposalCase:
    """(5) "对作出限期改正处置的,由镇党委集体研究审批;对作出劝退、除名处置的,由镇党委集体研究提出审批意见,
    报市委组织部门审查批准" (seed 001 第十五条): an 审批 filing; its approval forwards 劝退/除名 upward."""
    today = today or china_today()
    _lock_case(case)
    rules.check_step(current=case.step, action="approval")
    name = case.member.person.name
    filing = filing_submit(
        acting_user=acting_user, from_organization=case.organization, kind=FilingKind.APPROVE,
        subject_type=SUBJECT_DISPOSAL, subject_id=case.pk, subject_label=f"{name} {case.get_measure_display()}",
        title=f"关于对{name}同志作{case.get_measure_display()}处置的请示", note=_filing_note(case, note),
        materials=materials, today=today,
    )
    case.approval_filing_id, case.step, case.filing_returned, case.filing_opinion = (
        filing.pk, DisposalStep.APPROVAL, False, "")
    _save_case(case, "approval_filing_id", "step", "filing_returned", "filing_opinion")
    record(actor=acting_user, action="disposal.approval", organization=case.organization, subject=case,
           changes={"step": [DisposalStep.VOTED, DisposalStep.APPROVAL], "filing": [None, filing.pk],
                    "to_organization": [None, filing.to_organization.name]})
    return case


def _forward(*, acting_user: AbstractBaseUser, case: DisposalCase, filing: Filing, kind: str) -> Filing:
    """The township sends the matter on to the organization department above it (劝退、除名)."""
    name = case.member.person.name
    verb = "预审" if kind == FilingKind.PRE_REVIEW else "审批"
    return filing_submit(
        acting_user=acting_user, from_organization=filing.to_organization, kind=kind,
        subject_type=SUBJECT_DISPOSAL, subject_id=case.pk, subject_label=filing.subject_label,
        title=f"关于对{name}同志拟作{case.get_measure_display()}处置的{verb}（{filing.to_organization.name}转报）",
        note=f"{filing.to_organization.name}意见：{filing.opinion or '同意'}\n\n{filing.note}",
        today=_decision_date(filing),
    )


def _apply_approval(*, acting_user: AbstractBaseUser, case: DisposalCase, approved_on: date) -> None:
    case.step, case.approved_on = DisposalStep.APPROVED, approved_on
    fields = ["step", "approved_on"]
    member = case.member
    if case.measure == Measure.RECTIFY:
        case.rectify_until = rules.rectify_until(approved_on)
        fields.append("rectify_until")
        if case.extend_probation and case.member_status == MemberStatus.PROBATIONARY:
            case.probation_extended_until = rules.probation_extension_until(member.joined_on)
            fields.append("probation_extended_until")
    elif case.measure == Measure.REMOVE:
        _lock_member(member)
        _leave_register(acting_user=acting_user, member=member, kind=StatusChangeKind.REMOVED, effective_on=approved_on,
                        details=("视为自行脱党，" if case.is_self_lapse else "") + "经上级批准予以除名")
        record(actor=acting_user, action="member.remove", organization=case.organization, subject=member,
               changes={"is_active": [True, False], "disposal": [None, case.pk]})
    _save_case(case, *fields)


def disposal_filing_decided(*, acting_user: AbstractBaseUser, subject_id: str, filing: Filing) -> None:
    """Filing handler for pre-review and approval decisions (runs inside `filing_decide`'s transaction).

    Returned: the case waits at its step with the opinion shown, the sender resubmits (or withdraws the
    case). Approved at the township for 劝退/除名: forwarded to the county department. Approved at the last
    level: the case moves on; an approval takes effect (限期改正 deadline, 除名 out of the register).
    """
    case = (DisposalCase.objects.select_for_update().select_related("member__person", "organization")
            .filter(pk=subject_id, closed_on__isnull=True).first())
    if case is None:
        return
    levels = {
        case.pre_review_filing_id: ("pre_review", False), case.pre_review_county_filing_id: ("pre_review", True),
        case.approval_filing_id: ("approval", False), case.approval_county_filing_id: ("approval", True),
    }
    stage, upper = levels.get(filing.pk, (None, False))
    expected_step = {"pre_review": DisposalStep.PRE_REVIEW, "approval": DisposalStep.APPROVAL}.get(stage or "")
    if stage is None or case.step != expected_step:
        return
    case.filing_opinion = filing.opinion[:500]
    if filing.status == FilingStatus.RETURNED:
        case.filing_returned = True
        _save_case(case, "filing_returned", "filing_opinion")
        record(actor=acting_user, action="disposal.returned", organization=case.organization, subject=case,
               changes={"stage": [None, stage], "opinion": [None, filing.opinion]})
        _notify_officers(case.organization, key=f"disposal:{case.pk}:returned:{filing.pk}:{filing.revision}",
                         title=f"处置{'预审' if stage == 'pre_review' else '审批'}被退回：{case.member.person.name}",
                         body=filing.opinion, url=_disposal_url(case))
        return
    if filing.status != FilingStatus.APPROVED:
        return
    case.filing_returned = False
    decided_on = _decision_date(filing)
    kind = FilingKind.PRE_REVIEW if stage == "pre_review" else FilingKind.APPROVE
    if not upper and case.needs_county and filing.to_organization.kind != OrganizationKind.COUNTY_DEPT:
        forwarded = _forward(acting_user=acting_user, case=case, filing=filing, kind=kind)
        if stage == "pre_review":
            case.pre_review_county_filing_id = forwarded.pk
        else:
            case.approval_county_filing_id = forwarded.pk
        _save_case(case, "pre_review_county_filing_id", "approval_county_filing_id", "filing_returned",
                   "filing_opinion")
        record(actor=acting_user, action="disposal.forward", organization=filing.to_organization, subject=case,
               changes={"stage": [None, stage], "filing": [None, forwarded.pk],
                        "to_organization": [None, forwarded.to_organization.name]})
        return
    if stage == "pre_review":
        case.step, case.pre_reviewed_on = DisposalStep.PRE_REVIEWED, decided_on
        _save_case(case, "step", "pre_reviewed_on", "filing_returned", "filing_opinion")
    else:
        _save_case(case, "filing_returned", "filing_opinion")
        _apply_approval(acting_user=acting_user, case=case, approved_on=decided_on)
    record(actor=acting_user, action=f"disposal.{'pre_reviewed' if stage == 'pre_review' else 'approved'}",
           organization=case.organization, subject=case,
           changes={"step": [expected_step, case.step], "opinion": [None, filing.opinion or None],
                    "rectify_until": [None, case.rectify_until]})
    _notify_officers(case.organization, key=f"disposal:{case.pk}:{stage}:approved",
                     title=f"处置{'预审' if stage == 'pre_review' else '审批'}已同意：{case.member.person.name}",
                     body=filing.opinion, url=_disposal_url(case))


def _age(member: Member, on: date) -> int:
    return rules.age_on(member.person.birth_date, on)


@transaction.atomic
def disposal_announce(*, acting_user: AbstractBaseUser, case: DisposalCase, announced_on: date, method: str,
                      member_notified_on: date, publish: bool = False, today: date | None = None) -> DisposalCase:
    """"党支部接到审批意见后,及时通知被处置党员,并以适当方式宣布" (seed 001 第十五条). Optionally also a
    notice to the branch's members through publicity. 除名 closes the case here; 限期改正 runs to its
    deadline, 劝退 waits for the member's answer."""
    today = today or china_today()
    _lock_case(case)
    rules.check_step(current=case.step, action="announce")
    if method not in AnnouncementMethod.values:
        raise RuleViolation("disposal.announcement_method", "请选择宣布方式。", field="method")
    assert case.approved_on is not None  # noqa: S101 - step APPROVED sets it
    rules.check_decided_on(decided_on=announced_on, after=case.approved_on, today=today, field="announced_on")
    rules.check_decided_on(decided_on=member_notified_on, after=case.approved_on, today=today,
                           field="member_notified_on")
    case.step, case.announced_on, case.announcement_method = DisposalStep.ANNOUNCED, announced_on, method
    case.member_notified_on = member_notified_on
    fields = ["step", "announced_on", "announcement_method", "member_notified_on"]
    if publish:
        person = case.member.person
        window = publicity_open(
            acting_user=acting_user, organization=case.organization,
            title=f"关于对{person.name}同志作出{case.get_measure_display()}处置的公告", kind=PUBLICITY_KIND,
            kind_label=PUBLICITY_KIND_LABEL,
            entries=[(SUBJECT_DISPOSAL, str(case.pk), {
                "name": person.name, "gender": person.get_gender_display(), "age": _age(case.member, today),
                "results": f"{case.get_measure_display()}（{case.approved_on:%Y年%m月%d日}经上级党组织批准）",
            })],
            scope=["branch_members"], starts_on=today, results_label="处置结果", today=today,
        )
        case.publicity_window_id = window.pk
        fields.append("publicity_window_id")
    if case.measure == Measure.REMOVE:
        case.outcome, case.closed_on = DisposalOutcome.REMOVED, announced_on
        fields += ["outcome", "closed_on"]
    _save_case(case, *fields)
    record(actor=acting_user, action="disposal.announce", organization=case.organization, subject=case,
           changes={"step": [DisposalStep.APPROVED, DisposalStep.ANNOUNCED], "announced_on": [None, announced_on],
                    "method": [None, case.get_announcement_method_display()],
                    "publicity": [None, case.publicity_window_id]})
    return case


def _require_announced(case: DisposalCase, measure: str, what: str) -> None:
    if case.measure != measure:
        raise RuleViolation("disposal.wrong_measure", f"只有{Measure(measure).label}的处置可以{what}。")
    if case.step != DisposalStep.ANNOUNCED:
        raise RuleViolation("disposal.out_of_order",
                            f"处置程序须依次进行：须在“{rules.STEP_LABELS[rules.STEP_ANNOUNCED]}”之后才能{what}。")


@transaction.atomic
def disposal_conclude_rectification(*, acting_user: AbstractBaseUser | None, case: DisposalCase, corrected: bool,
                                    concluded_on: date, note: str,
                                    today: date | None = None) -> tuple[DisposalCase, DisposalCase | None]:
    """At the end of the year: corrected, or "限期改正期满,仍不符合党员条件的,要给予劝退处理" (seed 001
    第十四条) — a 劝退 case opens, following this one. Returns the case and the new one, if any."""
    today = today or china_today()
    _lock_case(case)
    _require_announced(case, Measure.RECTIFY, "作出改正结论")
    assert case.rectify_until is not None  # noqa: S101 - set on approval
    rules.check_rectification_conclusion(until=case.rectify_until, concluded_on=concluded_on, today=today)
    note = _text(note, code="disposal.conclusion_note", message="请填写改正情况及支部意见。", field="note", limit=500)
    case.outcome = DisposalOutcome.CORRECTED if corrected else DisposalOutcome.NOT_CORRECTED
    case.closed_on, case.closing_note = concluded_on, note
    _save_case(case, "outcome", "closed_on", "closing_note")
    record(actor=acting_user, action="disposal.conclude", organization=case.organization, subject=case,
           changes={"outcome": [None, case.get_outcome_display()], "note": [None, note]})
    follow_up = None
    if not corrected:
        follow_up = disposal_open(
            acting_user=acting_user, member=case.member, measure=Measure.PERSUADE, finding_on=concluded_on,
            finding=f"限期改正期满（{case.rectify_until:%Y年%m月%d日}），仍不符合党员条件。{note}", follows=case,
            today=today,
        )
    return case, follow_up


@transaction.atomic
def disposal_record_persuasion(*, acting_user: AbstractBaseUser | None, case: DisposalCase, quit: bool, on: date,
                               note: str = "", today: date | None = None) -> tuple[DisposalCase, DisposalCase | None]:
    """After 劝退: the member quits (out of the register), or "对已作出劝退处理,劝而不退的,给予除名处理"
    (seed 001 第十四条) — a 除名 case opens, following this one."""
    today = today or china_today()
    _lock_case(case)
    _require_announced(case, Measure.PERSUADE, "登记劝退结果")
    assert case.announced_on is not None  # noqa: S101 - step ANNOUNCED sets it
    rules.check_decided_on(decided_on=on, after=case.announced_on, today=today, field="on")
    case.outcome = DisposalOutcome.QUIT if quit else DisposalOutcome.REFUSED_TO_QUIT
    case.closed_on, case.closing_note = on, note.strip()[:500]
    _save_case(case, "outcome", "closed_on", "closing_note")
    follow_up = None
    if quit:
        member = _lock_member(case.member)
        _leave_register(acting_user=acting_user, member=member, kind=StatusChangeKind.QUIT, effective_on=on,
                        details="经劝退本人退党" + (f"：{case.closing_note}" if case.closing_note else ""))
    record(actor=acting_user, action="disposal.persuasion", organization=case.organization, subject=case,
           changes={"outcome": [None, case.get_outcome_display()], "on": [None, on]})
    if not quit:
        follow_up = disposal_open(
            acting_user=acting_user, member=case.member, measure=Measure.REMOVE, finding_on=on,
            finding=f"已作出劝退处理（{case.announced_on:%Y年%m月%d日}宣布），劝而不退。{case.closing_note}",
            follows=case, today=today,
        )
    return case, follow_up


@transaction.atomic
def disposal_withdraw(*, acting_user: AbstractBaseUser, case: DisposalCase, reason: str,
                      today: date | None = None) -> DisposalCase:
    """The branch stops a case before it is approved (a pending filing of the branch is withdrawn too)."""
    today = today or china_today()
    reason = _text(reason, code="disposal.withdraw_reason", message="请填写撤销原因。", field="reason", limit=500)
    _lock_case(case)
    if case.step >= DisposalStep.APPROVED:
        raise RuleViolation("disposal.already_approved", "上级已批准的处置不能撤销。")
    for filing_id in (case.approval_filing_id, case.pre_review_filing_id):
        filing = Filing.objects.filter(pk=filing_id, status=FilingStatus.PENDING).first() if filing_id else None
        if filing is not None:
            filing_withdraw(acting_user=acting_user, filing=filing, reason=f"处置已撤销：{reason}")
    case.outcome, case.closed_on, case.closing_note = DisposalOutcome.WITHDRAWN, today, reason
    _save_case(case, "outcome", "closed_on", "closing_note")
    record(actor=acting_user, action="disposal.withdraw", organization=case.organization, subject=case,
           changes={"outcome": [None, DisposalOutcome.WITHDRAWN.label], "reason": [None, reason]})
    return case


def disposal_tick(*, today: date) -> dict[str, int]:
    """Daily: reminds the branch 30 days before a correction year ends and when it has ended (idempotent:
    one notification key per case and reminder)."""
    cases = (DisposalCase.objects.filter(closed_on__isnull=True, measure=Measure.RECTIFY, step=DisposalStep.ANNOUNCED,
                                         rectify_until__isnull=False,
                                         rectify_until__lte=add_days(today, rules.RECTIFY_REMIND_DAYS))
             .select_related("member__person", "organization"))
    counts = {"near": 0, "reached": 0}
    last = 0
    while True:
        batch = list(cases.filter(pk__gt=last).order_by("pk")[:TICK_BATCH])
        if not batch:
            return counts
        officers = officers_of(case.organization_id for case in batch)
        for case in batch:
            assert case.rectify_until is not None  # noqa: S101 - filtered above
            which = rules.rectify_reminder(until=case.rectify_until, today=today)
            if which is None:
                continue
            name = case.member.person.name
            title = (f"限期改正即将期满：{name}（{case.rectify_until:%Y年%m月%d日}）" if which == "near"
                     else f"限期改正已期满：{name}，请支部评议并作出结论")
            sent = notify_many(users=officers.get(case.organization_id, []), key=f"disposal:{case.pk}:rectify:{which}",
                               kind="member_change", title=title,
                               body="限期改正期满，仍不符合党员条件的，要给予劝退处理。", url=_disposal_url(case),
                               organization=case.organization)
            counts[which] += bool(sent)
        last = batch[-1].pk


# --- status changes ------------------------------------------------------------------------------------------

@transaction.atomic
def member_make_full(*, acting_user: AbstractBaseUser | None, member: Member, meeting_on: date, approved_on: date,
                     approval: str = "", today: date | None = None) -> Member:
    """转正: the branch general meeting discussed it when the probation was over and the superior committee
    approved. The member is full from the day the probation ended ("党员的党龄,从预备期满转为正式党员之日
    算起", 党章第七条). Recruitment calls this at step 24 (上级党委审批)."""
    today = today or china_today()
    _lock_member(member)
    _check_no_open_disposal(member, code="member.disposal_open", message="该党员的处置程序尚未办结，暂不能办理转正。")
    ends = rules.probation_ends_on(joined_on=member.joined_on,
                                  extended_until=selectors.probation_extended_until(member))
    rules.check_make_full(status=member.status, joined_on=member.joined_on, probation_ends=ends,
                          meeting_on=meeting_on, approved_on=approved_on, today=today)
    member_rules.check_full_on(status=MemberStatus.FULL, joined_on=member.joined_on, full_on=ends, today=today)
    member.status, member.full_on = MemberStatus.FULL, ends
    member.save(update_fields=["status", "full_on", "updated_at"])
    details = f"支部大会{meeting_on:%Y年%m月%d日}讨论，上级党委{approved_on:%Y年%m月%d日}批准"
    if approval.strip():
        details += f"（{approval.strip()}）"
    _status_change(acting_user=acting_user, member=member, kind=StatusChangeKind.MADE_FULL, effective_on=ends,
                   details=details)
    record(actor=acting_user, action="member.make_full", organization=member.organization, subject=member,
           changes={"status": [MemberStatus.PROBATIONARY, MemberStatus.FULL], "full_on": [None, ends],
                    "meeting_on": [None, meeting_on], "approved_on": [None, approved_on]})
    return member


@transaction.atomic
def member_record_death(*, acting_user: AbstractBaseUser | None, member: Member, died_on: date, note: str = "",
                        today: date | None = None) -> Member:
    """A member who died leaves the register (inactive, never deleted); an unanswered transfer is withdrawn and
    an open disposal case closed."""
    today = today or china_today()
    _lock_member(member)
    rules.check_death(died_on=died_on, joined_on=member.joined_on, today=today)
    for transfer in Transfer.objects.filter(member=member, status=TransferStatus.REQUESTED):
        transfer_cancel(acting_user=acting_user, transfer=transfer, reason="党员去世", today=today)
    for case in DisposalCase.objects.filter(member=member, closed_on__isnull=True):
        case.outcome, case.closed_on, case.closing_note = DisposalOutcome.WITHDRAWN, today, "党员去世"
        _save_case(case, "outcome", "closed_on", "closing_note")
        record(actor=acting_user, action="disposal.withdraw", organization=case.organization, subject=case,
               changes={"outcome": [None, DisposalOutcome.WITHDRAWN.label], "reason": [None, "党员去世"]})
    _leave_register(acting_user=acting_user, member=member, kind=StatusChangeKind.DECEASED, effective_on=died_on,
                    details=note.strip()[:300])
    record(actor=acting_user, action="member.death", organization=member.organization, subject=member,
           changes={"is_active": [True, False], "died_on": [None, died_on]})
    return member
