"""Reads of member changes, always through the tenancy scope (`branches.scoping`).

* Transfers are visible on both sides: where the sending or the receiving branch lies under one of the
  user's VIEW_MEMBER grants (and, to a member, their own). Acting needs CHANGE_MEMBER on the side that acts.
* Flow records, exemptions, disposal cases and status changes belong to their branch (`organization`); a
  member sees their own flows, exemptions, transfers and status changes — not disposal deliberations.
Out of scope is the same 404 as missing.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from branches import scoping
from branches.models import Organization, OrganizationKind
from branches.scoping import Action, AnyUser
from membership.models import Member, MemberStatus

from . import registry, rules
from .models import (
    DisposalCase,
    Exemption,
    ExemptionStatus,
    FlowRecord,
    FlowReport,
    StatusChange,
    Transfer,
    TransferKind,
    TransferStatus,
)

PATH = "organization__path"


def _self_q(user: AnyUser) -> Q:
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(member__person__user=user)


def _scoped(queryset: QuerySet, user: AnyUser, *, self_scope: bool = True) -> QuerySet:
    return scoping.scoped(queryset, user, Action.VIEW_MEMBER, path_field=PATH,
                          self_q=_self_q(user) if self_scope else None)


def _get(queryset: QuerySet, pk: object) -> object:
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404("对象不存在或无权访问。") from None


def may_change(*, user: AnyUser, organization: Organization) -> bool:
    """Branch officers (secretary, committee) of the organization or above."""
    return scoping.can(user, Action.CHANGE_MEMBER, organization)


def is_own(*, user: AnyUser, member: Member) -> bool:
    return user.is_authenticated and member.person.user_id == user.pk


def has_view_scope(user: AnyUser) -> bool:
    return any(Action.VIEW_MEMBER in scoping.ROLE_ACTIONS[grant.role] for grant in scoping.grants_of(user))


# --- transfers -----------------------------------------------------------------------------------------

def _transfer_q(user: AnyUser) -> Q:
    q = (scoping.path_q(user, Action.VIEW_MEMBER, "from_organization__path")
         | scoping.path_q(user, Action.VIEW_MEMBER, "to_organization__path"))
    if scoping.has_self_scope(user, Action.VIEW_MEMBER):
        q |= _self_q(user)
    return q


def _transfers() -> QuerySet[Transfer]:
    return Transfer.objects.select_related("member__person", "from_organization", "to_organization",
                                           "requested_by", "decided_by")


INCOMING, OUTGOING = "in", "out"


def transfer_list(*, user: AnyUser, direction: str = "", status: str = "",
                  organization: Organization | None = None) -> QuerySet[Transfer]:
    """Transfers the user may see, newest first; `direction` "in" (to the user's branches) or "out"."""
    transfers = _transfers().filter(_transfer_q(user))
    if direction == INCOMING:
        transfers = transfers.filter(scoping.path_q(user, Action.VIEW_MEMBER, "to_organization__path"))
    elif direction == OUTGOING:
        transfers = transfers.filter(scoping.path_q(user, Action.VIEW_MEMBER, "from_organization__path"))
    if status:
        transfers = transfers.filter(status=status)
    if organization is not None:
        transfers = transfers.filter(Q(from_organization__path__startswith=organization.path)
                                     | Q(to_organization__path__startswith=organization.path))
    return transfers.order_by("-requested_on", "-pk")


def transfer_get(*, user: AnyUser, pk: object) -> Transfer:
    return _get(_transfers().filter(_transfer_q(user)), pk)  # type: ignore[return-value]


def may_receive(*, user: AnyUser, transfer: Transfer) -> bool:
    """An officer of the receiving branch (or above it) answers a transfer addressed to it."""
    return (transfer.status == TransferStatus.REQUESTED and transfer.to_organization is not None
            and may_change(user=user, organization=transfer.to_organization))


def may_manage_sent(*, user: AnyUser, transfer: Transfer) -> bool:
    return may_change(user=user, organization=transfer.from_organization)


def may_print_letter(*, user: AnyUser, transfer: Transfer) -> bool:
    """The sending side's officers and reviewers print the letter of a transfer out of the system."""
    return (transfer.kind == TransferKind.OUTSIDE and transfer.letter_sequence is not None
            and scoping.can(user, Action.VIEW_MEMBER, transfer.from_organization))


def may_see_full_id(*, user: AnyUser, transfer: Transfer) -> bool:
    return scoping.can(user, Action.VIEW_PERSONAL_DATA, transfer.from_organization)


def receiving_branch_by_code(code: str) -> Organization | None:
    """Any active branch of the system, named by its organization code (the sender knows the receiver's
    code; nothing else of a foreign tree is listed)."""
    code = (code or "").strip()
    if not code:
        return None
    return Organization.objects.filter(code=code, kind=OrganizationKind.BRANCH, is_active=True).first()


def county_branches(*, member: Member) -> QuerySet[Organization]:
    """The active branches of the member's county, for the receiving-branch picker (names and codes only)."""
    return (Organization.objects.filter(county_id=member.county_id, kind=OrganizationKind.BRANCH, is_active=True)
            .exclude(pk=member.organization_id).only("name", "code").order_by("path"))


# --- floating members ----------------------------------------------------------------------------------

def _flows() -> QuerySet[FlowRecord]:
    return FlowRecord.objects.select_related("member__person", "organization")


def flow_list(*, user: AnyUser, organization: Organization | None = None, open_only: bool = False,
              direction: str = "") -> QuerySet[FlowRecord]:
    flows = _scoped(_flows(), user)
    if organization is not None:
        flows = flows.filter(organization__path__startswith=organization.path)
    if open_only:
        flows = flows.filter(returned_on__isnull=True)
    if direction:
        flows = flows.filter(direction=direction)
    return flows.order_by("returned_on", "-started_on", "-pk")


def flow_get(*, user: AnyUser, pk: object) -> FlowRecord:
    return _get(_scoped(_flows(), user), pk)  # type: ignore[return-value]


def flow_reports(flow: FlowRecord) -> list[FlowReport]:
    return list(flow.reports.select_related("recorded_by").order_by("-reported_on", "-pk"))


def may_report(*, user: AnyUser, flow: FlowRecord) -> bool:
    """Officers of the branch, and the floating member themself (from their phone)."""
    return flow.is_open and (may_change(user=user, organization=flow.organization)
                             or is_own(user=user, member=flow.member))


# --- exemptions -----------------------------------------------------------------------------------------

def _exemptions() -> QuerySet[Exemption]:
    return Exemption.objects.select_related("member__person", "organization", "applied_by", "decided_by")


def exemption_list(*, user: AnyUser, organization: Organization | None = None,
                   status: str = "") -> QuerySet[Exemption]:
    rows = _scoped(_exemptions(), user)
    if organization is not None:
        rows = rows.filter(organization__path__startswith=organization.path)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-applied_on", "-pk")


def exemption_get(*, user: AnyUser, pk: object) -> Exemption:
    return _get(_scoped(_exemptions(), user), pk)  # type: ignore[return-value]


def may_apply_exemption(*, user: AnyUser, member: Member) -> bool:
    return member.is_active and not member.is_exempt and (
        may_change(user=user, organization=member.organization) or is_own(user=user, member=member))


PENDING_EXEMPTION = (ExemptionStatus.APPLIED, ExemptionStatus.FILED, ExemptionStatus.RETURNED)


# --- disposal ------------------------------------------------------------------------------------------

def _cases() -> QuerySet[DisposalCase]:
    return DisposalCase.objects.select_related("member__person", "organization", "follows")


def disposal_list(*, user: AnyUser, organization: Organization | None = None,
                  open_only: bool = False) -> QuerySet[DisposalCase]:
    rows = _scoped(_cases(), user, self_scope=False)
    if organization is not None:
        rows = rows.filter(organization__path__startswith=organization.path)
    if open_only:
        rows = rows.filter(closed_on__isnull=True)
    return rows.order_by("closed_on", "-finding_on", "-pk")


def disposal_get(*, user: AnyUser, pk: object) -> DisposalCase:
    return _get(_scoped(_cases(), user, self_scope=False), pk)  # type: ignore[return-value]


@dataclass(frozen=True)
class LapseRow:
    candidate: registry.LapseCandidate
    source: str
    member: Member


def lapse_candidates(*, user: AnyUser) -> list[LapseRow]:
    """Self-lapse candidates from the registered sources in the branches where the user may open a case,
    without the members who already have an open case (one query per source and scope root, one for the
    members)."""
    roots = scoping.top_organizations(user, Action.CHANGE_MEMBER)
    found: list[tuple[str, registry.LapseCandidate]] = []
    for source in registry.lapse_sources():
        for root in roots:
            found.extend((source.name, candidate) for candidate in source.candidates(root))
    if not found:
        return []
    members = {
        m.pk: m for m in Member.objects.filter(pk__in={c.member_id for _, c in found}, is_active=True)
        .filter(scoping.path_q(user, Action.CHANGE_MEMBER, PATH))
        .exclude(Exists(DisposalCase.objects.filter(member=OuterRef("pk"), closed_on__isnull=True)))
        .select_related("person", "organization")
    }
    return [LapseRow(candidate=c, source=name, member=members[c.member_id]) for name, c in found
            if c.member_id in members]


def lapse_candidate_get(*, user: AnyUser, source: str, reference: str) -> LapseRow | None:
    return next((row for row in lapse_candidates(user=user)
                 if row.source == source and row.candidate.reference == str(reference)), None)


# --- status changes and the member page ------------------------------------------------------------------

def status_change_list(*, user: AnyUser, organization: Organization | None = None,
                       kinds: Iterable[str] = ()) -> QuerySet[StatusChange]:
    rows = _scoped(StatusChange.objects.select_related("member__person", "organization", "recorded_by"), user)
    if organization is not None:
        rows = rows.filter(organization__path__startswith=organization.path)
    kinds = list(kinds)
    if kinds:
        rows = rows.filter(kind__in=kinds)
    return rows.order_by("-effective_on", "-pk")


def former_members(*, user: AnyUser, organization: Organization | None = None) -> QuerySet[Member]:
    """Members no longer in the register (transferred out, died, removed, quit), with their last change."""
    members = scoping.scoped(Member.objects.filter(is_active=False).select_related("person", "organization"),
                             user, Action.VIEW_MEMBER, path_field=PATH)
    if organization is not None:
        members = members.filter(organization__path__startswith=organization.path)
    last_change = StatusChange.objects.order_by("-effective_on", "-pk")
    return members.prefetch_related(Prefetch("status_changes", queryset=last_change)).order_by("-updated_at", "-pk")


@dataclass
class MemberChanges:
    transfers: list[Transfer]
    flows: list[FlowRecord]
    exemptions: list[Exemption]
    disposals: list[DisposalCase]
    status_changes: list[StatusChange]


def member_changes(*, user: AnyUser, member: Member) -> MemberChanges:
    """Everything that changed a member's situation, for the member page (the caller fetched the member
    through the scope): a transfer shows on both sides, the rest where the user may see its branch."""
    return MemberChanges(
        transfers=list(transfer_list(user=user).filter(member=member)),
        flows=list(flow_list(user=user).filter(member=member)),
        exemptions=list(exemption_list(user=user).filter(member=member)),
        disposals=list(disposal_list(user=user).filter(member=member)),
        status_changes=list(status_change_list(user=user).filter(member=member)),
    )


def probation_extended_until(member: Member) -> date | None:
    """The end of an extension of the member's probation, if any: an approved 限期改正 of a probationary member,
    or an extension another app registered (the branch meeting's or the star rating's, in recruitment)."""
    ends = [DisposalCase.objects.filter(member=member, probation_extended_until__isnull=False,
                                        approved_on__isnull=False)
            .aggregate(until=Max("probation_extended_until"))["until"]]
    ends += [fn(member) for fn in registry.probation_extensions()]
    return max((end for end in ends if end is not None), default=None)


def probation_end(member: Member) -> date | None:
    """When the member's probation ends (or ended), for the make-full form."""
    if member.status != MemberStatus.PROBATIONARY:
        return None
    return rules.probation_ends_on(joined_on=member.joined_on, extended_until=probation_extended_until(member))

