"""Home dashboards: numbers within the scope, a bounded number of queries, overdue terms flagged."""

from datetime import date

import pytest
from django.urls import reverse

from branches import dashboards, rules
from membership.models import Flow, MemberStatus
from tests.membership.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_reviewer_totals_cover_the_township(rita, branch_a, branch_b):
    MemberFactory.create_batch(3, organization=branch_a)
    MemberFactory(organization=branch_b, status=MemberStatus.PROBATIONARY, full_on=None, flow=Flow.FLOW_OUT)
    totals = dashboards.dashboard(user=rita)["totals"]
    assert totals["total"] == 4
    assert totals["probationary"] == 1
    assert totals["floating"] == 1


def test_secretary_totals_exclude_the_other_branch(alice, branch_a, branch_b):
    MemberFactory.create_batch(2, organization=branch_a)
    MemberFactory.create_batch(5, organization=branch_b)
    assert dashboards.dashboard(user=alice)["totals"]["total"] == 2


def test_chart_counts_members_per_child_of_the_top_node(rita, town, branch_a, branch_b):
    MemberFactory.create_batch(3, organization=branch_a)
    MemberFactory(organization=branch_b)
    chart = dashboards.dashboard(user=rita)["chart"]
    assert dict(zip(chart["labels"], chart["values"], strict=True)) == {branch_a.name: 3, branch_b.name: 1}


def test_dashboard_query_count_does_not_grow_with_members(client_for, rita, branch_a, branch_b,
                                                         django_assert_max_num_queries):
    MemberFactory.create_batch(30, organization=branch_a)
    client = client_for(rita)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("home"))
    assert response.status_code == 200


def test_term_is_overdue_after_its_end_unless_extended():
    """seed 004: "党支部每届任期2年或3年,到期应按时换届,如需延期换届,应报上级党组织批准,延长期限一般不超过一年。" """
    assert rules.term_status(ends_on=date(2026, 3, 1), extended_until=None, today=date(2026, 3, 2)) == "overdue"
    assert rules.term_status(ends_on=date(2026, 3, 1), extended_until=date(2026, 9, 1),
                             today=date(2026, 3, 2)) == "normal"


def test_extension_beyond_one_year_is_refused():
    """seed 004: "延长期限一般不超过一年" """
    from partyadmin.errors import RuleViolation

    rules.check_term_extension(ends_on=date(2026, 3, 1), extended_until=date(2027, 3, 1))
    with pytest.raises(RuleViolation):
        rules.check_term_extension(ends_on=date(2026, 3, 1), extended_until=date(2027, 3, 2))


def test_overdue_branch_is_listed(rita, branch_a, branch_b):
    branch_a.term_ends_on = date(2020, 1, 1)
    branch_a.save(update_fields=["term_ends_on"])
    overdue = dashboards.dashboard(user=rita, today=date(2026, 11, 1))["overdue_terms"]
    assert [b.pk for b in overdue] == [branch_a.pk]


def test_committee_has_at_most_seven_members(branch_a):
    """seed 004: "合理配备书记、副书记和其他支部委员,最多不超过7人。" """
    from branches import services
    from partyadmin.errors import RuleViolation

    members = MemberFactory.create_batch(8, organization=branch_a)
    for member in members[:7]:
        services.committee_member_appoint(acting_user=None, organization=branch_a, member=member,
                                          post="other", started_on=date(2025, 1, 1))
    with pytest.raises(RuleViolation) as error:
        services.committee_member_appoint(acting_user=None, organization=branch_a, member=members[7],
                                          post="other", started_on=date(2025, 1, 1))
    assert error.value.code == "committee.too_many"


def test_only_one_sitting_secretary(branch_a):
    from branches import services
    from partyadmin.errors import RuleViolation

    first, second = MemberFactory.create_batch(2, organization=branch_a)
    services.committee_member_appoint(acting_user=None, organization=branch_a, member=first,
                                      post="secretary", started_on=date(2025, 1, 1))
    with pytest.raises(RuleViolation):
        services.committee_member_appoint(acting_user=None, organization=branch_a, member=second,
                                          post="secretary", started_on=date(2025, 1, 1))


def test_tree_counts_members_of_the_subtree_in_one_query(client_for, rita, town, branch_a, branch_b,
                                                        django_assert_max_num_queries):
    MemberFactory.create_batch(3, organization=branch_a)
    MemberFactory.create_batch(2, organization=branch_b)
    client = client_for(rita)
    with django_assert_max_num_queries(10):
        html = client.get(reverse("branches:tree")).content.decode()
    assert "党员 5 名" in html and "党员 3 名" in html and "党员 2 名" in html
