"""Demo 一编三定: 河口村党支部 in the middle of the year's cycle — four posts set and published at the
general meeting, one old member exempted, every other no-office member placed, four groups with leaders
and contracting cadres, commitments signed and committed publicly, the group ledger publicized, the
materials filed with the township, a performance ledger for each past month, and one group that has not
entered this month yet.

One group leader has an ordinary member account (`hk_zuzhang`) to try the phone entry. Keyed by the
branch and the year: a second run finds the post list and writes nothing."""

from datetime import date

from django.contrib.auth import get_user_model

from branches import services as org_services
from branches.life_models import CommitteeMember
from branches.models import Organization
from branches.scoping import Role, grants_of
from grouping import selectors, services
from grouping.models import Placement, PostList
from membership.models import Member

BRANCH = "DEMO-HK-HK"
LEADER_ACCOUNT = "hk_zuzhang"
POSTS = ["环境卫生监督岗", "文明行为劝导岗", "邻里纠纷调解岗", "精准扶贫联系岗"]
ACTIVITIES = {
    "环境卫生监督岗": ("巡查村内主干道和坑塘环境卫生，劝导乱堆乱放", "清理垃圾{n}处，劝导群众{n}户"),
    "文明行为劝导岗": ("入户宣传移风易俗，劝导红白事简办", "{n}户签订简办承诺"),
    "邻里纠纷调解岗": ("走访排查邻里矛盾，调解宅基地纠纷", "调解纠纷{n}起，均已化解"),
    "精准扶贫联系岗": ("走访联系困难户，了解生产生活需求", "帮助{n}户解决实际困难"),
}


def build(organizations: dict[str, Organization], today: date) -> None:
    branch = organizations[BRANCH]
    if PostList.objects.filter(organization=branch, year=today.year).exists():
        return
    secretary = get_user_model().objects.get(username="hk_shuji")
    year = today.year
    post_list = services.post_list_create(acting_user=secretary, organization=branch, year=year, suggested=POSTS,
                                          work_plan="按月开展履岗活动，每月10日前更新履岗记实台账，半年总结点评，年底考评述职。")
    services.post_list_publish(acting_user=secretary, post_list=post_list, published_on=date(year, 3, 5), today=today)
    posts = list(selectors.posts_of(post_list).order_by("order"))

    members = list(Member.objects.filter(organization=branch, is_active=True).select_related("person").order_by("pk"))
    offices = selectors.office_holder_ids(member_ids=[m.pk for m in members], on=today)
    no_office = [m for m in members if m.pk not in offices]
    oldest = min(no_office, key=lambda m: m.person.birth_date)
    exemption = services.exemption_request(acting_user=secretary, member=oldest, year=year, reason="age",
                                           detail="年事已高，行动不便")
    services.exemption_decide(acting_user=secretary, exemption=exemption, approve=True, opinion="经支委会研究同意")
    eligible = [m for m in no_office if m.pk != oldest.pk]

    for n, member in enumerate(eligible):
        services.claim_create(acting_user=secretary, post=posts[n % len(posts)], member=member, today=today)
    services.claim_create(acting_user=secretary, post=posts[1], member=eligible[0], today=today)  # a second post
    services.placement_draft(acting_user=secretary, post_list=post_list, today=today)
    for member in eligible:
        services.placement_confirm(acting_user=secretary, post_list=post_list, member=member, today=today)

    cadres = list(CommitteeMember.objects.filter(organization=branch, ended_on__isnull=True)
                  .select_related("member").order_by("pk"))
    leaders = {}
    for n, post in enumerate(posts):
        group = selectors.group_members(post)
        leaders[post.pk] = group[-1].member
        services.group_set(acting_user=secretary, post=post, leader=group[-1].member,
                           cadre=cadres[n % len(cadres)].member if cadres else None,
                           work_plan=f"每月至少开展一次{post.name.removesuffix('岗')}活动。")
        for placement in group:
            services.commitment_sign(acting_user=secretary, placement=placement,
                                     commitment="立足岗位、服务群众，带头履职尽责", signed_on=date(year, 3, 20),
                                     today=today)
    services.public_commitment_record(acting_user=secretary, post_list=post_list, committed_on=date(year, 3, 25),
                                      today=today)
    services.group_ledger_publish(acting_user=secretary, post_list=post_list, starts_on=date(year, 3, 26),
                                  contact="河口村党支部 书记", today=date(year, 3, 26))
    services.post_list_file(acting_user=secretary, post_list=post_list, today=date(year, 4, 1))

    leader_user = _leader_account(leaders[posts[0].pk], branch)
    for month in range(4, today.month + 1):
        for n, post in enumerate(posts):
            on = date(year, month, min(10, today.day) if month == today.month else 10)
            if on > today or (month == today.month and n == len(posts) - 1):
                continue  # this group has not entered this month yet
            members_of = [p.member_id for p in Placement.objects.filter(post=post, status="confirmed")]
            content, outcome = ACTIVITIES[post.name]
            services.entry_record(
                acting_user=leader_user if n == 0 else secretary, post=post, activity_on=on,
                participant_ids=members_of[: 2 + month % 3], content=content,
                outcome=outcome.format(n=1 + (month + n) % 4), today=today,
            )
    if today.month >= 7:
        for post in posts:
            services.review_record(acting_user=secretary, post=post, half=1, summary="上半年按月开展履岗活动，台账记录完整。",
                                   comment="履岗积极，下半年要进一步发动群众参与。", reviewed_on=date(year, 7, 5),
                                   today=today)
    services.training_record(acting_user=secretary, member=eligible[0], held_on=date(year, 4, 15),
                             topic="农村环境整治政策解读", kind="policy", organizer="河口镇党委", today=today)


def _leader_account(leader: Member, branch: Organization):  # type: ignore[no-untyped-def]
    """An ordinary member account for the first group's leader (phone entry)."""
    from membership import services as member_services
    from partyadmin.demo_data import DEMO_PASSWORD

    user, created = get_user_model().objects.get_or_create(username=LEADER_ACCOUNT,
                                                           defaults={"first_name": "河口村环境卫生监督组组长"})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    if not any(g.role == Role.MEMBER and g.organization_id == branch.pk for g in grants_of(user)):
        org_services.grant_role(acting_user=None, user=user, organization=branch, role=Role.MEMBER)
    if leader.person.user_id is None:
        member_services.person_link_account(acting_user=None, person=leader.person, user=user)
    return user
