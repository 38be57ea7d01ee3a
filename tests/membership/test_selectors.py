"""Register reads: scoped by the tenancy module, bounded queries, blind-index search."""

import pytest
from django.http import Http404

from branches.models import OrganizationKind
from branches.scoping import grants_of
from membership import selectors
from membership.models import MemberStatus
from tests.conftest import make_org

from .factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_owner_and_colleague_list_their_branch_only(alice, bob, member_a, member_b):
    for user in (alice, bob):
        assert list(selectors.member_list(user=user)) == [member_a]


def test_outsider_lists_none_of_the_foreign_branch(charlie, member_a, member_b):
    assert list(selectors.member_list(user=charlie)) == [member_b]


def test_reviewer_lists_the_whole_township(rita, member_a, member_b):
    assert set(selectors.member_list(user=rita)) == {member_a, member_b}


def test_reviewer_of_another_county_lists_nothing(oscar, member_a, member_b):
    assert list(selectors.member_list(user=oscar)) == []


def test_member_role_lists_only_itself(mary, member_a, branch_a):
    MemberFactory(organization=branch_a)
    assert list(selectors.member_list(user=mary)) == [member_a]


def test_member_get_is_404_out_of_scope(charlie, member_a):
    with pytest.raises(Http404):
        selectors.member_get(user=charlie, pk=member_a.pk)


def test_member_for_user_is_the_own_record(mary, member_a, alice):
    assert selectors.member_for_user(mary) == member_a
    assert selectors.member_for_user(alice) is None


def test_removed_members_are_not_listed(alice, member_a):
    member_a.is_active = False
    member_a.save(update_fields=["is_active"])
    assert list(selectors.member_list(user=alice)) == []


def test_search_by_name(alice, branch_a):
    members = MemberFactory.create_batch(3, organization=branch_a)
    target = members[1]
    found = list(selectors.member_list(user=alice, search=target.person.name))
    assert target in found


def test_search_by_exact_id_number_uses_the_blind_index(alice, branch_a):
    members = MemberFactory.create_batch(3, organization=branch_a)
    target = members[2]
    number = target.person.id_number
    assert list(selectors.member_list(user=alice, search=number.lower())) == [target]
    assert list(selectors.member_list(user=alice, search=number[:10])) == []


def test_search_never_reaches_outside_the_scope(charlie, member_a):
    assert list(selectors.member_list(user=charlie, search=member_a.person.id_number)) == []


def test_filters_by_organization_status_and_category(rita, branch_a, branch_b):
    probationary = MemberFactory(organization=branch_a, status=MemberStatus.PROBATIONARY)
    full = MemberFactory(organization=branch_a)
    MemberFactory(organization=branch_b)
    assert list(selectors.member_list(user=rita, organization=branch_a, status="probationary")) == [probationary]
    assert set(selectors.member_list(user=rita, organization=branch_a)) == {probationary, full}
    assert list(selectors.member_list(user=rita, category="rural")) == []


def test_sort_by_joined_on(alice, branch_a):
    members = MemberFactory.create_batch(4, organization=branch_a)
    expected = sorted(members, key=lambda m: (m.joined_on, m.pk))
    assert list(selectors.member_list(user=alice, sort="joined_on")) == expected
    assert list(selectors.member_list(user=alice, sort="-joined_on")) == expected[::-1]


def test_member_counts_by_path_is_one_query_grouped_by_organization(
    rita, town, branch_a, branch_b, django_assert_num_queries,
):
    group = make_org(branch_a, "东街第一党小组", "C01T01B01G01", OrganizationKind.PARTY_GROUP)
    MemberFactory.create_batch(3, organization=branch_a)
    MemberFactory(organization=branch_a, status=MemberStatus.PROBATIONARY, party_group=group)
    MemberFactory.create_batch(2, organization=branch_b)
    grants_of(rita)  # the grants are read once per request; the count itself is the one query
    with django_assert_num_queries(1):
        counts = selectors.member_counts_by_path(user=rita, under=[town.path])
    assert counts == {branch_a.path: 4, branch_b.path: 2}


def test_member_counts_by_path_respects_scope_and_under(alice, branch_a, branch_b, town):
    MemberFactory.create_batch(2, organization=branch_a)
    MemberFactory(organization=branch_b)
    assert selectors.member_counts_by_path(user=alice, under=[town.path]) == {branch_a.path: 2}
    assert selectors.member_counts_by_path(user=alice, under=[branch_b.path]) == {}
    assert selectors.member_counts_by_path(user=alice, under=[]) == {}
