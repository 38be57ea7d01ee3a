"""Tenancy scoping: the one place that answers "where may this user do P".

A user acts through role grants (user, organization, role), stored as guardian object
permissions on `Organization`. A grant covers the organization's whole subtree. Every selector,
view and API call asks this module; an object outside the answer is a 404, exactly like an object
that does not exist.

The `member` role is different: it covers the member's own records only (`self_q`).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import reduce
from operator import or_
from typing import TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Organization, OrganizationUserObjectPermission

M = TypeVar("M", bound=models.Model)
AnyUser = AbstractBaseUser | AnonymousUser


class Role(StrEnum):
    SECRETARY = "secretary"
    COMMITTEE = "committee"
    CLERK = "clerk"
    REVIEWER = "reviewer"
    MEMBER = "member"
    SYSADMIN = "sysadmin"
    SECADMIN = "secadmin"
    AUDITOR = "auditor"

    @property
    def codename(self) -> str:
        return f"role_{self.value}"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.SECRETARY: "支部书记",
    Role.COMMITTEE: "支部委员",
    Role.CLERK: "记分员",
    Role.REVIEWER: "审核人",
    Role.MEMBER: "党员",
    Role.SYSADMIN: "系统管理员",
    Role.SECADMIN: "安全管理员",
    Role.AUDITOR: "审计管理员",
}


class Action(StrEnum):
    """What a user may do inside an organization's subtree."""

    VIEW_ORGANIZATION = "organization.view"
    CHANGE_ORGANIZATION = "organization.change"
    VIEW_MEMBER = "member.view"
    CHANGE_MEMBER = "member.change"
    VIEW_PERSONAL_DATA = "member.view_personal_data"  # the unmasked ID number, phone, address
    VIEW_AUDIT = "audit.view"
    MANAGE_GRANTS = "grant.manage"
    MANAGE_CALENDAR = "calendar.manage"
    RECORD_POINTS = "points.record"  # 记分: enter and propose points entries (clerk, secretary, committee)


_BRANCH_OFFICER = {
    Action.VIEW_ORGANIZATION, Action.VIEW_MEMBER, Action.CHANGE_MEMBER, Action.VIEW_PERSONAL_DATA,
    Action.VIEW_AUDIT,
}

# Subtree-wide actions per role. 三员分立: the three administrators do not overlap and none of them
# reads members' personal data.
ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.SECRETARY: frozenset(_BRANCH_OFFICER | {Action.RECORD_POINTS}),
    Role.COMMITTEE: frozenset(_BRANCH_OFFICER | {Action.RECORD_POINTS}),
    Role.CLERK: frozenset({Action.VIEW_ORGANIZATION, Action.VIEW_MEMBER, Action.RECORD_POINTS}),
    Role.REVIEWER: frozenset({Action.VIEW_ORGANIZATION, Action.VIEW_MEMBER, Action.VIEW_AUDIT}),
    Role.MEMBER: frozenset(),
    Role.SYSADMIN: frozenset({Action.VIEW_ORGANIZATION, Action.CHANGE_ORGANIZATION, Action.MANAGE_CALENDAR}),
    Role.SECADMIN: frozenset({Action.VIEW_ORGANIZATION, Action.MANAGE_GRANTS}),
    Role.AUDITOR: frozenset({Action.VIEW_ORGANIZATION, Action.VIEW_AUDIT}),
}

# Actions a `member` grant allows on the member's own records only.
SELF_ACTIONS: frozenset[Action] = frozenset({Action.VIEW_MEMBER, Action.VIEW_PERSONAL_DATA})

_CODENAME_TO_ROLE = {role.codename: role for role in Role}


@dataclass(frozen=True)
class Grant:
    organization_id: int
    path: str
    depth: int
    name: str
    role: Role
    kind: str = ""  # the organization's OrganizationKind


def grants_of(user: AnyUser) -> list[Grant]:
    """The user's role grants, read once per user object (one query)."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_partyadmin_grants", None)
    if cached is None:
        rows = (
            OrganizationUserObjectPermission.objects.filter(
                user=user, permission__codename__in=_CODENAME_TO_ROLE, content_object__is_active=True
            )
            .values_list(
                "content_object_id", "content_object__path", "content_object__depth",
                "content_object__name", "permission__codename", "content_object__kind",
            )
            .order_by("content_object__path", "permission__codename")
        )
        cached = [Grant(pk, path, depth, name, _CODENAME_TO_ROLE[code], kind)
                  for pk, path, depth, name, code, kind in rows]
        user._partyadmin_grants = cached  # type: ignore[union-attr]
    return cached


def forget_grants(user: AnyUser) -> None:
    """Drop the per-object cache after a grant change."""
    if hasattr(user, "_partyadmin_grants"):
        del user._partyadmin_grants  # type: ignore[union-attr]


def roles_of(user: AnyUser) -> set[Role]:
    return {grant.role for grant in grants_of(user)}


def path_roots(user: AnyUser, action: Action) -> list[str]:
    """The minimal list of granted paths under which the user may do `action`."""
    return _roots(user, action)


def _roots(user: AnyUser, action: Action) -> list[str]:
    """Minimal set of granted paths where the action is allowed (nested grants collapse)."""
    paths = sorted({g.path for g in grants_of(user) if action in ROLE_ACTIONS[g.role]})
    roots: list[str] = []
    for path in paths:
        if not roots or not path.startswith(roots[-1]):
            roots.append(path)
    return roots


def has_self_scope(user: AnyUser, action: Action) -> bool:
    return action in SELF_ACTIONS and any(g.role is Role.MEMBER for g in grants_of(user))


def path_q(user: AnyUser, action: Action, path_field: str = "path") -> Q:
    """A filter on `path_field` matching every organization under the user's grants for `action`."""
    roots = _roots(user, action)
    if not roots:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{path_field}__startswith": root}) for root in roots))


def scope_q(user: AnyUser, action: Action, *, path_field: str, self_q: Q | None = None) -> Q:
    """The filter for tenant-owned rows: under a granted subtree, or (member role) the user's own."""
    q = path_q(user, action, path_field)
    if self_q is not None and has_self_scope(user, action):
        q |= self_q
    return q


def organizations_for(user: AnyUser, action: Action) -> QuerySet[Organization]:
    """Every organization where the user may do `action`."""
    return Organization.objects.filter(path_q(user, action))


def can(user: AnyUser, action: Action, organization: Organization) -> bool:
    return any(organization.path.startswith(root) for root in _roots(user, action))


def scoped(queryset: QuerySet[M], user: AnyUser, action: Action, *, path_field: str,
           self_q: Q | None = None) -> QuerySet[M]:
    return queryset.filter(scope_q(user, action, path_field=path_field, self_q=self_q))


def get_or_404(queryset: QuerySet[M], user: AnyUser, action: Action, *, path_field: str,
               self_q: Q | None = None, **lookup: object) -> M:
    """One row in scope, or 404 for both "missing" and "not yours"."""
    try:
        return scoped(queryset, user, action, path_field=path_field, self_q=self_q).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404("对象不存在或无权访问。") from None


def organization_get_for_user(user: AnyUser, pk: object, action: Action = Action.VIEW_ORGANIZATION) -> Organization:
    return get_or_404(Organization.objects.all(), user, action, path_field="path", pk=pk)


def top_organizations(user: AnyUser, action: Action = Action.VIEW_ORGANIZATION) -> list[Organization]:
    """The roots of the user's visible forest (for the tree page and dashboards)."""
    roots = _roots(user, action)
    return list(Organization.objects.filter(path__in=roots).order_by("path"))


def granted_organization_ids(user: AnyUser, roles: Iterable[Role]) -> list[int]:
    wanted = set(roles)
    return [g.organization_id for g in grants_of(user) if g.role in wanted]
