"""Reads of committees, elections and terms (branch life), always through the tenancy scope."""

from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from membership.models import Member, MemberStatus

from . import rules, scoping
from .life_models import CommitteeMember, CommitteePost, Election, ElectionCandidate, TermExtension
from .models import Organization, OrganizationKind
from .scoping import Action, AnyUser, Role

COMMITTEE_KINDS = (OrganizationKind.COMMITTEE, OrganizationKind.GENERAL_BRANCH, OrganizationKind.BRANCH)
POST_ORDER = [post for post, _ in CommitteePost.choices]


def committee_organization_get(*, user: AnyUser, pk: object) -> Organization:
    """An organization with a committee (党委、党总支、党支部) the user may see; 404 otherwise."""
    return scoping.get_or_404(Organization.objects.filter(kind__in=COMMITTEE_KINDS), user,
                              Action.VIEW_ORGANIZATION, path_field="path", pk=pk)


def may_manage_committee(*, user: AnyUser, organization: Organization) -> bool:
    """The organization's officers (or above) record elections, appointments and terms."""
    return scoping.can(user, Action.CHANGE_MEMBER, organization)


def may_approve_extension(*, user: AnyUser, organization: Organization) -> bool:
    """A postponed re-election is approved by the superior (seed 004: "应报上级党组织批准"): a reviewer
    grant on an ancestor, never on the organization itself."""
    return any(
        grant.role is Role.REVIEWER and organization.path.startswith(grant.path) and grant.path != organization.path
        for grant in scoping.grants_of(user)
    )


def sitting_members(organization: Organization) -> list[CommitteeMember]:
    """The sitting committee, by post (书记, 副书记, 委员 …)."""
    seats = list(CommitteeMember.objects.filter(organization=organization, ended_on__isnull=True)
                 .select_related("member__person"))
    return sorted(seats, key=lambda seat: (POST_ORDER.index(seat.post), seat.started_on, seat.pk))


def past_members(organization: Organization, limit: int = 50) -> QuerySet[CommitteeMember]:
    return (CommitteeMember.objects.filter(organization=organization, ended_on__isnull=False)
            .select_related("member__person").order_by("-ended_on", "-pk")[:limit])


def elections_of(organization: Organization) -> QuerySet[Election]:
    return (Election.objects.filter(organization=organization)
            .prefetch_related(Prefetch("candidates", queryset=ElectionCandidate.objects.order_by("-votes", "pk")))
            .order_by("-held_on", "-pk"))


def extensions_of(organization: Organization) -> QuerySet[TermExtension]:
    return TermExtension.objects.filter(organization=organization).select_related("approved_by").order_by("-pk")


def term_info(organization: Organization, *, today: date) -> dict[str, Any]:
    return {
        "deadline": rules.term_deadline(ends_on=organization.term_ends_on,
                                        extended_until=organization.term_extended_until),
        "reminder": rules.term_reminder(ends_on=organization.term_ends_on,
                                        extended_until=organization.term_extended_until, today=today),
    }


def eligible_members(organization: Organization) -> QuerySet[Member]:
    """Full members of the organization (预备党员 have no right to be elected)."""
    return (Member.objects.filter(organization=organization, is_active=True, status=MemberStatus.FULL)
            .select_related("person").order_by("pk"))


def full_member_count(organization: Organization) -> int:
    """The default electorate (应到会有选举权党员): full members in the register."""
    return Member.objects.filter(organization=organization, is_active=True, status=MemberStatus.FULL).count()


def election_get(*, user: AnyUser, pk: object, organization: Organization | None = None) -> Election:
    queryset = Election.objects.select_related("organization", "recorded_by").prefetch_related(
        Prefetch("candidates", queryset=ElectionCandidate.objects.select_related("member__person")
                 .order_by("-votes", "pk")))
    if organization is not None:
        queryset = queryset.filter(organization=organization)
    return scoping.get_or_404(queryset, user, Action.VIEW_ORGANIZATION, path_field="organization__path", pk=pk)


def seat_get(*, user: AnyUser, pk: object, organization: Organization | None = None) -> CommitteeMember:
    queryset = CommitteeMember.objects.select_related("organization", "member__person")
    if organization is not None:
        queryset = queryset.filter(organization=organization)
    return scoping.get_or_404(queryset, user, Action.VIEW_ORGANIZATION, path_field="organization__path", pk=pk)


def extension_get(*, user: AnyUser, pk: object) -> TermExtension:
    return scoping.get_or_404(TermExtension.objects.select_related("organization"), user, Action.VIEW_ORGANIZATION,
                              path_field="organization__path", pk=pk)


def member_of(organization: Organization, pk: object) -> Member:
    """A member of this organization's register (for a form), or 404."""
    try:
        return Member.objects.select_related("person").get(organization=organization, is_active=True, pk=pk)
    except (Member.DoesNotExist, ValueError, TypeError):
        raise Http404("党员不存在。") from None
