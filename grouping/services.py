"""Writes of the 一编三定 cycle; each is atomic and emits its audit event.

Callers (pages, API) fetch objects through the selectors and have checked that the acting user may
write them; these functions check what holds whoever acts (seed 000, third document, 三 方法步骤).
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from audit.services import record
from branches.life_models import CommitteeMember
from branches.meetings.photos import clean_photo
from branches.models import Organization
from membership.changes.rules import age_on
from membership.models import Member
from partyadmin.errors import RuleViolation
from partyadmin.files import removed_on_failure
from partyadmin.workdays import china_today

from . import rules, selectors
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
    PostListRevision,
    Training,
)

MAX_PHOTOS_PER_ENTRY = 9
EVALUATION_SOURCE = "grouping.post_evaluation"


def _user(acting_user: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return acting_user if acting_user is not None and acting_user.is_authenticated else None


def _locked(post_list: PostList) -> PostList:
    return PostList.objects.select_for_update(of=("self",)).select_related("organization").get(pk=post_list.pk)


def _check_member_of(member: Member, organization: Organization) -> None:
    if member.organization_id != organization.pk or not member.is_active:
        raise RuleViolation("grouping.not_member", f"{member.person.name}不是本支部在册党员。", field="member")


# --- offices and exemptions ------------------------------------------------------------------------


@transaction.atomic
def office_declare(*, acting_user: AbstractBaseUser | None, member: Member, title: str, started_on: date) -> Office:
    """Records an office (村/社区"两委"职务, 村民小组长 …) that makes the member an office holder."""
    if not title.strip():
        raise RuleViolation("grouping.office_title", "请填写职务名称。", field="title")
    office = Office.objects.create(organization=member.organization, county_id=member.county_id, member=member,
                                   title=title.strip()[:50], started_on=started_on)
    record(actor=acting_user, action="grouping.office_declare", organization=member.organization, subject=office,
           changes={"member": [None, member.person.name], "title": [None, office.title],
                    "started_on": [None, started_on]})
    return office


@transaction.atomic
def office_end(*, acting_user: AbstractBaseUser | None, office: Office, ended_on: date) -> Office:
    office = Office.objects.select_for_update().get(pk=office.pk)
    if office.ended_on is not None:
        raise RuleViolation("grouping.office_ended", "该职务已登记离任。")
    if ended_on < office.started_on:
        raise RuleViolation("grouping.office_end_date", "离任日期不能早于任职日期。", field="ended_on")
    office.ended_on = ended_on
    office.save(update_fields=["ended_on", "updated_at"])
    record(actor=acting_user, action="grouping.office_end", organization=office.organization, subject=office,
           changes={"ended_on": [None, ended_on]})
    return office


@transaction.atomic
def exemption_request(*, acting_user: AbstractBaseUser | None, member: Member, year: int, reason: str,
                      detail: str = "") -> Exemption:
    """Records a member's request not to take a post for age or health (seed 000 三(二))."""
    if reason not in rules.EXEMPTION_REASONS:
        raise RuleViolation("grouping.exemption_reason", "请选择年龄原因或身体状况。", field="reason")
    if Exemption.objects.filter(member=member, year=year).exclude(status=ExemptionStatus.REJECTED).exists():
        raise RuleViolation("grouping.exemption_twice", f"{member.person.name}{year}年已有免于认岗申请。")
    exemption = Exemption.objects.create(organization=member.organization, county_id=member.county_id, member=member,
                                         year=year, reason=reason, detail=detail.strip()[:200],
                                         requested_by=_user(acting_user))
    record(actor=acting_user, action="grouping.exemption_request", organization=member.organization,
           subject=exemption, changes={"member": [None, member.person.name], "year": [None, year],
                                       "reason": [None, rules.EXEMPTION_REASONS[reason]]})
    return exemption


@transaction.atomic
def exemption_decide(*, acting_user: AbstractBaseUser, exemption: Exemption, approve: bool,
                     opinion: str = "") -> Exemption:
    """"经党组织同意，可不参加认岗": the secretary or a committee member decides. An approved member's
    claims and proposed placements of that year are withdrawn."""
    exemption = Exemption.objects.select_for_update(of=("self",)).select_related("member__person", "organization").get(
        pk=exemption.pk)
    if exemption.status != ExemptionStatus.PENDING:
        raise RuleViolation("grouping.exemption_decided", "该申请已审批。")
    if approve and Placement.objects.filter(member=exemption.member, post__post_list__year=exemption.year,
                                            status=PlacementStatus.CONFIRMED).exists():
        raise RuleViolation("grouping.exemption_placed", f"{exemption.member.person.name}已确认岗位，请先调整定岗。")
    exemption.status = ExemptionStatus.APPROVED if approve else ExemptionStatus.REJECTED
    exemption.decided_by = acting_user
    exemption.decided_at = timezone.now()
    exemption.opinion = opinion.strip()[:200]
    exemption.save()
    if approve:
        Claim.objects.filter(member=exemption.member, post__post_list__year=exemption.year).delete()
        Placement.objects.filter(member=exemption.member, post__post_list__year=exemption.year,
                                 status=PlacementStatus.PROPOSED).delete()
    record(actor=acting_user, action="grouping.exemption_decide", organization=exemption.organization,
           subject=exemption, changes={"status": [ExemptionStatus.PENDING.label, exemption.get_status_display()],
                                       "opinion": [None, exemption.opinion or None]})
    return exemption


# --- 科学设岗: the post list ------------------------------------------------------------------------------


def _snapshot(post_list: PostList) -> list[dict[str, Any]]:
    return [{"id": p.pk, "name": p.name, "duties": p.duties, "standards": p.standards}
            for p in Post.objects.filter(post_list=post_list, is_active=True).order_by("order", "pk")]


def _revise(*, acting_user: AbstractBaseUser | None, post_list: PostList, note: str, first: bool = False) -> None:
    if not first:
        post_list.version += 1
        post_list.save(update_fields=["version", "updated_at"])
    PostListRevision.objects.create(post_list=post_list, version=post_list.version, posts=_snapshot(post_list),
                                    note=note.strip()[:200], revised_at=timezone.now(), revised_by=_user(acting_user))


@transaction.atomic
def post_list_create(*, acting_user: AbstractBaseUser | None, organization: Organization, year: int,
                     suggested: Sequence[str] = (), work_plan: str = "") -> PostList:
    """Starts a year's post list, optionally from suggested posts (by name, `rules.SUGGESTED_POSTS`)."""
    rules.check_domain(organization.domain)
    if PostList.objects.filter(organization=organization, year=year).exists():
        raise RuleViolation("grouping.list_exists", f"{organization.name}{year}年的岗位清单已建立。", field="year")
    known = {p["name"]: p for p in rules.SUGGESTED_POSTS}
    unknown = [name for name in suggested if name not in known]
    if unknown:
        raise RuleViolation("grouping.unknown_suggestion", f"没有名为“{unknown[0]}”的参考岗位。", field="suggested")
    post_list = PostList.objects.create(organization=organization, county_id=organization.county_id, year=year,
                                        work_plan=work_plan.strip())
    Post.objects.bulk_create([
        Post(post_list=post_list, organization=organization, name=known[name]["name"], duties=known[name]["duties"],
             standards=known[name]["standards"], order=index)
        for index, name in enumerate(dict.fromkeys(suggested), start=1)
    ])
    _revise(acting_user=acting_user, post_list=post_list, note="建立岗位清单", first=True)
    record(actor=acting_user, action="grouping.post_list_create", organization=organization, subject=post_list,
           changes={"year": [None, year], "posts": [None, list(dict.fromkeys(suggested))]})
    return post_list


@transaction.atomic
def post_add(*, acting_user: AbstractBaseUser | None, post_list: PostList, name: str, duties: str,
             standards: str = "", note: str = "") -> Post:
    post_list = _locked(post_list)
    rules.check_post_fields(name=name, duties=duties)
    if Post.objects.filter(post_list=post_list, name=name.strip()).exists():
        raise RuleViolation("grouping.post_exists", f"岗位“{name.strip()}”已在清单中。", field="name")
    order = (Post.objects.filter(post_list=post_list).aggregate(m=Max("order"))["m"] or 0) + 1
    post = Post.objects.create(post_list=post_list, organization=post_list.organization, name=name.strip()[:50],
                               duties=duties.strip(), standards=standards.strip(), order=order)
    _revise(acting_user=acting_user, post_list=post_list, note=note or f"增设岗位：{post.name}")
    record(actor=acting_user, action="grouping.post_add", organization=post_list.organization, subject=post_list,
           changes={"post": [None, post.name], "version": [post_list.version - 1, post_list.version]})
    return post


@transaction.atomic
def post_update(*, acting_user: AbstractBaseUser | None, post: Post, note: str = "", **fields: str) -> Post:
    """Revises a post's name, duties or standards ("根据工作需要，适时对岗位进行调整")."""
    unknown = set(fields) - {"name", "duties", "standards"}
    if unknown:
        raise RuleViolation("grouping.post_not_editable", "只能调整岗位名称、职责任务和标准要求。")
    post_list = _locked(post.post_list)
    post = Post.objects.get(pk=post.pk)
    if not post.is_active:
        raise RuleViolation("grouping.post_retired", "该岗位已撤销。")
    before = {"name": post.name, "duties": post.duties, "standards": post.standards}
    after = {**before, **{k: str(v).strip() for k, v in fields.items()}}
    rules.check_post_fields(name=after["name"], duties=after["duties"])
    if after["name"] != post.name and Post.objects.filter(post_list=post_list, name=after["name"]).exists():
        raise RuleViolation("grouping.post_exists", f"岗位“{after['name']}”已在清单中。", field="name")
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if not changes:
        return post
    for key, value in after.items():
        setattr(post, key, value)
    post.save()
    _revise(acting_user=acting_user, post_list=post_list, note=note or f"调整岗位：{post.name}")
    record(actor=acting_user, action="grouping.post_update", organization=post_list.organization, subject=post_list,
           changes={**changes, "version": [post_list.version - 1, post_list.version]})
    return post


@transaction.atomic
def post_retire(*, acting_user: AbstractBaseUser | None, post: Post, note: str = "") -> Post:
    """Withdraws a post from the list; a post that already has a performance ledger keeps it."""
    post_list = _locked(post.post_list)
    post = Post.objects.get(pk=post.pk)
    if not post.is_active:
        raise RuleViolation("grouping.post_retired", "该岗位已撤销。")
    post.is_active = False
    post.save(update_fields=["is_active", "updated_at"])
    post.claims.all().delete()
    post.placements.filter(status=PlacementStatus.PROPOSED).delete()
    _revise(acting_user=acting_user, post_list=post_list, note=note or f"撤销岗位：{post.name}")
    record(actor=acting_user, action="grouping.post_retire", organization=post_list.organization, subject=post_list,
           changes={"post": [post.name, None], "version": [post_list.version - 1, post_list.version]})
    return post


@transaction.atomic
def post_list_publish(*, acting_user: AbstractBaseUser | None, post_list: PostList, published_on: date,
                      today: date | None = None) -> PostList:
    """"党支部召开党员大会，公布所设立的岗位及岗位职责，组织党员申报认领岗位" (seed 000 三(二))."""
    post_list = _locked(post_list)
    if post_list.status == CycleStatus.PUBLISHED:
        raise RuleViolation("grouping.list_published", "岗位清单已在党员大会上公布。")
    if not Post.objects.filter(post_list=post_list, is_active=True).exists():
        raise RuleViolation("grouping.list_empty", "岗位清单中还没有岗位。")
    if published_on > (today or china_today()):
        raise RuleViolation("grouping.future_date", "党员大会日期不能晚于今天。", field="published_on")
    post_list.status = CycleStatus.PUBLISHED
    post_list.published_on = published_on
    post_list.save(update_fields=["status", "published_on", "updated_at"])
    record(actor=acting_user, action="grouping.post_list_publish", organization=post_list.organization,
           subject=post_list, changes={"status": [CycleStatus.DRAFT.label, CycleStatus.PUBLISHED.label],
                                       "published_on": [None, published_on]})
    return post_list


# --- 量身定岗: claims and placement --------------------------------------------------------------------------


def _check_placeable(member: Member, post_list: PostList, on: date) -> None:
    _check_member_of(member, post_list.organization)
    rules.check_placeable(
        holds_office=bool(selectors.office_holder_ids(member_ids=[member.pk], on=on)),
        exempt=member.pk in selectors.exempt_ids(organization=post_list.organization, year=post_list.year),
        name=member.person.name,
    )


@transaction.atomic
def claim_create(*, acting_user: AbstractBaseUser | None, post: Post, member: Member, note: str = "",
                 today: date | None = None) -> Claim:
    """A member claims a post ("一般一名党员认领一个岗位，有条件和能力的党员可认领多个岗位")."""
    post_list = _locked(post.post_list)
    if post_list.status != CycleStatus.PUBLISHED:
        raise RuleViolation("grouping.list_not_published", "岗位清单尚未在党员大会上公布，不能认领。")
    if not post.is_active:
        raise RuleViolation("grouping.post_retired", "该岗位已撤销。")
    _check_placeable(member, post_list, today or china_today())
    if Claim.objects.filter(post=post, member=member).exists():
        raise RuleViolation("grouping.claim_twice", f"{member.person.name}已认领该岗位。")
    claim = Claim.objects.create(post=post, member=member, organization=post_list.organization,
                                 claimed_at=timezone.now(), note=note.strip()[:200])
    record(actor=acting_user, action="grouping.claim", organization=post_list.organization, subject=post_list,
           changes={"member": [None, member.person.name], "post": [None, post.name]})
    return claim


@transaction.atomic
def claim_withdraw(*, acting_user: AbstractBaseUser | None, post: Post, member: Member) -> None:
    deleted, _ = Claim.objects.filter(post=post, member=member).delete()
    if not deleted:
        raise RuleViolation("grouping.no_claim", "没有该认领记录。")
    record(actor=acting_user, action="grouping.claim_withdraw", organization=post.organization,
           subject=post.post_list, changes={"member": [member.person.name, None], "post": [post.name, None]})


@transaction.atomic
def placement_draft(*, acting_user: AbstractBaseUser | None, post_list: PostList,
                    today: date | None = None) -> list[Placement]:
    """The branch's placement plan (定岗方案) from the claims: each claim of an eligible member becomes a
    proposed placement; placements already made stay. Safe to run again."""
    post_list = _locked(post_list)
    if post_list.status != CycleStatus.PUBLISHED:
        raise RuleViolation("grouping.list_not_published", "岗位清单尚未公布，不能拟定定岗方案。")
    people = selectors.participation(post_list=post_list, on=today or china_today())
    eligible = {m.pk for m in people.eligible}

    existing = set(Placement.objects.filter(post__post_list=post_list).values_list("post_id", "member_id"))
    new = [Placement(post_id=c.post_id, member_id=c.member_id, organization=post_list.organization,
                     county_id=post_list.county_id)
           for c in Claim.objects.filter(post__post_list=post_list, post__is_active=True).order_by("pk")
           if c.member_id in eligible and (c.post_id, c.member_id) not in existing]
    Placement.objects.bulk_create(new)
    record(actor=acting_user, action="grouping.placement_draft", organization=post_list.organization,
           subject=post_list, changes={"proposed": [None, len(new)]})
    return new


@transaction.atomic
def placement_propose(*, acting_user: AbstractBaseUser | None, post: Post, member: Member,
                      today: date | None = None) -> Placement:
    """Adds a member to the plan on a post they did not claim ("择优配岗、总体平衡")."""
    post_list = _locked(post.post_list)
    if post_list.status != CycleStatus.PUBLISHED:
        raise RuleViolation("grouping.list_not_published", "岗位清单尚未公布，不能拟定定岗方案。")
    if not post.is_active:
        raise RuleViolation("grouping.post_retired", "该岗位已撤销。")
    _check_placeable(member, post_list, today or china_today())
    if Placement.objects.filter(post=post, member=member).exists():
        raise RuleViolation("grouping.placement_twice", f"{member.person.name}已在该岗位的定岗方案中。")
    placement = Placement.objects.create(post=post, member=member, organization=post_list.organization,
                                         county_id=post_list.county_id)
    record(actor=acting_user, action="grouping.placement_propose", organization=post_list.organization,
           subject=post_list, changes={"member": [None, member.person.name], "post": [None, post.name]})
    return placement


@transaction.atomic
def placement_remove(*, acting_user: AbstractBaseUser | None, placement: Placement) -> None:
    placement = Placement.objects.select_for_update(of=("self",)).select_related("post", "member__person").get(pk=placement.pk)
    if placement.post.leader_id == placement.member_id:
        raise RuleViolation("grouping.remove_leader", "该党员是本组组长，请先更换组长。")
    placement.delete()
    record(actor=acting_user, action="grouping.placement_remove", organization=placement.organization,
           subject=placement.post.post_list,
           changes={"member": [placement.member.person.name, None], "post": [placement.post.name, None]})


@transaction.atomic
def placement_opinion(*, acting_user: AbstractBaseUser | None, placement: Placement, opinion: str) -> Placement:
    """"征求党员意见后" — the member's opinion on the proposed post."""
    placement = Placement.objects.select_for_update(of=("self",)).select_related("post", "member__person").get(pk=placement.pk)
    if not opinion.strip():
        raise RuleViolation("grouping.opinion_required", "请填写党员意见。", field="opinion")
    before = placement.opinion
    placement.opinion = opinion.strip()[:200]
    placement.save(update_fields=["opinion", "updated_at"])
    record(actor=acting_user, action="grouping.placement_opinion", organization=placement.organization,
           subject=placement.post.post_list,
           changes={"member": [None, placement.member.person.name], "opinion": [before or None, placement.opinion]})
    return placement


@transaction.atomic
def placement_confirm(*, acting_user: AbstractBaseUser | None, post_list: PostList, member: Member,
                      today: date | None = None) -> list[Placement]:
    """"确认每名党员的具体岗位": confirms the member's proposed placements (one or more posts)."""
    post_list = _locked(post_list)
    _check_placeable(member, post_list, today or china_today())
    proposed = list(Placement.objects.filter(post__post_list=post_list, member=member, post__is_active=True,
                                             status=PlacementStatus.PROPOSED).select_related("post"))
    if not proposed:
        raise RuleViolation("grouping.nothing_proposed", f"定岗方案中没有{member.person.name}待确认的岗位。")
    now = timezone.now()
    for placement in proposed:
        placement.status = PlacementStatus.CONFIRMED
        placement.confirmed_at = now
    Placement.objects.bulk_update(proposed, ["status", "confirmed_at"])
    record(actor=acting_user, action="grouping.placement_confirm", organization=post_list.organization,
           subject=post_list, changes={"member": [None, member.person.name],
                                       "posts": [None, [p.post.name for p in proposed]]})
    return proposed


# --- 依岗编组: groups, leaders, commitments, publicity, filing ----------------------------------------------


def _sitting_committee(member: Member, organization: Organization) -> bool:
    return CommitteeMember.objects.filter(organization=organization, member=member, ended_on__isnull=True).exists()


@transaction.atomic
def group_set(*, acting_user: AbstractBaseUser | None, post: Post, leader: Member | None = None,
              cadre: Member | None = None, group_name: str | None = None, work_plan: str | None = None) -> Post:
    """The group's leader ("每组挑选一名政治素质好、工作能力强、群众威信高的党员担任组长"), its contracting
    cadre ("村（社区）党组织班子成员每人要联系分包一个组或多个组"), its name and work plan."""
    post = Post.objects.select_for_update(of=("self",)).select_related("post_list", "organization").get(pk=post.pk)
    before = {"leader": post.leader_id, "cadre": post.cadre_id, "group_name": post.group_name,
              "work_plan": post.work_plan}
    changes: dict[str, list[Any]] = {}
    if leader is not None:
        if not Placement.objects.filter(post=post, member=leader, status=PlacementStatus.CONFIRMED).exists():
            raise RuleViolation("grouping.leader_not_member", f"组长须从本组确认定岗的党员中选定，{leader.person.name}不在本组。",
                                field="leader")
        post.leader = leader
        changes["leader"] = [before["leader"], leader.person.name]
    if cadre is not None:
        if not _sitting_committee(cadre, post.organization):
            raise RuleViolation("grouping.cadre_not_committee", f"包组干部须为本支部在任班子成员，{cadre.person.name}不是。",
                                field="cadre")
        post.cadre = cadre
        changes["cadre"] = [before["cadre"], cadre.person.name]
    if group_name is not None:
        post.group_name = group_name.strip()[:60]
        changes["group_name"] = [before["group_name"] or None, post.group_name or None]
    if work_plan is not None:
        post.work_plan = work_plan.strip()
        changes["work_plan"] = [None, "已更新"]
    post.save()
    if changes:
        record(actor=acting_user, action="grouping.group_set", organization=post.organization, subject=post.post_list,
               changes={"group": [None, post.group_label], **changes})
    return post


@transaction.atomic
def commitment_sign(*, acting_user: AbstractBaseUser | None, placement: Placement, commitment: str,
                    signed_on: date, today: date | None = None) -> Placement:
    """"各组组长和小组党员要与村（社区）党组织签订履岗承诺书" — the member's service commitment."""
    placement = Placement.objects.select_for_update(of=("self",)).select_related("post", "member__person").get(pk=placement.pk)
    if placement.status != PlacementStatus.CONFIRMED:
        raise RuleViolation("grouping.not_confirmed", "岗位确认后才能签订履岗承诺书。")
    if not commitment.strip():
        raise RuleViolation("grouping.commitment_required", "请填写服务承诺。", field="commitment")
    if signed_on > (today or china_today()):
        raise RuleViolation("grouping.future_date", "签订日期不能晚于今天。", field="signed_on")
    placement.commitment = commitment.strip()[:300]
    placement.commitment_signed_on = signed_on
    placement.save(update_fields=["commitment", "commitment_signed_on", "updated_at"])
    record(actor=acting_user, action="grouping.commitment_sign", organization=placement.organization,
           subject=placement.post.post_list,
           changes={"member": [None, placement.member.person.name], "post": [None, placement.post.name],
                    "signed_on": [None, signed_on]})
    return placement


def _group_states(post_list: PostList) -> list[rules.GroupState]:
    states = []
    for post in selectors.ledger_groups(post_list):
        members = post.members
        states.append(rules.GroupState(
            name=post.group_label, leader_id=post.leader_id, cadre_id=post.cadre_id,
            member_ids=frozenset(p.member_id for p in members),
            signed=all(p.commitment_signed_on is not None for p in members),
        ))
    return states


def _check_groups(post_list: PostList) -> None:
    states = _group_states(post_list)
    if not states:
        raise RuleViolation("grouping.list_empty", "岗位清单中还没有岗位。")
    for state in states:
        rules.check_group_complete(state)
    if Placement.objects.filter(post__post_list=post_list, post__is_active=True,
                                status=PlacementStatus.PROPOSED).exists():
        raise RuleViolation("grouping.unconfirmed", "定岗方案中尚有党员的岗位未确认。")


@transaction.atomic
def public_commitment_record(*, acting_user: AbstractBaseUser | None, post_list: PostList, committed_on: date,
                             today: date | None = None) -> PostList:
    """"在全体党员和群众代表会议上进行公开承诺": the date, on every group."""
    post_list = _locked(post_list)
    if committed_on > (today or china_today()):
        raise RuleViolation("grouping.future_date", "公开承诺日期不能晚于今天。", field="committed_on")
    _check_groups(post_list)
    Post.objects.filter(post_list=post_list, is_active=True).update(committed_on=committed_on)
    record(actor=acting_user, action="grouping.public_commitment", organization=post_list.organization,
           subject=post_list, changes={"committed_on": [None, committed_on]})
    return post_list


@transaction.atomic
def group_ledger_publish(*, acting_user: AbstractBaseUser | None, post_list: PostList, starts_on: date,
                         contact: str = "", today: date | None = None) -> Any:
    """"把党员分组定岗及岗位职责、服务承诺等情况进行公布，接受群众监督": a publicity window with the public
    fields only (name, gender, age, group, post, commitment — never phone or address)."""
    from audit.publicity.services import publicity_open

    post_list = _locked(post_list)
    if post_list.publicity_window_id is not None:
        raise RuleViolation("grouping.already_published", "编组台账已经公布。")
    _check_groups(post_list)
    today = today or china_today()
    entries = []
    for post in selectors.ledger_groups(post_list):
        for placement in post.members:
            person = placement.member.person
            entries.append(("grouping.placement", str(placement.pk), {
                "name": person.name, "gender": person.get_gender_display(), "age": age_on(person.birth_date, today),
                "group": post.group_label, "post": post.name, "commitment": placement.commitment,
                "role": "组长" if post.leader_id == placement.member_id else "组员",
            }))
    window = publicity_open(
        acting_user=acting_user, organization=post_list.organization,
        title=f"{post_list.organization.name}{post_list.year}年无职党员定岗编组公示", kind="grouping.placement",
        entries=entries, scope=["branch_members", "residence_masses"], starts_on=starts_on, contact=contact,
        result_fields={"group": "编组", "post": "岗位", "role": "组内职务", "commitment": "服务承诺"}, today=today,
    )
    post_list.publicity_window_id = window.pk
    post_list.save(update_fields=["publicity_window_id", "updated_at"])
    record(actor=acting_user, action="grouping.ledger_publish", organization=post_list.organization,
           subject=post_list, changes={"publicity": [None, window.title]})
    return window


@transaction.atomic
def post_list_file(*, acting_user: AbstractBaseUser | None, post_list: PostList, note: str = "",
                   today: date | None = None) -> Any:
    """"各组岗位清单、定岗方案、编组台账、工作计划等相关资料要及时报乡镇（街道）党（工）委备案": a record
    filing to the township with the rendered documents as materials."""
    from audit.filings.models import FilingKind
    from audit.filings.services import ancestors_of, filing_submit, township_of
    from audit.filings.uploads import generated_pdf

    from . import documents

    post_list = _locked(post_list)
    if post_list.filing_id is not None:
        raise RuleViolation("grouping.already_filed", "该年度资料已报乡镇（街道）党（工）委备案。")
    _check_groups(post_list)
    has_plan = post_list.work_plan.strip() or all(p.work_plan.strip() for p in selectors.posts_of(post_list))
    if not has_plan:
        raise RuleViolation("grouping.no_work_plan", "请先填写工作计划。", field="work_plan")
    today = today or china_today()
    township = township_of(post_list.organization, ancestors_of(post_list.organization))
    materials = [
        generated_pdf(title="无职党员岗位清单", content=documents.post_list_pdf(post_list), filename="岗位清单.pdf"),
        generated_pdf(title="定岗方案及无职党员定岗编组台账", content=documents.group_ledger_pdf(post_list, today=today),
                      filename="定岗编组台账.pdf"),
        generated_pdf(title="工作计划", content=documents.work_plan_pdf(post_list), filename="工作计划.pdf"),
    ]
    filing = filing_submit(
        acting_user=acting_user, from_organization=post_list.organization, kind=FilingKind.RECORD,
        subject_type="grouping.post_list", subject_id=post_list.pk,
        subject_label=f"{post_list.organization.name}{post_list.year}年无职党员“一编三定”",
        title=f"{post_list.year}年无职党员“一编三定”资料备案", note=note, materials=materials,
        to_organization=township, today=today,
    )
    post_list.filing_id = filing.pk
    post_list.filed_on = today
    post_list.save(update_fields=["filing_id", "filed_on", "updated_at"])
    record(actor=acting_user, action="grouping.post_list_file", organization=post_list.organization,
           subject=post_list, changes={"filing": [None, filing.title], "to": [None, filing.to_organization.name]})
    return filing


@transaction.atomic
def ledger_reveal(*, acting_user: AbstractBaseUser, post_list: PostList, post: Post | None = None,
                  export: str = "") -> None:
    """Every view of the group ledger's unmasked phone numbers and addresses is an audit event (DESIGN §2.1)."""
    record(actor=acting_user, action="grouping.ledger_reveal", organization=post_list.organization,
           subject=post_list, changes={"group": [None, post.group_label if post else "全部编组"],
                                       "export": [None, export or "页面"]})


# --- 履岗尽责: the performance ledger -----------------------------------------------------------------------


def _save_photos(entry: PerformanceEntry, cleaned: list) -> list[PerformancePhoto]:
    saved = []
    now = timezone.now()
    with removed_on_failure(PerformancePhoto._meta.get_field("image").storage) as names:
        for photo in cleaned:
            row = PerformancePhoto(entry=entry, image_format=photo.image_format, width=photo.width,
                                   height=photo.height, size=photo.size, uploaded_at=now)
            row.image.save("photo", ContentFile(photo.content), save=False)
            names.append(row.image.name)
            row.save()
            saved.append(row)
    return saved


@transaction.atomic
def entry_record(*, acting_user: AbstractBaseUser | None, post: Post, activity_on: date, participant_ids: Sequence[int],
                 content: str, outcome: str = "", remark: str = "", photos: Sequence[File] = (),
                 today: date | None = None) -> PerformanceEntry:
    """A line of the 履岗记实台账 ("党组织要建立党员履岗记实台账，每月进行更新，如实记录各组党员履岗尽责情况"),
    entered by the leader from a phone; photos "注意保留照片等资料"."""
    post = Post.objects.select_for_update(of=("self",)).select_related("post_list", "organization").get(pk=post.pk)
    if not post.is_active:
        raise RuleViolation("grouping.post_retired", "该岗位已撤销。")
    if post.leader_id is None:
        raise RuleViolation("grouping.no_leader", f"“{post.group_label}”还没有确定组长，尚未编组。")
    today = today or china_today()
    rules.check_entry_date(activity_on=activity_on, today=today, year=post.post_list.year)
    if not content.strip():
        raise RuleViolation("grouping.entry_content", "请填写履岗内容。", field="content")
    members = {p.member_id for p in selectors.group_members(post)}
    chosen = set(participant_ids)
    if not chosen:
        raise RuleViolation("grouping.no_participants", "请选择参与党员。", field="participants")
    if chosen - members:
        raise RuleViolation("grouping.participant_outside", "参与党员须为本组党员。", field="participants")
    if len(photos) > MAX_PHOTOS_PER_ENTRY:
        raise RuleViolation("photo.too_many", f"每条记录最多上传 {MAX_PHOTOS_PER_ENTRY} 张照片。", field="photos")
    cleaned = [clean_photo(upload) for upload in photos]
    user = _user(acting_user)
    is_leader = user is not None and post.leader.person.user_id == user.pk
    entry = PerformanceEntry.objects.create(
        post=post, organization=post.organization, county_id=post.post_list.county_id, activity_on=activity_on,
        content=content.strip(), outcome=outcome.strip(), remark=remark.strip()[:200], entered_by=user,
        leader_signed_at=timezone.now() if is_leader else None,
    )
    entry.participants.set(sorted(chosen))
    record(actor=acting_user, action="grouping.entry_record", organization=post.organization, subject=entry,
           changes={"group": [None, post.group_label], "activity_on": [None, activity_on],
                    "participants": [None, len(chosen)], "photos": [None, len(cleaned)]})
    _save_photos(entry, cleaned)
    return entry


@transaction.atomic
def entry_sign(*, acting_user: AbstractBaseUser, entry: PerformanceEntry) -> PerformanceEntry:
    """组长签字 / 包组干部签字: the leader or the contracting cadre signs with their own account."""
    entry = PerformanceEntry.objects.select_for_update(of=("self",)).select_related(
        "post__leader__person", "post__cadre__person", "organization").get(pk=entry.pk)
    post = entry.post
    as_leader = post.leader is not None and post.leader.person.user_id == acting_user.pk
    as_cadre = post.cadre is not None and post.cadre.person.user_id == acting_user.pk
    if not as_leader and not as_cadre:
        raise RuleViolation("grouping.not_signer", "只有本组组长和包组干部本人可以签字。")
    now = timezone.now()
    changes: dict[str, list[Any]] = {}
    if as_leader and entry.leader_signed_at is None:
        entry.leader_signed_at = now
        changes["leader_signed"] = [None, post.leader.person.name]
    if as_cadre and entry.cadre_signed_at is None:
        entry.cadre_signed_at = now
        changes["cadre_signed"] = [None, post.cadre.person.name]
    if not changes:
        raise RuleViolation("grouping.already_signed", "您已签字。")
    entry.save(update_fields=["leader_signed_at", "cadre_signed_at", "updated_at"])
    record(actor=acting_user, action="grouping.entry_sign", organization=entry.organization, subject=entry,
           changes=changes)
    return entry


def ledger_reminders(*, today: date) -> dict[str, int]:
    """Daily step: from the 20th, the leader and the cadre of each group with no entry this month are
    reminded once a month (the key makes it idempotent)."""
    from django.urls import reverse

    from audit.notifications.services import notify

    if today.day < 20:
        return {"reminded": 0}
    has_entry = PerformanceEntry.objects.filter(post=OuterRef("pk"), activity_on__year=today.year,
                                                activity_on__month=today.month)
    posts = (Post.objects.filter(is_active=True, post_list__year=today.year, post_list__status=CycleStatus.PUBLISHED,
                                 leader__isnull=False)
             .annotate(has_entry=Exists(has_entry)).filter(has_entry=False)
             .select_related("leader__person__user", "cadre__person__user", "organization"))
    sent = 0
    for post in posts.iterator(chunk_size=500):
        for member in (post.leader, post.cadre):
            user = member.person.user if member is not None else None
            if user is None:
                continue
            sent += notify(user=user, key=f"grouping:ledger:{post.pk}:{today:%Y-%m}", kind="grouping.ledger",
                           title=f"“{post.group_label}”本月尚未更新履岗记实台账",
                           body="履岗记实台账每月进行更新，请及时录入本月活动。",
                           url=reverse("grouping:entry_new", args=[post.pk]), organization=post.organization)
    return {"reminded": sent}


@transaction.atomic
def member_moved(*, acting_user: AbstractBaseUser | None, transfer: Any) -> None:
    """Transfer handler: a member whose organization moved leaves the old branch's groups — claims and
    placements there are removed (the ledger lines already written keep them as participants); a group
    they led has no leader until the branch chooses one."""
    member = transfer.member
    stale = list(Placement.objects.select_for_update(of=("self",)).filter(member=member)
                 .exclude(organization_id=member.organization_id).select_related("post__post_list"))
    Claim.objects.filter(member=member).exclude(organization_id=member.organization_id).delete()
    for placement in stale:
        post = placement.post
        if post.leader_id == member.pk:
            Post.objects.filter(pk=post.pk).update(leader=None)
        placement.delete()
        record(actor=acting_user, action="grouping.placement_remove", organization=placement.organization,
               subject=post.post_list, changes={"member": [member.person.name, None], "post": [post.name, None],
                                                "reason": [None, "组织关系转出"]})


# --- 培训适岗, 考核评岗 ---------------------------------------------------------------------------------------


@transaction.atomic
def training_record(*, acting_user: AbstractBaseUser | None, member: Member, held_on: date, topic: str, kind: str,
                    organizer: str = "", hours: Any = None, today: date | None = None) -> Training:
    if kind not in rules.TRAINING_KINDS:
        raise RuleViolation("grouping.training_kind", "请选择培训类别。", field="kind")
    if not topic.strip():
        raise RuleViolation("grouping.training_topic", "请填写培训内容。", field="topic")
    if held_on > (today or china_today()):
        raise RuleViolation("grouping.future_date", "培训日期不能晚于今天。", field="held_on")
    training = Training.objects.create(organization=member.organization, county_id=member.county_id, member=member,
                                       held_on=held_on, topic=topic.strip()[:200], kind=kind,
                                       organizer=organizer.strip()[:100], hours=hours)
    record(actor=acting_user, action="grouping.training_record", organization=member.organization, subject=training,
           changes={"member": [None, member.person.name], "topic": [None, training.topic],
                    "held_on": [None, held_on]})
    return training


@transaction.atomic
def review_record(*, acting_user: AbstractBaseUser | None, post: Post, half: int, summary: str, comment: str,
                  reviewed_on: date, today: date | None = None) -> HalfYearReview:
    """"每半年进行一次总结、点评" (seed 000 三(六))."""
    if half not in (1, 2):
        raise RuleViolation("grouping.half", "请选择上半年或下半年。", field="half")
    if not summary.strip() or not comment.strip():
        raise RuleViolation("grouping.review_text", "请填写履岗情况总结和支部点评。", field="summary")
    today = today or china_today()
    if reviewed_on > today:
        raise RuleViolation("grouping.future_date", "点评日期不能晚于今天。", field="reviewed_on")
    year = post.post_list.year
    if (reviewed_on.year, reviewed_on.month) < (year, 6 * half) or reviewed_on.year > year + 1:
        raise RuleViolation("grouping.review_early", "半年总结点评须在该半年内或之后进行。", field="reviewed_on")
    if HalfYearReview.objects.filter(post=post, half=half).exists():
        raise RuleViolation("grouping.review_twice", f"“{post.group_label}”该半年已总结点评。", field="half")
    review = HalfYearReview.objects.create(post=post, organization=post.organization, half=half,
                                           summary=summary.strip(), comment=comment.strip(),
                                           reviewed_on=reviewed_on, reviewed_by=_user(acting_user))
    record(actor=acting_user, action="grouping.review_record", organization=post.organization,
           subject=post.post_list, changes={"group": [None, post.group_label], "half": [None, review.get_half_display()]})
    return review


def _score_entry(*, acting_user: AbstractBaseUser | None, evaluation: Evaluation) -> Any:
    """The grade becomes a points entry through scoring's service (contracts: source
    "grouping.post_evaluation"); nothing when scoring is not installed or the branch has no scheme item."""
    try:
        from scoring.services import source_entry_record
    except ImportError:
        return None
    return source_entry_record(
        acting_user=acting_user, person=evaluation.member.person, organization=evaluation.organization,
        source=EVALUATION_SOURCE, source_key=f"grouping.evaluation:{evaluation.pk}",
        # the points belong to the year evaluated, also when the meeting is held early the next year
        occurred_on=min(evaluation.evaluated_on, date(evaluation.post_list.year, 12, 31)), value=evaluation.grade,
        note=f"{evaluation.post_list.year}年无职党员履岗考评",
    )


@transaction.atomic
def evaluation_record(*, acting_user: AbstractBaseUser | None, post_list: PostList, member: Member, report: str,
                      grade: str, evaluated_on: date, today: date | None = None) -> Evaluation:
    """"每年年底……召开全体党员和群众代表会议，对党员履岗情况进行考评。各组组长和每位党员应分别述职" — the
    report and grade; the grade feeds the member's points ("与党员积分定星管理……结果挂钩")."""
    post_list = _locked(post_list)
    rules.check_grade(grade)
    if not report.strip():
        raise RuleViolation("grouping.report_required", "请填写述职内容。", field="report")
    if evaluated_on > (today or china_today()):
        raise RuleViolation("grouping.future_date", "考评会议日期不能晚于今天。", field="evaluated_on")
    if evaluated_on.year not in (post_list.year, post_list.year + 1):
        raise RuleViolation("grouping.evaluation_year", f"考评会议须在{post_list.year}年底或次年初召开。",
                            field="evaluated_on")
    placements = Placement.objects.filter(post__post_list=post_list, member=member,
                                          status=PlacementStatus.CONFIRMED).select_related("post")
    if not placements:
        raise RuleViolation("grouping.not_placed", f"{member.person.name}本年度没有确认的岗位，无须履岗考评。",
                            field="member")
    if Evaluation.objects.filter(post_list=post_list, member=member).exists():
        raise RuleViolation("grouping.evaluated", f"{member.person.name}本年度已考评。", field="member")
    is_leader = any(p.post.leader_id == member.pk for p in placements)
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                post_list=post_list, organization=post_list.organization, county_id=post_list.county_id,
                member=member, is_leader=is_leader, report=report.strip(), grade=grade, evaluated_on=evaluated_on,
            )
    except IntegrityError:
        raise RuleViolation("grouping.evaluated", f"{member.person.name}本年度已考评。", field="member") from None
    entry = _score_entry(acting_user=acting_user, evaluation=evaluation)
    if entry is not None:
        evaluation.score_entry_id = entry.pk
        evaluation.save(update_fields=["score_entry_id", "updated_at"])
    record(actor=acting_user, action="grouping.evaluation_record", organization=post_list.organization,
           subject=evaluation, changes={"member": [None, member.person.name], "grade": [None, grade],
                                        "is_leader": [None, is_leader], "points": [None, entry is not None]})
    return evaluation
