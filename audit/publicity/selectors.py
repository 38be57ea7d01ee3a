"""Reads of publicity windows and objections, always through the tenancy scope (branches.scoping).

Who sees what (DESIGN §2.1):
* officers of the publishing organization or above (`Action.CHANGE_MEMBER`) manage its windows and
  objections; whoever may view the organization's members (`Action.VIEW_MEMBER`: officers, clerks,
  township and county reviewers) reads them;
* a member (the `member` role) sees the notices of their own branch once published (open, closed or
  terminated, never scheduled), and their own non-anonymous objections. `audit` sits below
  `membership`, so the member's branch is read from the grant: the `member` role is granted on the
  member's branch.

Everything else is a 404, exactly like a window that does not exist.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from branches import scoping
from branches.models import Organization, OrganizationKind, OrganizationUserObjectPermission
from branches.scoping import Action, AnyUser, Role

from .models import Objection, ObjectionStatus, PublicityEntry, PublicityWindow, WindowStatus

WINDOW_PATH = "organization__path"
OBJECTION_PATH = "window__organization__path"


def member_branch_ids(user: AnyUser) -> list[int]:
    """The organizations on which the user holds the `member` role: their own branch."""
    return [grant.organization_id for grant in scoping.grants_of(user) if grant.role is Role.MEMBER]


def _published_to_member_q(user: AnyUser) -> Q:
    branches = member_branch_ids(user)
    if not branches:
        return Q(pk__in=[])
    return Q(organization_id__in=branches) & ~Q(status=WindowStatus.SCHEDULED)


def _window_scope_q(user: AnyUser) -> Q:
    return scoping.path_q(user, Action.VIEW_MEMBER, WINDOW_PATH) | _published_to_member_q(user)


def window_list(*, user: AnyUser, organization: Organization | None = None, status: str = "") -> QuerySet[PublicityWindow]:
    """Windows the user may see, newest first, with entry and pending-objection counts."""
    windows = PublicityWindow.objects.filter(_window_scope_q(user))
    if organization is not None:
        windows = windows.filter(organization__path__startswith=organization.path)
    if status:
        windows = windows.filter(status=status)
    # Counts as correlated subqueries rather than a GROUP BY over joins: PostgreSQL evaluates them
    # for the page's rows only, after the sort and LIMIT.
    return (
        windows.select_related("organization")
        .annotate(
            entry_count=_count_per_window(PublicityEntry.objects.all()),
            pending_objections=_count_per_window(Objection.objects.exclude(status=ObjectionStatus.CONCLUDED)),
        )
        .order_by("-starts_on", "-pk")
    )


def _count_per_window(rows: QuerySet[Any]) -> Coalesce:
    counted = rows.filter(window=OuterRef("pk")).order_by().values("window").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


def window_get(*, user: AnyUser, pk: object) -> PublicityWindow:
    """One window the user may see (404 otherwise), its entries prefetched in order."""
    windows = PublicityWindow.objects.select_related("organization", "opened_by").prefetch_related(
        Prefetch("entries", queryset=PublicityEntry.objects.order_by("order"))
    )
    return scoping.get_or_404(
        windows, user, Action.VIEW_MEMBER, path_field=WINDOW_PATH, self_q=_published_to_member_q(user), pk=pk,
    )


def may_manage(*, user: AnyUser, window: PublicityWindow) -> bool:
    """Officers of the publishing organization or above: record objections, investigate, conclude."""
    return scoping.can(user, Action.CHANGE_MEMBER, window.organization)


def may_read_objections(*, user: AnyUser, window: PublicityWindow) -> bool:
    return scoping.can(user, Action.VIEW_MEMBER, window.organization)


def is_member_in_scope(*, user: AnyUser, window: PublicityWindow) -> bool:
    """A member of the publishing branch (the `member` role granted on it) may object online."""
    return window.organization_id in member_branch_ids(user)


def organizations_for_opening(*, user: AnyUser) -> QuerySet[Organization]:
    """Where the user may publish a notice: organizations under their CHANGE_MEMBER grants."""
    return scoping.organizations_for(user, Action.CHANGE_MEMBER).filter(is_active=True).exclude(
        kind=OrganizationKind.PARTY_GROUP,
    ).order_by("path")


def organizations_for_filter(*, user: AnyUser) -> QuerySet[Organization]:
    return scoping.organizations_for(user, Action.VIEW_MEMBER).exclude(
        kind=OrganizationKind.PARTY_GROUP,
    ).order_by("path")


def has_office_scope(user: AnyUser) -> bool:
    """Whether the user reads windows as an office holder (not only as a member)."""
    return any(Action.VIEW_MEMBER in scoping.ROLE_ACTIONS[grant.role] for grant in scoping.grants_of(user))


def _objections() -> QuerySet[Objection]:
    return Objection.objects.select_related(
        "window", "window__organization", "entry", "filed_by", "recorded_by", "investigated_by",
    )


def _own_objection_q(user: AnyUser) -> Q:
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(filed_by=user)


def objection_list(*, user: AnyUser, window: PublicityWindow | None = None, status: str = "") -> QuerySet[Objection]:
    """Objections the user may read: in VIEW_MEMBER scope, or filed by the user (not anonymously).

    Pending ones first, then newest first.
    """
    objections = _objections().filter(scoping.path_q(user, Action.VIEW_MEMBER, OBJECTION_PATH) | _own_objection_q(user))
    if window is not None:
        objections = objections.filter(window=window)
    if status:
        objections = objections.filter(status=status)
    return objections.order_by(F("concluded_at").desc(nulls_first=True), "-filed_at", "-pk")


def objection_get(*, user: AnyUser, pk: object) -> Objection:
    return scoping.get_or_404(
        _objections(), user, Action.VIEW_MEMBER, path_field=OBJECTION_PATH, self_q=_own_objection_q(user), pk=pk,
    )


def own_objections(*, user: AnyUser, window: PublicityWindow) -> list[Objection]:
    """The user's own (non-anonymous) objections to a window, for the notice page."""
    if not user.is_authenticated:
        return []
    return list(Objection.objects.filter(window=window, filed_by=user).select_related("entry").order_by("filed_at"))


def secretaries_of(organization_ids: list[int]) -> dict[int, list[AbstractBaseUser]]:
    """Active users holding the secretary role on each organization (one query)."""
    rows = (
        OrganizationUserObjectPermission.objects.filter(
            content_object_id__in=organization_ids, permission__codename=Role.SECRETARY.codename,
            user__is_active=True,
        ).values_list("content_object_id", "user_id")
    )
    pairs = list(rows)
    users = get_user_model().objects.in_bulk({user_id for _, user_id in pairs})
    result: dict[int, list[AbstractBaseUser]] = {}
    for organization_id, user_id in pairs:
        result.setdefault(organization_id, []).append(users[user_id])
    return result


# --- the notice's table (page and PDF) ---------------------------------------------------------


@dataclass(frozen=True)
class NoticeRow:
    entry: PublicityEntry
    cells: list[str]


def display_value(value: Any) -> str:
    """A snapshot value as printed: vote tallies as "赞成：12；反对：1", whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        return "；".join(f"{key}：{display_value(item)}" for key, item in value.items())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def notice_rows(window: PublicityWindow) -> list[NoticeRow]:
    """The entries in order, one cell per column (uses the entries prefetched by `window_get`)."""
    return [
        NoticeRow(entry, [display_value(entry.snapshot.get(key)) for key, _ in window.columns])
        for entry in window.entries.all()
    ]
