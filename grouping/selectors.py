"""Reads of the 一编三定 cycle, always through the tenancy scope (branches.scoping).

* whoever may view a branch's members (`Action.VIEW_MEMBER`: officers, clerks, township and county
  reviewers) reads its post list, placements, groups, ledgers and evaluations;
* the branch's secretary and committee (`Action.CHANGE_MEMBER`) write them;
* a group's leader — often an ordinary member account — enters and signs their own group's
  performance ledger (`group_get_for_entry`); the contracting cadre signs it. Nothing else of the
  cycle is theirs to see: any other object is a 404, exactly like one that does not exist.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from branches import scoping
from branches.life_models import CommitteeMember
from branches.models import Organization, OrganizationKind
from branches.scoping import Action, AnyUser
from membership.models import Member

from . import rules
from .models import (
    Claim,
    CycleStatus,
    Evaluation,
    Exemption,
    ExemptionStatus,
    HalfYearReview,
    Office,
    PerformanceEntry,
    PerformancePhoto,
    Placement,
    PlacementStatus,
    Post,
    PostList,
    Training,
)

VIEW = Action.VIEW_MEMBER
CHANGE = Action.CHANGE_MEMBER
PATH = "organization__path"
CROWDED_ABOVE = 8  # a post with more claimants than this is flagged on the plan


# --- branches, post lists -------------------------------------------------------------------------------


def branches_for_change(*, user: AnyUser) -> QuerySet[Organization]:
    """Rural and community branches whose cycle the user runs."""
    return scoping.organizations_for(user, CHANGE).filter(
        kind=OrganizationKind.BRANCH, is_active=True, domain__in=rules.ELIGIBLE_DOMAINS,
    ).order_by("path")


def branch_get_for_change(*, user: AnyUser, pk: object) -> Organization:
    return scoping.get_or_404(Organization.objects.filter(kind=OrganizationKind.BRANCH), user, CHANGE,
                              path_field="path", pk=pk)


def post_list_list(*, user: AnyUser, year: int | None = None) -> QuerySet[PostList]:
    lists = scoping.scoped(PostList.objects.select_related("organization"), user, VIEW, path_field=PATH)
    if year:
        lists = lists.filter(year=year)
    return lists.annotate(post_count=Count("posts", filter=Q(posts__is_active=True))).order_by("-year", "organization__path")


def post_list_get(*, user: AnyUser, pk: object) -> PostList:
    return scoping.get_or_404(PostList.objects.select_related("organization"), user, VIEW, path_field=PATH, pk=pk)


def may_change(*, user: AnyUser, organization: Organization) -> bool:
    return scoping.can(user, CHANGE, organization)


def may_view_personal_data(*, user: AnyUser, organization: Organization) -> bool:
    return scoping.can(user, Action.VIEW_PERSONAL_DATA, organization)


def post_list_get_for_change(*, user: AnyUser, pk: object) -> PostList:
    """404 outside the view scope; 403 for a reader (a reviewer) who may not write."""
    post_list = post_list_get(user=user, pk=pk)
    if not may_change(user=user, organization=post_list.organization):
        raise PermissionDenied("无权修改该岗位清单。")
    return post_list


def posts_of(post_list: PostList, *, active_only: bool = True) -> QuerySet[Post]:
    posts = Post.objects.filter(post_list=post_list).select_related("leader__person", "cadre__person")
    return posts.filter(is_active=True) if active_only else posts


def post_get(*, user: AnyUser, pk: object) -> Post:
    return scoping.get_or_404(Post.objects.select_related("post_list", "organization", "leader__person",
                                                          "cadre__person"), user, VIEW, path_field=PATH, pk=pk)


def post_get_for_change(*, user: AnyUser, pk: object) -> Post:
    post = post_get(user=user, pk=pk)
    if not may_change(user=user, organization=post.organization):
        raise PermissionDenied("无权修改该岗位。")
    return post


def post_get_for_claim(*, user: AnyUser, pk: object, member_id: int) -> Post:
    """A post to claim: officers record claims for their members; a member (self scope) claims only for
    themself, on their own branch's list. Anything else is a 404 (or 403 for a reader who may not write)."""
    own = (Member.objects.filter(person__user=user, is_active=True, pk=member_id).first()
           if user.is_authenticated else None)
    q = scoping.path_q(user, VIEW, PATH)
    if own is not None:
        q |= Q(organization_id=own.organization_id)
    post = Post.objects.select_related("post_list", "organization").filter(q, is_active=True).filter(pk=pk).first() \
        if str(pk).isdigit() else None
    if post is None:
        raise Http404("对象不存在或无权访问。")
    if may_change(user=user, organization=post.organization):
        return post
    if own is not None and post.organization_id == own.organization_id:
        return post
    raise PermissionDenied("党员只能为本人认领岗位。")


def _group_q(user: AnyUser) -> Q:
    """Groups the user leads or contracts: their own person on the group."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(leader__person__user=user) | Q(cadre__person__user=user)


def group_get_for_entry(*, user: AnyUser, pk: object) -> Post:
    """A group whose ledger the user may write: the branch's officers, the group's leader and its
    contracting cadre. Everybody else — the leader of another group included — gets a 404."""
    queryset = Post.objects.select_related("post_list", "organization", "leader__person", "cadre__person").filter(
        is_active=True)
    try:
        return queryset.filter(scoping.path_q(user, CHANGE, PATH) | _group_q(user)).get(pk=pk)
    except (Post.DoesNotExist, ValueError, TypeError):
        raise Http404("对象不存在或无权访问。") from None


def group_get(*, user: AnyUser, pk: object) -> Post:
    """A group page: readers of the branch, and the group's own leader and cadre."""
    queryset = Post.objects.select_related("post_list", "organization", "leader__person", "cadre__person")
    try:
        return queryset.filter(scoping.path_q(user, VIEW, PATH) | _group_q(user)).get(pk=pk)
    except (Post.DoesNotExist, ValueError, TypeError):
        raise Http404("对象不存在或无权访问。") from None


def groups_for_person(*, user: AnyUser, year: int) -> QuerySet[Post]:
    """Groups the user leads or contracts this year (their phone's start page)."""
    return Post.objects.filter(_group_q(user), is_active=True, post_list__year=year).select_related(
        "post_list", "organization", "leader__person", "cadre__person").order_by("pk")


# --- who takes part ----------------------------------------------------------------------------------------


def office_holder_ids(*, member_ids: list[int], on: date) -> set[int]:
    """Members who hold an office on a date: a sitting committee seat, an office declared here, or the
    register's 有职党员 flag (two queries)."""
    seats = set(CommitteeMember.objects.filter(member_id__in=member_ids, ended_on__isnull=True)
                .values_list("member_id", flat=True))
    declared = set(Office.objects.filter(member_id__in=member_ids, started_on__lte=on)
                   .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on)).values_list("member_id", flat=True))
    flagged = set(Member.objects.filter(pk__in=member_ids, is_office_holder=True).values_list("pk", flat=True))
    return seats | declared | flagged


def exempt_ids(*, organization: Organization, year: int) -> set[int]:
    return set(Exemption.objects.filter(organization=organization, year=year, status=ExemptionStatus.APPROVED)
               .values_list("member_id", flat=True))


def branch_members(organization: Organization) -> QuerySet[Member]:
    return Member.objects.filter(organization=organization, is_active=True).select_related("person").order_by("pk")


@dataclass
class Participation:
    """The branch's members for the cycle: who takes part, who holds an office, who is exempted."""

    eligible: list[Member]
    office_holders: list[Member]
    exempted: list[Member]


def participation(*, post_list: PostList, on: date) -> Participation:
    members = list(branch_members(post_list.organization))
    offices = office_holder_ids(member_ids=[m.pk for m in members], on=on)
    exempt = exempt_ids(organization=post_list.organization, year=post_list.year)
    return Participation(
        eligible=[m for m in members if m.pk not in offices and m.pk not in exempt],
        office_holders=[m for m in members if m.pk in offices],
        exempted=[m for m in members if m.pk in exempt and m.pk not in offices],
    )


def exemptions_of(*, organization: Organization, year: int) -> QuerySet[Exemption]:
    return Exemption.objects.filter(organization=organization, year=year).select_related("member__person")


def exemption_get(*, user: AnyUser, pk: object) -> Exemption:
    return scoping.get_or_404(Exemption.objects.select_related("organization", "member__person"), user, VIEW,
                              path_field=PATH, pk=pk)


def offices_of(*, organization: Organization) -> QuerySet[Office]:
    return Office.objects.filter(organization=organization).select_related("member__person")


def member_of_branch(*, organization: Organization, pk: object) -> Member:
    """A member of the branch (a foreign or unknown id is a 404, never a probe)."""
    try:
        return Member.objects.select_related("person", "organization").get(organization=organization,
                                                                          is_active=True, pk=pk)
    except (Member.DoesNotExist, ValueError, TypeError):
        raise Http404("党员不存在。") from None


def committee_members(organization: Organization) -> list[Member]:
    """The branch's sitting committee: who may contract groups (包组干部)."""
    return [seat.member for seat in CommitteeMember.objects.filter(organization=organization, ended_on__isnull=True)
            .select_related("member__person").order_by("pk")]


# --- plan --------------------------------------------------------------------------------------------------


@dataclass
class PlanRow:
    post: Post
    claimants: list[Member]
    placed: list[Placement]
    unclaimed: bool
    crowded: bool


@dataclass
class Plan:
    rows: list[PlanRow]
    members_without_claim: list[Member]
    members_unplaced: list[Member]
    participation: Participation


def plan_of(*, post_list: PostList, on: date) -> Plan:
    """The placement plan page: posts with claimants and placements, posts nobody or too many claimed,
    members who claimed nothing and members not yet placed (a fixed number of queries)."""
    posts = list(posts_of(post_list).prefetch_related(
        Prefetch("claims__member__person"),
        Prefetch("placements", queryset=Placement.objects.select_related("member__person").order_by("pk")),
    ))
    people = participation(post_list=post_list, on=on)
    claims = {post.pk: [c.member_id for c in post.claims.all()] for post in posts}
    gaps = rules.plan_gaps(claims=claims, post_ids=[p.pk for p in posts], member_ids=[m.pk for m in people.eligible],
                           crowded_above=CROWDED_ABOVE)
    placed_ids = {pl.member_id for post in posts for pl in post.placements.all()}
    rows = [PlanRow(post=post, claimants=[c.member for c in post.claims.all()], placed=list(post.placements.all()),
                    unclaimed=post.pk in gaps.posts_unclaimed, crowded=post.pk in gaps.posts_crowded)
            for post in posts]
    without = set(gaps.members_without_claim)
    return Plan(rows=rows, members_without_claim=[m for m in people.eligible if m.pk in without],
                members_unplaced=[m for m in people.eligible if m.pk not in placed_ids], participation=people)


def placement_get(*, user: AnyUser, pk: object) -> Placement:
    return scoping.get_or_404(Placement.objects.select_related("post__post_list", "organization", "member__person"),
                              user, VIEW, path_field=PATH, pk=pk)


def group_members(post: Post) -> list[Placement]:
    """The group's rows of the 编组台账: the confirmed placements on its post."""
    return list(Placement.objects.filter(post=post, status=PlacementStatus.CONFIRMED)
                .select_related("member__person").order_by("pk"))


def ledger_groups(post_list: PostList) -> list[Post]:
    """Every group with its confirmed members (three queries)."""
    return list(posts_of(post_list).prefetch_related(Prefetch(
        "placements", to_attr="members",
        queryset=Placement.objects.filter(status=PlacementStatus.CONFIRMED).select_related("member__person").order_by("pk"),
    )))


# --- performance ledger ----------------------------------------------------------------------------------


def entries_of(post: Post, *, month: date | None = None) -> QuerySet[PerformanceEntry]:
    entries = PerformanceEntry.objects.filter(post=post).prefetch_related("participants__person", "photos")
    if month is not None:
        entries = entries.filter(activity_on__year=month.year, activity_on__month=month.month)
    return entries.order_by("activity_on", "pk")


def entry_get(*, user: AnyUser, pk: object) -> PerformanceEntry:
    """An entry the user may see: in their view scope, or of a group they lead or contract."""
    queryset = PerformanceEntry.objects.select_related("post__leader__person", "post__cadre__person",
                                                       "organization")
    q = scoping.path_q(user, VIEW, PATH)
    if user.is_authenticated:
        q |= Q(post__leader__person__user=user) | Q(post__cadre__person__user=user)
    try:
        return queryset.filter(q).get(pk=pk)
    except (PerformanceEntry.DoesNotExist, ValueError, TypeError):
        raise Http404("对象不存在或无权访问。") from None


def photo_get(*, user: AnyUser, pk: object) -> PerformancePhoto:
    try:
        photo = PerformancePhoto.objects.get(pk=pk)
    except (PerformancePhoto.DoesNotExist, ValueError, TypeError):
        raise Http404("对象不存在或无权访问。") from None
    entry_get(user=user, pk=photo.entry_id)
    return photo


def missing_this_month(*, post_list: PostList, month: date) -> list[Post]:
    """Groups with no ledger entry in the month ("每月进行更新"): one query."""
    has_entry = PerformanceEntry.objects.filter(post=OuterRef("pk"), activity_on__year=month.year,
                                                activity_on__month=month.month)
    return list(posts_of(post_list).annotate(has_entry=Exists(has_entry)).filter(has_entry=False))


def trainings_of(*, user: AnyUser, organization: Organization | None = None,
                 member_id: int | None = None) -> QuerySet[Training]:
    trainings = scoping.scoped(Training.objects.select_related("member__person"), user, VIEW, path_field=PATH)
    if organization is not None:
        trainings = trainings.filter(organization=organization)
    if member_id is not None:
        trainings = trainings.filter(member_id=member_id)
    return trainings.order_by("-held_on", "pk")


def own_trainings(*, member: Member) -> list[Training]:
    """The member's own training records (their 我的岗位 page)."""
    return list(Training.objects.filter(member=member).order_by("-held_on", "pk")[:50])


def reviews_of(post_list: PostList) -> QuerySet[HalfYearReview]:
    return HalfYearReview.objects.filter(post__post_list=post_list).select_related("post").order_by("post", "half")


def evaluations_of(post_list: PostList) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(post_list=post_list).select_related("member__person").order_by("pk")


# --- township view -----------------------------------------------------------------------------------------


@dataclass
class CycleState:
    branch: Organization
    post_list_id: int | None
    posts: int
    published: bool
    proposed: int
    confirmed: int
    groups_without_leader: int
    publicized: bool
    filed: bool
    missing_this_month: int

    @property
    def placed(self) -> bool:
        return self.confirmed > 0 and self.proposed == 0

    @property
    def grouped(self) -> bool:
        return self.placed and self.groups_without_leader == 0

    @property
    def ledgers_current(self) -> bool:
        return self.grouped and self.missing_this_month == 0


def township_status(*, user: AnyUser, year: int, month: date, township: Organization | None = None) -> list[CycleState]:
    """Every rural and community branch in the user's view with its cycle's state — one query."""
    branches = scoping.organizations_for(user, VIEW).filter(
        kind=OrganizationKind.BRANCH, is_active=True, domain__in=rules.ELIGIBLE_DOMAINS)
    if township is not None:
        branches = branches.filter(path__startswith=township.path)
    lists = PostList.objects.filter(organization=OuterRef("pk"), year=year)
    posts = Post.objects.filter(post_list__organization=OuterRef("pk"), post_list__year=year, is_active=True)
    placements = Placement.objects.filter(post__post_list__organization=OuterRef("pk"), post__post_list__year=year,
                                          post__is_active=True)

    def count(queryset: QuerySet) -> Subquery:
        return Subquery(queryset.order_by().values("organization").annotate(n=Count("pk")).values("n")[:1])

    entry_this_month = PerformanceEntry.objects.filter(post=OuterRef("pk"), activity_on__year=month.year,
                                                       activity_on__month=month.month)
    rows = branches.annotate(
        list_id=Subquery(lists.values("pk")[:1]),
        list_status=Subquery(lists.values("status")[:1]),
        list_window=Subquery(lists.values("publicity_window_id")[:1]),
        list_filing=Subquery(lists.values("filing_id")[:1]),
        n_posts=count(posts),
        n_proposed=count(placements.filter(status=PlacementStatus.PROPOSED)),
        n_confirmed=count(placements.filter(status=PlacementStatus.CONFIRMED)),
        n_leaderless=count(posts.filter(leader__isnull=True)),
        n_missing=count(posts.annotate(e=Exists(entry_this_month)).filter(e=False)),
    ).order_by("path")
    return [CycleState(
        branch=b, post_list_id=b.list_id, posts=b.n_posts or 0, published=b.list_status == CycleStatus.PUBLISHED,
        proposed=b.n_proposed or 0, confirmed=b.n_confirmed or 0, groups_without_leader=b.n_leaderless or 0,
        publicized=b.list_window is not None, filed=b.list_filing is not None, missing_this_month=b.n_missing or 0,
    ) for b in rows]


def townships_for(*, user: AnyUser) -> QuerySet[Organization]:
    return scoping.organizations_for(user, VIEW).filter(kind=OrganizationKind.COMMITTEE, is_active=True).order_by("path")


def own_posts(*, user: AnyUser, year: int) -> list[Placement]:
    """我的岗位: the member's own placements this year."""
    if not user.is_authenticated:
        return []
    return list(Placement.objects.filter(member__person__user=user, post__post_list__year=year, post__is_active=True)
                .select_related("post__leader__person", "post__cadre__person", "post__post_list"))


def claimable_posts(*, user: AnyUser, year: int) -> tuple[Member | None, list[Post], set[int]]:
    """The member's own branch's published posts of the year and the ones they already claimed."""
    if not user.is_authenticated:
        return None, [], set()
    member = Member.objects.filter(person__user=user, is_active=True).select_related("organization").first()
    if member is None:
        return None, [], set()
    posts = list(Post.objects.filter(organization=member.organization, post_list__year=year, is_active=True,
                                     post_list__status=CycleStatus.PUBLISHED).order_by("order", "pk"))
    claimed = set(Claim.objects.filter(member=member, post__in=posts).values_list("post_id", flat=True))
    return member, posts, claimed


def placements_by_member(post_list: PostList) -> dict[int, list[Placement]]:
    grouped: dict[int, list[Placement]] = defaultdict(list)
    for placement in Placement.objects.filter(post__post_list=post_list, post__is_active=True).select_related("post"):
        grouped[placement.member_id].append(placement)
    return grouped
