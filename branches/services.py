"""Writes to the organization tree and the role grants; each emits one audit event."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from guardian.shortcuts import assign_perm, remove_perm

from audit.notifications.services import notify_many
from audit.services import record
from partyadmin.errors import RuleViolation
from partyadmin.workdays import add_months, china_today

from . import rules
from .life_models import Election, ElectionCandidate, ElectionKind, TermExtension
from .models import (
    ALLOWED_PARENT_KINDS,
    CommitteeMember,
    CommitteePost,
    Organization,
    OrganizationKind,
    OrganizationPolicy,
    OrganizationUserObjectPermission,
)
from .scoping import Role, forget_grants


@transaction.atomic
def organization_create(
    *,
    acting_user: AbstractBaseUser | None,
    parent: Organization | None,
    name: str,
    code: str,
    kind: str,
    domain: str = "",
    can_approve_admission: bool = False,
    has_committee: bool = True,
    term_years: int | None = None,
    term_started_on: date | None = None,
    term_ends_on: date | None = None,
) -> Organization:
    """Adds a node under `parent` (or a root). A county department is its own county."""
    parent_kind = parent.kind if parent is not None else None
    if parent_kind not in ALLOWED_PARENT_KINDS[kind]:
        raise RuleViolation(
            "organization.bad_parent",
            f"{OrganizationKind(kind).label}不能设在{OrganizationKind(parent_kind).label if parent_kind else '最上级'}之下。",
            field="kind",
        )
    if Organization.objects.filter(code=code).exists():
        raise RuleViolation("organization.code_taken", f"组织代码 {code} 已被使用。", field="code")
    fields = dict(
        name=name, code=code, kind=kind, domain=domain or (parent.domain if parent else ""),
        can_approve_admission=can_approve_admission, has_committee=has_committee,
        term_years=term_years, term_started_on=term_started_on, term_ends_on=term_ends_on,
        county_id=parent.county_id if parent is not None else None,
    )
    if parent is None:
        organization = Organization.objects.add_root(create_kwargs=fields)
    else:
        parent.refresh_from_db(fields=["path", "depth", "numchild"])
        organization = Organization.objects.add_child(parent, create_kwargs=fields)
    if kind == OrganizationKind.COUNTY_DEPT:
        organization.county = organization
        organization.save(update_fields=["county"])
    record(
        actor=acting_user, action="organization.create", organization=organization, subject=organization,
        changes={key: [None, value] for key, value in fields.items() if value not in (None, "", False)},
    )
    return organization


@transaction.atomic
def grant_role(*, acting_user: AbstractBaseUser | None, user: AbstractBaseUser, organization: Organization,
               role: Role) -> None:
    assign_perm(f"branches.{role.codename}", user, organization)
    forget_grants(user)
    record(
        actor=acting_user, action="grant.assign", organization=organization, subject=user,
        subject_label=user.get_username(), changes={"role": [None, role.value], "organization": [None, organization.name]},
    )


@transaction.atomic
def revoke_role(*, acting_user: AbstractBaseUser | None, user: AbstractBaseUser, organization: Organization,
                role: Role) -> None:
    remove_perm(f"branches.{role.codename}", user, organization)
    forget_grants(user)
    record(
        actor=acting_user, action="grant.revoke", organization=organization, subject=user,
        subject_label=user.get_username(), changes={"role": [role.value, None], "organization": [organization.name, None]},
    )


@transaction.atomic
def committee_member_appoint(*, acting_user: AbstractBaseUser | None, organization: Organization,
                             member: object, post: str, started_on: date) -> CommitteeMember:
    """Seats a member on the organization's committee (seed 004: at most 7 members, one secretary)."""
    Organization.objects.select_for_update().filter(pk=organization.pk).first()  # serialize appointments
    sitting = CommitteeMember.objects.filter(organization=organization, ended_on__isnull=True)
    rules.check_committee_size(sitting.count())
    if post == CommitteePost.SECRETARY and sitting.filter(post=CommitteePost.SECRETARY).exists():
        raise RuleViolation("committee.secretary_taken", "该党组织已有在任书记，请先办理原书记离任。", field="post")
    if sitting.filter(member=member).exists():
        raise RuleViolation("committee.already_sitting", "该党员已在本届支部委员会任职。", field="member")
    seat = CommitteeMember.objects.create(organization=organization, member=member, post=post, started_on=started_on)
    record(
        actor=acting_user, action="committee.appoint", organization=organization, subject=seat,
        changes={"member": [None, str(member)], "post": [None, seat.get_post_display()],
                 "started_on": [None, started_on]},
    )
    return seat


@transaction.atomic
def committee_member_end(*, acting_user: AbstractBaseUser | None, seat: CommitteeMember, ended_on: date) -> None:
    if ended_on < seat.started_on:
        raise RuleViolation("committee.end_before_start", "离任日期不能早于任职日期。", field="ended_on")
    seat.ended_on = ended_on
    seat.save(update_fields=["ended_on", "updated_at"])
    record(actor=acting_user, action="committee.end", organization=seat.organization, subject=seat,
           changes={"ended_on": [None, ended_on]})


@transaction.atomic
def policy_set(*, acting_user: AbstractBaseUser | None, organization: Organization, key: str,
               value: object) -> OrganizationPolicy:
    """Sets a per-tenant policy for the organization's subtree."""
    from django.core.exceptions import ValidationError

    from .policies import validate_policy

    try:
        validate_policy(key, value)
    except ValidationError as error:
        raise RuleViolation("policy.invalid", "；".join(error.messages), field="value") from None
    row = OrganizationPolicy.objects.filter(organization=organization, key=key).first()
    before = row.value if row else None
    if row is None:
        row = OrganizationPolicy.objects.create(organization=organization, key=key, value=value)
    else:
        row.value = value
        row.save(update_fields=["value", "updated_at"])
    record(actor=acting_user, action="policy.set", organization=organization, subject=row,
           changes={key: [before, value]})
    return row


# --- branch life: elections and terms (换届选举) -----------------------------------------------------
# Above `membership` in the layering (DESIGN §2): these services take `membership.Member` objects and
# notify through `audit.notifications`; the tree services above do not.

ELECTION_QUORUM = "election.quorum"
COMMITTEE_KINDS = (OrganizationKind.COMMITTEE, OrganizationKind.GENERAL_BRANCH, OrganizationKind.BRANCH)


def _quorum_policy(value: object) -> None:
    from django.core.exceptions import ValidationError

    if not (isinstance(value, dict) and isinstance(value.get("numerator"), int)
            and isinstance(value.get("denominator"), int) and value["denominator"] > 0
            and Fraction(1, 2) <= Fraction(value["numerator"], value["denominator"]) < 1):
        raise ValidationError('须为 {"numerator": 分子, "denominator": 分母}，比例不低于1/2且小于1。')


def election_quorum(organization: Organization) -> Fraction:
    """The share of the electorate that must be exceeded for an election to be valid (policy, default 4/5)."""
    from .policies import policy_value

    value = policy_value(organization, ELECTION_QUORUM)
    return Fraction(value["numerator"], value["denominator"])


@dataclass(frozen=True)
class CandidateInput:
    """One row of the ballot result: a name (and, for anyone to be seated, the member), votes, post."""

    name: str
    votes: int
    member: object | None = None  # membership.Member
    post: str = ""


def _check_candidates(organization: Organization, candidates: Sequence[CandidateInput],
                      elected: set[int]) -> None:
    from membership.models import MemberStatus

    seen: set[int] = set()
    secretaries = 0
    for index, candidate in enumerate(candidates):
        member = candidate.member
        if not candidate.name.strip() and member is None:
            raise RuleViolation("election.candidate_unnamed", f"第{index + 1}名候选人未填写姓名。", field="candidates")
        if member is not None:
            if member.organization_id != organization.pk or not member.is_active:
                raise RuleViolation("election.candidate_not_member",
                                    f"候选人{member}不是{organization.name}的在册党员。", field="candidates")
            # 《基层组织选举工作暂行条例》: "预备党员没有表决权、选举权和被选举权".
            if member.status != MemberStatus.FULL:
                raise RuleViolation("election.candidate_probationary",
                                    f"{member}是预备党员，没有被选举权。", field="candidates")
            if member.pk in seen:
                raise RuleViolation("election.candidate_twice", f"候选人{member}重复填写。", field="candidates")
            seen.add(member.pk)
        if index in elected:
            if member is None:
                raise RuleViolation("election.elected_not_linked",
                                    f"{candidate.name}当选，请选择其党员记录以便任职。", field="candidates")
            secretaries += candidate.post == CommitteePost.SECRETARY
    if secretaries > 1:
        raise RuleViolation("election.two_secretaries", "当选人中只能有一名书记。", field="candidates")


@transaction.atomic
def election_record(
    *, acting_user: AbstractBaseUser | None, organization: Organization, held_on: date, kind: str, seats: int,
    electorate: int, voters: int, candidates: Sequence[CandidateInput], term_years: int | None = None,
    approved_by_superior: str = "", minutes: str = "", today: date | None = None,
) -> Election:
    """Records a committee election and its consequences.

    Valid only when more than the quorum share (default 4/5) of the electorate attends; a candidate is
    elected with the votes of more than half of those attending (《中国共产党基层组织选举工作暂行条例》).
    A general election (换届) ends the sitting committee, starts a new term of 2 or 3 years (seed 004)
    and seats the elected; a by-election (补选, seed 004 "委员出缺及时补选") seats them in the current term.
    """
    if held_on > (today or china_today()):
        raise RuleViolation("election.in_future", "选举日期不能晚于今天。", field="held_on")
    if organization.kind not in COMMITTEE_KINDS:
        raise RuleViolation("election.bad_organization", "只有党委、党总支和党支部选举委员会。", field="organization")
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    general = kind == ElectionKind.GENERAL
    if general:
        rules.check_term_years(term_years)
    elif kind == ElectionKind.BY_ELECTION:
        term_years = None
    else:
        raise RuleViolation("election.bad_kind", "未知的选举类别。", field="kind")
    rules.check_seats(seats)
    quorum = election_quorum(organization)
    rules.check_election_quorum(electorate=electorate, voters=voters, quorum=quorum)
    votes = [candidate.votes for candidate in candidates]
    rules.check_votes(votes=votes, voters=voters, seats=seats)
    elected = rules.elected_candidates(votes=votes, voters=voters, seats=seats)
    _check_candidates(organization, candidates, set(elected))

    election = Election.objects.create(
        organization=organization, held_on=held_on, kind=kind, term_years=term_years, seats=seats,
        electorate=electorate, voters=voters, quorum=f"{quorum.numerator}/{quorum.denominator}",
        approved_by_superior=approved_by_superior, minutes=minutes,
        recorded_by=acting_user if acting_user is not None and acting_user.is_authenticated else None,
    )
    rows = ElectionCandidate.objects.bulk_create([
        ElectionCandidate(election=election, member=c.member, name=c.name.strip() or str(c.member), votes=c.votes,
                          elected=i in elected, post=(c.post or CommitteePost.OTHER) if i in elected else c.post)
        for i, c in enumerate(candidates)
    ])
    if general:
        for seat in CommitteeMember.objects.filter(organization=organization, ended_on__isnull=True).order_by("pk"):
            committee_member_end(acting_user=acting_user, seat=seat, ended_on=held_on)
        term_set(acting_user=acting_user, organization=organization, started_on=held_on, years=term_years)
    # The secretary first, so that "one sitting secretary" is checked before the others are seated.
    for i in sorted(elected, key=lambda i: rows[i].post != CommitteePost.SECRETARY):
        row = rows[i]
        row.seat = committee_member_appoint(acting_user=acting_user, organization=organization,
                                            member=row.member, post=row.post, started_on=held_on)
        row.save(update_fields=["seat"])
    record(
        actor=acting_user, action="election.record", organization=organization, subject=election,
        changes={
            "kind": [None, election.get_kind_display()], "held_on": [None, held_on], "term_years": [None, term_years],
            "seats": [None, seats], "electorate": [None, electorate], "voters": [None, voters],
            "quorum": [None, election.quorum],
            "votes": [None, {row.name: row.votes for row in rows}],
            "elected": [None, [rows[i].name for i in elected]],
        },
    )
    return election


@transaction.atomic
def term_set(*, acting_user: AbstractBaseUser | None, organization: Organization, started_on: date,
             years: int) -> Organization:
    """Sets the term in force: begun on `started_on`, 2 or 3 years (seed 004); clears an old extension."""
    ends_on = rules.term_end(started_on, years)
    before = {"term_started_on": organization.term_started_on, "term_years": organization.term_years,
              "term_ends_on": organization.term_ends_on, "term_extended_until": organization.term_extended_until}
    organization.term_started_on = started_on
    organization.term_years = years
    organization.term_ends_on = ends_on
    organization.term_extended_until = None
    organization.save(update_fields=[*before, "updated_at"])
    after = {key: getattr(organization, key) for key in before}
    record(actor=acting_user, action="term.set", organization=organization, subject=organization,
           changes={key: [before[key], after[key]] for key in before if before[key] != after[key]})
    return organization


@transaction.atomic
def term_extend(*, acting_user: AbstractBaseUser | None, organization: Organization, extended_until: date,
                approved_on: date, approval: str, reason: str) -> TermExtension:
    """Postpones the re-election with the superior's approval, by at most one year (seed 004 一(3):
    "如需延期换届,应报上级党组织批准,延长期限一般不超过一年")."""
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    if organization.term_ends_on is None:
        raise RuleViolation("term.not_set", "尚未登记本届任期，不能延期换届。", field="term_extended_until")
    rules.check_term_extension(ends_on=organization.term_ends_on, extended_until=extended_until)
    if not approval.strip():
        raise RuleViolation("term.extension_not_approved", "延期换届应报上级党组织批准，请填写批准文件或意见。",
                            field="approval")
    if not reason.strip():
        raise RuleViolation("term.extension_no_reason", "请填写延期原因。", field="reason")
    extension = TermExtension.objects.create(
        organization=organization, ends_on=organization.term_ends_on, extended_until=extended_until,
        approved_on=approved_on, approval=approval.strip(), reason=reason.strip(),
        approved_by=acting_user if acting_user is not None and acting_user.is_authenticated else None,
    )
    before = organization.term_extended_until
    organization.term_extended_until = extended_until
    organization.save(update_fields=["term_extended_until", "updated_at"])
    record(actor=acting_user, action="term.extend", organization=organization, subject=extension,
           changes={"term_extended_until": [before, extended_until], "approval": [None, extension.approval],
                    "reason": [None, extension.reason]})
    return extension


# --- term reminders (daily) -----------------------------------------------------------------------

def _users_with_role(organization_ids: Iterable[int], role: Role) -> dict[int, list[AbstractBaseUser]]:
    grants = OrganizationUserObjectPermission.objects.filter(
        content_object_id__in=list(organization_ids), permission__codename=role.codename, user__is_active=True,
    ).select_related("user").order_by("user_id")
    users: dict[int, list[AbstractBaseUser]] = {}
    for grant in grants:
        users.setdefault(grant.content_object_id, []).append(grant.user)
    return users


def secretaries_of(organization_ids: Iterable[int]) -> dict[int, list[AbstractBaseUser]]:
    """Active users holding a secretary grant on each organization itself (one query)."""
    return _users_with_role(organization_ids, Role.SECRETARY)


def superior_reviewers_of(organizations: Sequence[Organization]) -> dict[int, list[AbstractBaseUser]]:
    """For each organization, the reviewers of its nearest ancestor that has any (one query)."""
    step = Organization.steplen
    ancestor_paths = {o.pk: [o.path[:end] for end in range(len(o.path) - step, 0, -step)] for o in organizations}
    wanted = {path for paths in ancestor_paths.values() for path in paths}
    grants = OrganizationUserObjectPermission.objects.filter(
        content_object__path__in=wanted, permission__codename=Role.REVIEWER.codename, user__is_active=True,
    ).select_related("user").order_by("user_id")
    by_path: dict[str, list[AbstractBaseUser]] = {}
    for grant in grants.annotate(path=F("content_object__path")):
        by_path.setdefault(grant.path, []).append(grant.user)
    return {
        pk: next((by_path[path] for path in paths if path in by_path), [])  # nearest first
        for pk, paths in ancestor_paths.items()
    }


TERMS_TICK_BATCH = 500


def terms_tick(*, today: date) -> dict[str, int]:
    """Reminds the secretary and the superior's reviewers of a term ending within 3 months, and of a term
    overdue for re-election (seed 004: "到期应按时换届 … 对没有按期换届的党支部,上级党组织要 … 督促指导").

    Idempotent: each reminder's key names the organization, the deadline and the state, so a second run,
    or the next day, sends nothing new; an extension or a new term brings a new deadline and new keys.
    """
    horizon = add_months(today, rules.TERM_REMINDER_MONTHS)
    due = (
        Organization.objects.filter(is_active=True, kind__in=COMMITTEE_KINDS, term_ends_on__isnull=False)
        .filter(Q(term_extended_until__isnull=True, term_ends_on__lte=horizon) | Q(term_extended_until__lte=horizon))
        .order_by("pk")
    )
    counts = {"upcoming": 0, "overdue": 0}
    last = 0
    while True:
        batch = list(due.filter(pk__gt=last)[:TERMS_TICK_BATCH])
        if not batch:
            return counts
        last = batch[-1].pk
        secretaries = secretaries_of(o.pk for o in batch)
        reviewers = superior_reviewers_of(batch)
        for organization in batch:
            state = rules.term_reminder(ends_on=organization.term_ends_on,
                                        extended_until=organization.term_extended_until, today=today)
            if state is None:
                continue
            deadline = rules.term_deadline(ends_on=organization.term_ends_on,
                                           extended_until=organization.term_extended_until)
            if state == "overdue":
                title = f"{organization.name}已超过任期（{deadline:%Y年%m月%d日}届满），未按期换届"
                body = "党支部每届任期2年或3年，到期应按时换届；如需延期换届，应报上级党组织批准，延长期限一般不超过一年。"
            else:
                title = f"{organization.name}本届任期将于{deadline:%Y年%m月%d日}届满，请做好换届准备"
                body = "到期应按时换届；如需延期换届，应报上级党组织批准。"
            created = notify_many(
                users=[*secretaries.get(organization.pk, []), *reviewers.get(organization.pk, [])],
                key=f"term:{organization.pk}:{deadline.isoformat()}:{state}", kind="term", title=title, body=body,
                url=reverse("committee:page", args=[organization.pk]), organization=organization,
            )
            counts[state] += 1 if created else 0


def register_branch_life() -> None:
    """Start-up registrations of the committee module: the quorum policy, the daily term reminders and
    the audit subjects (called from an AppConfig.ready of branch life)."""
    from audit.registry import register_subject
    from partyadmin.jobs import register_daily

    from .committee_selectors import election_get, extension_get, seat_get
    from .policies import Policy, register_policy

    register_policy(Policy(
        ELECTION_QUORUM, "选举会议有效到会比例", {"numerator": 4, "denominator": 5},
        "《中国共产党基层组织选举工作暂行条例》：有选举权的到会人数超过应到会人数的五分之四，会议有效。",
        _quorum_policy,
    ))
    register_daily("terms_tick", terms_tick, "换届提醒",
                   count_labels={"upcoming": "任期即将届满", "overdue": "超期未换届"})
    register_subject("branches.election", lambda user, pk: election_get(user=user, pk=pk))
    register_subject("branches.committeemember", lambda user, pk: seat_get(user=user, pk=pk))
    register_subject("branches.termextension", lambda user, pk: extension_get(user=user, pk=pk))
