"""The demo puts 河口村党支部 mid-cycle; a second run writes nothing."""

import pytest

from audit.models import Event
from grouping.models import PerformanceEntry, Placement, PostList
from grouping.selectors import missing_this_month
from partyadmin import demo_grouping
from partyadmin.demo_data import seed_demo
from partyadmin.demo_oversight import demo_today

pytestmark = pytest.mark.django_db


def test_demo_village_is_mid_cycle_and_idempotent(working_calendar):
    from branches.models import Organization

    seed_demo()
    organizations = {o.code: o for o in Organization.objects.all()}
    today = demo_today()
    demo_grouping.build(organizations, today)
    post_list = PostList.objects.get(organization__code="DEMO-HK-HK")
    assert post_list.status == "published" and post_list.filing_id is not None
    assert post_list.publicity_window_id is not None  # the group ledger was publicized
    assert Placement.objects.filter(post__post_list=post_list, status="proposed").count() == 0
    assert all(p.leader_id and p.cadre_id for p in post_list.posts.all())
    assert PerformanceEntry.objects.filter(post__post_list=post_list).exists()
    assert len(missing_this_month(post_list=post_list, month=today)) == 1
    counts = (PostList.objects.count(), PerformanceEntry.objects.count(), Event.objects.count())
    demo_grouping.build(organizations, today)
    assert (PostList.objects.count(), PerformanceEntry.objects.count(), Event.objects.count()) == counts
