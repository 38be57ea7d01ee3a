"""Reads of people and the member register, always through the tenancy scope (branches.scoping)."""

from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.db.models import Count, Q, QuerySet

from branches import scoping
from branches.models import Organization, OrganizationKind
from branches.scoping import Action, AnyUser
from partyadmin.crypto import blind_index

from .models import Flow, Member, Person

PATH_FIELD = "organization__path"
SORTS = {
    "name": ("person__name", "pk"),
    "-name": ("-person__name", "-pk"),
    "joined_on": ("joined_on", "pk"),
    "-joined_on": ("-joined_on", "-pk"),
}
# Register order: by branch, then entry order. An index on (organization, id) serves it without a sort,
# even for a county-wide scope (sorting 100,000 rows by branch path and name took ~400 ms).
DEFAULT_SORT = ("organization_id", "pk")


def _self_q(user: AnyUser) -> Q:
    """The member role's own records: the member whose person is this user's."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(person__user=user)


def _members() -> QuerySet[Member]:
    return Member.objects.select_related("person", "organization", "party_group")


FLOATING = "floating"  # the `flow` filter value for "flowing out or in"


def member_list(
    *, user: AnyUser, search: str = "", organization: Organization | None = None, status: str = "",
    category: str = "", office_holder: bool | None = None, flow: str = "", exempt: bool | None = None,
    sort: str = "",
) -> QuerySet[Member]:
    """Members in the register the user may see, with optional filters.

    `search` matches the name (contains) or, exactly, an ID number or phone number through the
    blind index, so the look-up never decrypts a row. `office_holder` and `exempt` filter when not
    None (有职/无职, 免于积分评星); `flow` is a `Flow` value or `FLOATING` for every floating member.
    """
    members = scoping.scoped(
        _members().filter(is_active=True), user, Action.VIEW_MEMBER, path_field=PATH_FIELD, self_q=_self_q(user),
    )
    search = search.strip()
    if search:
        digest = blind_index(search)
        members = members.filter(
            Q(person__name__icontains=search) | Q(person__id_number_index=digest) | Q(person__phone_index=digest)
        )
    if organization is not None:
        members = members.filter(organization__path__startswith=organization.path)
    if status:
        members = members.filter(status=status)
    if category:
        members = members.filter(category=category)
    if office_holder is not None:
        members = members.filter(is_office_holder=office_holder)
    if flow == FLOATING:
        members = members.exclude(flow=Flow.NONE)
    elif flow:
        members = members.filter(flow=flow)
    if exempt is not None:
        members = members.filter(is_exempt=exempt)
    return members.order_by(*SORTS.get(sort, DEFAULT_SORT))


def member_get(*, user: AnyUser, pk: object) -> Member:
    """One member the user may see; 404 for missing and for out of scope alike."""
    return scoping.get_or_404(
        _members(), user, Action.VIEW_MEMBER, path_field=PATH_FIELD, self_q=_self_q(user), pk=pk,
    )


def member_for_user(user: AnyUser) -> Member | None:
    """The user's own member record (the member portal), if they have one in the register."""
    if not user.is_authenticated:
        return None
    return _members().filter(person__user=user, is_active=True).first()


def _is_own(user: AnyUser, member: Member) -> bool:
    return user.is_authenticated and member.person.user_id == user.pk


def may_change_member(*, user: AnyUser, member: Member) -> bool:
    return scoping.can(user, Action.CHANGE_MEMBER, member.organization)


def may_see_history(*, user: AnyUser, member: Member) -> bool:
    return scoping.can(user, Action.VIEW_AUDIT, member.organization)


def may_view_personal_data(*, user: AnyUser, member: Member) -> bool:
    """Officers of the branch (or above) and, through the member role, the member themself."""
    if scoping.can(user, Action.VIEW_PERSONAL_DATA, member.organization):
        return True
    return _is_own(user, member) and scoping.has_self_scope(user, Action.VIEW_PERSONAL_DATA)


def branches_for_change(*, user: AnyUser) -> QuerySet[Organization]:
    """Branches where the user may enter members."""
    return scoping.organizations_for(user, Action.CHANGE_MEMBER).filter(
        kind=OrganizationKind.BRANCH, is_active=True,
    ).order_by("path")


def party_groups_for_change(*, user: AnyUser) -> QuerySet[Organization]:
    return scoping.organizations_for(user, Action.CHANGE_MEMBER).filter(
        kind=OrganizationKind.PARTY_GROUP, is_active=True,
    ).order_by("path")


def branches_for_change_named(*, user: AnyUser, labels: Iterable[str]) -> list[Organization]:
    """Branches where the user may enter members whose organization code or name is one of `labels`
    (the import's 所在党支部 column): one query, and nothing outside the user's scope."""
    wanted = sorted(set(labels))
    if not wanted:
        return []
    return list(branches_for_change(user=user).filter(Q(code__in=wanted) | Q(name__in=wanted)))


def id_numbers_registered(*, digests: Iterable[str]) -> set[str]:
    """Which of these ID-number blind indexes are already registered. The register is unique across
    all tenants (the database constraint is global), so this check is too, exactly like the one in
    `services.member_create`; it answers only "taken or not", never whose."""
    wanted = sorted(set(digests))
    taken: set[str] = set()
    for start in range(0, len(wanted), 500):
        taken.update(Person.objects.filter(id_number_index__in=wanted[start:start + 500])
                     .values_list("id_number_index", flat=True))
    return taken


def party_groups_for_change_named(*, user: AnyUser, names: Iterable[str]) -> list[Organization]:
    """Party groups where the user may enter members, by name (the import's 党小组 column)."""
    wanted = sorted(set(names))
    if not wanted:
        return []
    return list(party_groups_for_change(user=user).filter(name__in=wanted))


def organizations_for_filter(*, user: AnyUser) -> QuerySet[Organization]:
    """Organizations the list can be narrowed to (everything in view above the party groups)."""
    return scoping.organizations_for(user, Action.VIEW_MEMBER).exclude(
        kind=OrganizationKind.PARTY_GROUP,
    ).order_by("path")


def has_register_scope(user: AnyUser) -> bool:
    """Whether the user sees members beyond their own record."""
    return any(Action.VIEW_MEMBER in scoping.ROLE_ACTIONS[grant.role] for grant in scoping.grants_of(user))


def register_root(*, user: AnyUser) -> Organization | None:
    """The top organization of the user's register scope: where a register-wide action (an export
    of an unfiltered list) is recorded in the audit trail."""
    roots = scoping.top_organizations(user, Action.VIEW_MEMBER)
    return roots[0] if roots else None


def member_counts_by_path(*, user: AnyUser, under: Iterable[str]) -> dict[str, int]:
    """Members in the register (probationary and full) per organization path, for organizations
    under any of `under`, within the user's VIEW_MEMBER scope: one GROUP BY query."""
    paths = sorted(set(under))
    if not paths:
        return {}
    within = reduce(or_, (Q(organization__path__startswith=path) for path in paths))
    rows = (
        Member.objects.filter(is_active=True)
        .filter(scoping.path_q(user, Action.VIEW_MEMBER, PATH_FIELD))
        .filter(within)
        .values_list(PATH_FIELD)
        .annotate(count=Count("pk"))
        .order_by()
    )
    return dict(rows)
