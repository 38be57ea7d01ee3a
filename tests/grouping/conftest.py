"""一编三定 fixtures on the shared tree: branch A (a community branch) with members, a sitting committee
member who contracts groups (bob's own member record), a leader with an ordinary member account (leo),
and a cycle of 2026 that has reached the performance ledger."""

from datetime import date

import pytest

from branches import services as org_services
from branches.life_models import CommitteeMember, CommitteePost
from branches.scoping import Role
from grouping import services
from tests.conftest import make_user
from tests.membership.factories import MemberFactory

TODAY = date(2026, 11, 10)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def members(branch_a, alice, bob):
    """Branch A: the secretary (alice's record), a committee member (bob's), six no-office members."""
    secretary = MemberFactory(organization=branch_a, person__name="张书记", person__user=alice)
    cadre = MemberFactory(organization=branch_a, person__name="李委员", person__user=bob)
    CommitteeMember.objects.create(organization=branch_a, member=secretary, post=CommitteePost.SECRETARY,
                                   started_on=date(2024, 1, 1))
    CommitteeMember.objects.create(organization=branch_a, member=cadre, post=CommitteePost.ORGANIZATION,
                                   started_on=date(2024, 1, 1))
    names = ["王建国", "刘秀英", "陈志强", "杨海燕", "赵明", "黄桂兰"]
    return [secretary, cadre] + [MemberFactory(organization=branch_a, person__name=n) for n in names]


@pytest.fixture
def leo(branch_a, members):
    """An ordinary member account (self scope only), the person of members[2] — to become a leader."""
    user = make_user("leo")
    org_services.grant_role(acting_user=None, user=user, organization=branch_a, role=Role.MEMBER)
    person = members[2].person
    person.user = user
    person.save(update_fields=["user"])
    return user


@pytest.fixture
def post_list(alice, branch_a):
    return services.post_list_create(acting_user=alice, organization=branch_a, year=2026,
                                     suggested=["环境卫生监督岗", "邻里纠纷调解岗"], work_plan="全年工作安排")


@pytest.fixture
def published(alice, post_list):
    return services.post_list_publish(acting_user=alice, post_list=post_list, published_on=date(2026, 3, 5),
                                      today=TODAY)


@pytest.fixture
def grouped(alice, published, members, leo):
    """Claims, placements confirmed, leaders and the cadre set, commitments signed."""
    hygiene, mediation = list(published.posts.order_by("order"))
    for member in members[2:5]:
        services.claim_create(acting_user=alice, post=hygiene, member=member, today=TODAY)
    for member in members[5:8]:
        services.claim_create(acting_user=alice, post=mediation, member=member, today=TODAY)
    services.placement_draft(acting_user=alice, post_list=published, today=TODAY)
    for member in members[2:8]:
        services.placement_confirm(acting_user=alice, post_list=published, member=member, today=TODAY)
    services.group_set(acting_user=alice, post=hygiene, leader=members[2], cadre=members[1])
    services.group_set(acting_user=alice, post=mediation, leader=members[5], cadre=members[1])
    for placement in published.posts.first().placements.model.objects.filter(post__post_list=published):
        services.commitment_sign(acting_user=alice, placement=placement, commitment="带头履岗，服务群众",
                                 signed_on=date(2026, 3, 20), today=TODAY)
    return published
