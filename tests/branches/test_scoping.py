"""Tenancy scoping (DESIGN §2.1): a grant covers its subtree; deny by default; out of scope is 404."""

import pytest
from django.http import Http404

from branches import services
from branches.models import Organization
from branches.scoping import Action, Role, can, organization_get_for_user, organizations_for, roles_of
from tests.conftest import make_org, make_user

pytestmark = pytest.mark.django_db


def test_grant_covers_the_whole_subtree(rita, town, branch_a, branch_b):
    visible = set(organizations_for(rita, Action.VIEW_ORGANIZATION))
    assert visible == {town, branch_a, branch_b}


def test_branch_secretary_sees_only_own_branch(alice, branch_a, branch_b, town):
    assert list(organizations_for(alice, Action.VIEW_ORGANIZATION)) == [branch_a]
    assert not can(alice, Action.VIEW_ORGANIZATION, branch_b)
    assert not can(alice, Action.VIEW_ORGANIZATION, town)


def test_user_without_grants_sees_nothing(db, branch_a):
    nobody = make_user("nobody")
    assert organizations_for(nobody, Action.VIEW_ORGANIZATION).count() == 0


def test_out_of_scope_and_missing_are_the_same_404(charlie, branch_a):
    with pytest.raises(Http404) as foreign:
        organization_get_for_user(charlie, branch_a.pk)
    with pytest.raises(Http404) as missing:
        organization_get_for_user(charlie, 999_999)
    assert str(foreign.value) == str(missing.value)


def test_path_prefix_does_not_leak_to_a_sibling_with_a_longer_code(town, branch_a):
    """A prefix match is on the materialized path, which has a fixed step; siblings never share a prefix."""
    sibling = make_org(town, "东街社区党支部二", "C01T01B011", "branch")
    owner = make_user("owner")
    services.grant_role(acting_user=None, user=owner, organization=branch_a, role=Role.SECRETARY)
    assert list(organizations_for(owner, Action.VIEW_ORGANIZATION)) == [branch_a]
    assert sibling.path[: len(branch_a.path)] != branch_a.path


def test_auditor_reads_audit_and_nothing_of_members(county):
    auditor = make_user("audrey")
    services.grant_role(acting_user=None, user=auditor, organization=county, role=Role.AUDITOR)
    assert can(auditor, Action.VIEW_AUDIT, county)
    assert not can(auditor, Action.VIEW_MEMBER, county)
    assert not can(auditor, Action.CHANGE_MEMBER, county)


def test_three_administrators_do_not_overlap(county):
    """三员分立: the system, security and audit administrators cannot do one another's work."""
    from branches.scoping import ROLE_ACTIONS

    sysadmin, secadmin, auditor = (ROLE_ACTIONS[r] - {Action.VIEW_ORGANIZATION}
                                   for r in (Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR))
    assert not (sysadmin & secadmin) and not (sysadmin & auditor) and not (secadmin & auditor)


def test_grant_change_is_audited(alice, branch_a):
    from audit.models import Event

    event = Event.objects.filter(action="grant.assign", subject_id=str(alice.pk)).get()
    assert event.changes["role"] == [None, "secretary"]
    assert event.organization == branch_a


def test_revoking_a_grant_removes_the_scope(alice, branch_a):
    services.revoke_role(acting_user=None, user=alice, organization=branch_a, role=Role.SECRETARY)
    assert roles_of(alice) == set()
    assert organizations_for(alice, Action.VIEW_ORGANIZATION).count() == 0


def test_county_department_is_its_own_county(county, town, branch_a):
    assert county.county_id == county.pk
    assert town.county_id == county.pk
    assert branch_a.county_id == county.pk


def test_branch_cannot_sit_directly_under_a_county_department(county):
    from partyadmin.errors import RuleViolation

    with pytest.raises(RuleViolation) as error:
        make_org(county, "错误支部", "BAD1", "branch")
    assert error.value.code == "organization.bad_parent"
    assert not Organization.objects.filter(code="BAD1").exists()
