"""Audit trail pages: the event list and a subject's history, scoped by VIEW_AUDIT (DESIGN §2.1, §5)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import Event, EventResult
from audit.services import record
from branches import services as org_services
from branches.scoping import Role
from tests.conftest import make_user

from .factories import make_events

pytestmark = pytest.mark.django_db

EVENTS = reverse("audit:events")


def _history(organization) -> str:
    return reverse("audit:history", args=["branches.organization", organization.pk])


def _granted(username: str, organization, role: Role):
    user = make_user(username)
    org_services.grant_role(acting_user=None, user=user, organization=organization, role=role)
    return user


def _listed(response) -> list[Event]:
    return [event for event, _label, _changes in response.context["rows"]]


@pytest.fixture
def auditor(county):
    return _granted("audrey", county, Role.AUDITOR)


# The event list


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(EVENTS)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_owner_and_colleague_see_their_branch_events(client_for, alice, bob, branch_a):
    record(actor=alice, action="test.branch_a", organization=branch_a)
    for user in (alice, bob):
        response = client_for(user).get(EVENTS)
        assert response.status_code == 200
        assert "test.branch_a" in [e.action for e in _listed(response)]


def test_outsider_sees_no_foreign_events(client_for, alice, charlie, branch_a, branch_b):
    record(actor=alice, action="test.branch_a", organization=branch_a)
    response = client_for(charlie).get(EVENTS)
    assert response.status_code == 200
    listed = _listed(response)
    assert listed  # charlie's own branch has events
    assert {e.organization_id for e in listed} == {branch_b.pk}
    assert b"test.branch_a" not in response.content


def test_other_county_reviewer_sees_nothing_of_this_county(client_for, oscar, alice, county, other_county):
    response = client_for(oscar).get(EVENTS)
    assert {e.county_id for e in _listed(response)} == {other_county.pk}


def test_auditor_sees_the_whole_county(client_for, auditor, alice, charlie, branch_a, branch_b):
    response = client_for(auditor).get(EVENTS)
    assert response.status_code == 200
    assert {branch_a.pk, branch_b.pk} <= {e.organization_id for e in _listed(response)}


def test_auditor_sees_logins_of_the_countys_users(client, auditor, alice, branch_a):
    client.force_login(alice)
    client.force_login(auditor)
    response = client.get(EVENTS, {"action": "auth.login", "actor": "alice"})
    assert [e.actor_name for e in _listed(response)] == ["alice"]


@pytest.mark.parametrize("role", [Role.CLERK, Role.MEMBER, Role.SYSADMIN, Role.SECADMIN])
def test_roles_without_audit_access_get_404(client_for, branch_a, role):
    user = _granted(f"u_{role.value}", branch_a, role)
    assert client_for(user).get(EVENTS).status_code == 404


def test_user_without_any_grant_gets_404(client_for, db):
    assert client_for(make_user("nobody")).get(EVENTS).status_code == 404


def test_filter_by_exact_action(client_for, alice, branch_a):
    record(actor=alice, action="test.wanted", organization=branch_a)
    record(actor=alice, action="test.other", organization=branch_a)
    response = client_for(alice).get(EVENTS, {"action": "test.wanted"})
    assert [e.action for e in _listed(response)] == ["test.wanted"]


def test_filter_by_action_prefix(client_for, alice, branch_a):
    record(actor=alice, action="test.one", organization=branch_a)
    record(actor=alice, action="test.two", organization=branch_a)
    response = client_for(alice).get(EVENTS, {"action": "test."})
    assert sorted(e.action for e in _listed(response)) == ["test.one", "test.two"]


def test_filter_by_actor_username(client_for, alice, bob, branch_a):
    record(actor=alice, action="test.by_alice", organization=branch_a)
    record(actor=bob, action="test.by_bob", organization=branch_a)
    response = client_for(alice).get(EVENTS, {"actor": "bob", "action": "test."})
    assert [e.action for e in _listed(response)] == ["test.by_bob"]


def test_filter_by_result(client_for, alice, branch_a):
    record(actor=alice, action="test.denied", organization=branch_a, result=EventResult.FAILURE)
    response = client_for(alice).get(EVENTS, {"result": "failure"})
    assert [e.action for e in _listed(response)] == ["test.denied"]


def test_filter_by_date_range(client_for, alice, branch_a):
    today = timezone.localdate()
    client = client_for(alice)
    assert _listed(client.get(EVENTS, {"date_from": today.isoformat(), "date_to": today.isoformat()}))
    assert not _listed(client.get(EVENTS, {"date_to": (today - timedelta(days=1)).isoformat()}))
    assert not _listed(client.get(EVENTS, {"date_from": (today + timedelta(days=1)).isoformat()}))


def test_reversed_date_range_is_a_form_error(client_for, alice):
    today = timezone.localdate()
    response = client_for(alice).get(EVENTS, {"date_from": today.isoformat(),
                                              "date_to": (today - timedelta(days=1)).isoformat()})
    assert response.status_code == 200
    assert "截止日期不能早于起始日期" in response.content.decode()


def test_list_is_paginated_by_fifty(client_for, alice, branch_a):
    make_events(branch_a, 60)
    client = client_for(alice)
    first = client.get(EVENTS, {"action": "test.event"})
    assert len(_listed(first)) == 50
    second = client.get(EVENTS, {"action": "test.event", "page": 2})
    assert len(_listed(second)) == 10
    assert "action=test.event" in first.content.decode()  # page links keep the filters


def test_list_query_count_does_not_grow_with_the_page(client_for, alice, branch_a, django_assert_max_num_queries):
    client = client_for(alice)
    make_events(branch_a, 3)
    with CaptureQueriesContext(connection) as few:
        client.get(EVENTS)
    make_events(branch_a, 60)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(EVENTS)
    assert len(_listed(response)) == 50


def test_changes_are_shown_as_before_and_after(client_for, alice, branch_a):
    record(actor=alice, action="test.rename", organization=branch_a, subject=branch_a,
           changes={"name": ["旧支部", "新支部"]})
    content = client_for(alice).get(EVENTS, {"action": "test.rename"}).content.decode()
    assert "名称" in content and "旧支部" in content and "新支部" in content


def test_registered_subjects_link_to_their_history(client_for, alice, branch_a):
    record(actor=alice, action="test.linked", organization=branch_a, subject=branch_a)
    content = client_for(alice).get(EVENTS, {"action": "test.linked"}).content.decode()
    assert _history(branch_a) in content


# A subject's history


def test_owner_and_colleague_see_the_subject_history(client_for, alice, bob, branch_a):
    for user in (alice, bob):
        response = client_for(user).get(_history(branch_a))
        assert response.status_code == 200
        assert response.context["subject"] == branch_a


def test_history_shows_the_subjects_events_newest_first(client_for, alice, branch_a, branch_b):
    record(actor=alice, action="test.later", organization=branch_a, subject=branch_a)
    record(actor=alice, action="test.unrelated", organization=branch_a, subject=branch_b)
    response = client_for(alice).get(_history(branch_a))
    assert [e.action for e in _listed(response)] == ["test.later", "organization.create"]


def test_history_shows_field_before_and_after(client_for, alice, branch_a):
    record(actor=alice, action="test.rename", organization=branch_a, subject=branch_a,
           changes={"name": ["旧支部", "新支部"], "has_committee": [True, False]})
    content = client_for(alice).get(_history(branch_a)).content.decode()
    for text in ("字段", "变更前", "变更后", "名称", "旧支部", "新支部", "设支部委员会", "是", "否"):
        assert text in content


def test_outsider_gets_404_on_a_foreign_subjects_history(client_for, charlie, branch_a):
    assert client_for(charlie).get(_history(branch_a)).status_code == 404


def test_other_county_gets_404_on_the_history(client_for, oscar, branch_a):
    assert client_for(oscar).get(_history(branch_a)).status_code == 404


def test_auditor_sees_the_history(client_for, auditor, branch_a):
    assert client_for(auditor).get(_history(branch_a)).status_code == 200


def test_unregistered_subject_type_is_404(client_for, alice):
    url = reverse("audit:history", args=["auth.user", alice.pk])
    assert client_for(alice).get(url).status_code == 404


@pytest.mark.parametrize("subject_id", ["999999", "not-a-number"])
def test_missing_subject_is_404(client_for, alice, subject_id):
    url = reverse("audit:history", args=["branches.organization", subject_id])
    assert client_for(alice).get(url).status_code == 404


def test_user_who_sees_the_subject_but_not_the_trail_gets_404(client_for, branch_a):
    """三员分立: the system administrator sees organizations, not the audit trail."""
    sysadmin = _granted("sam", branch_a, Role.SYSADMIN)
    assert client_for(sysadmin).get(_history(branch_a)).status_code == 404


def test_history_hides_events_recorded_outside_the_users_audit_scope(client_for, alice, branch_a, town):
    record(actor=None, action="test.at_town", organization=town, subject=branch_a)
    response = client_for(alice).get(_history(branch_a))
    assert "test.at_town" not in [e.action for e in _listed(response)]

