"""Reads of ranking and stars. Every function takes the acting user (or, for the cross-app contract
`open_consequences`, an explicit scope); a row out of scope is a 404 exactly like a missing one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Max, QuerySet

from branches.models import Organization
from branches.scoping import Action, AnyUser, can, get_or_404, scoped

from .models import (
    Consequence,
    ConsequenceStatus,
    DemocraticEvaluation,
    ProposalStatus,
    QuarterFreeze,
    QuarterResult,
    StarProposal,
    StarRow,
)

READ = Action.VIEW_MEMBER
WRITE = Action.CHANGE_MEMBER  # branch officers: secretary and committee


def may_manage(*, user: AnyUser, organization: Organization) -> bool:
    return can(user, WRITE, organization)


def branch_get(*, user: AnyUser, pk: Any, action: Action = READ) -> Organization:
    return get_or_404(Organization.objects.all(), user, action, path_field="path", pk=pk)


def freezes_of(*, user: AnyUser, organization: Organization) -> QuerySet[QuarterFreeze]:
    return scoped(QuarterFreeze.objects.filter(organization=organization), user, READ,
                  path_field="organization__path").order_by("-year", "-quarter")


def freeze_get(*, user: AnyUser, pk: Any) -> QuarterFreeze:
    return get_or_404(QuarterFreeze.objects.select_related("organization"), user, READ,
                      path_field="organization__path", pk=pk)


def freeze_results(freeze: QuarterFreeze) -> QuerySet[QuarterResult]:
    return freeze.results.select_related("person").order_by("rank", "person_id")


def proposals_of(*, user: AnyUser, organization: Organization) -> QuerySet[StarProposal]:
    return scoped(StarProposal.objects.filter(organization=organization), user, READ,
                  path_field="organization__path").order_by("-year")


def proposal_get(*, user: AnyUser, pk: Any, action: Action = READ) -> StarProposal:
    return get_or_404(StarProposal.objects.select_related("organization"), user, action,
                      path_field="organization__path", pk=pk)


def proposal_rows(proposal: StarProposal) -> QuerySet[StarRow]:
    return proposal.rows.select_related("person").order_by("exclusion", "branch_rank", "person_id")


def consequences_of(*, user: AnyUser, organization: Organization, status: str | None = None
                    ) -> QuerySet[Consequence]:
    qs = scoped(Consequence.objects.filter(organization=organization), user, READ, path_field="organization__path")
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("person", "owner").order_by("status", "due_on", "pk")


def consequence_get(*, user: AnyUser, pk: Any, action: Action = WRITE) -> Consequence:
    return get_or_404(Consequence.objects.select_related("organization", "person"), user, action,
                      path_field="organization__path", pk=pk)


def open_consequences(*, kinds: Iterable[str], person_ids: Iterable[int] | None = None,
                      organization_ids: Iterable[int] | None = None) -> QuerySet[Consequence]:
    """Open follow-ups of the given kinds (cross-app contract: recruitment reads EXTEND_PROBATION and
    CANCEL_ACTIVIST for its people). The caller scopes by people or organizations it already checked."""
    qs = Consequence.objects.filter(status=ConsequenceStatus.OPEN, kind__in=list(kinds))
    if person_ids is not None:
        qs = qs.filter(person_id__in=list(person_ids))
    if organization_ids is not None:
        qs = qs.filter(organization_id__in=list(organization_ids))
    return qs.order_by("due_on", "pk")


def evaluations_of(*, user: AnyUser, organization: Organization) -> QuerySet[DemocraticEvaluation]:
    return scoped(DemocraticEvaluation.objects.filter(organization=organization), user, READ,
                  path_field="organization__path").order_by("-year")


def evaluation_get(*, user: AnyUser, pk: Any, action: Action = READ) -> DemocraticEvaluation:
    return get_or_404(DemocraticEvaluation.objects.select_related("organization"), user, action,
                      path_field="organization__path", pk=pk)


def latest_proposal_year(*, user: AnyUser) -> int | None:
    """The newest year with a star proposal under the user's grants (stars are decided in January, so
    for most of a year the current one has none)."""
    return (scoped(StarProposal.objects.all(), user, READ, path_field="organization__path")
            .aggregate(year=Max("year"))["year"])


def subtree_overview(*, user: AnyUser, year: int) -> dict[str, Any]:
    """Rollup progress and star distribution per branch under the user's grants: two aggregate queries."""
    proposals = scoped(StarProposal.objects.filter(year=year), user, READ, path_field="organization__path")
    status_counts = dict(proposals.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    levels = (scoped(StarRow.objects.filter(year=year, exclusion=""), user, READ,
                     path_field="proposal__organization__path")
              .values("organization_id", "organization__name", "level")
              .annotate(n=Count("id")).order_by("organization__name", "organization_id"))
    branches: dict[int, dict[str, Any]] = {}
    by_level: dict[Any, int] = defaultdict(int)
    for row in levels:
        entry = branches.setdefault(row["organization_id"], {"id": row["organization_id"],
                                                             "name": row["organization__name"], "levels": {}})
        entry["levels"][row["level"]] = row["n"]
        by_level[row["level"]] += row["n"]
    return {
        "status_counts": {s.value: status_counts.get(s.value, 0) for s in ProposalStatus},
        "status_labels": {s.value: s.label for s in ProposalStatus},
        "branches": list(branches.values()),
        "by_level": dict(by_level),
    }


def my_star_rows(*, person_id: int) -> QuerySet[StarRow]:
    """A person's own final (or publicized) star results, newest first."""
    return (StarRow.objects.filter(person_id=person_id,
                                   proposal__status__in=[ProposalStatus.PUBLICIZED, ProposalStatus.FINAL])
            .select_related("proposal", "organization").order_by("-year"))


def my_quarters(*, person_id: int) -> QuerySet[QuarterResult]:
    return QuarterResult.objects.filter(person_id=person_id).order_by("-year", "-quarter")
