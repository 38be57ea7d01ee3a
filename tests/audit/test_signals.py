"""Logins, successful or not, are audit events (DESIGN §2.7; 等保 2.0 安全审计)."""

import json

import pytest
from django.urls import reverse

from audit.models import Event
from audit.services import GLOBAL_CHAIN
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

WRONG_PASSWORD = "Wrong-pass-9999"


def _log_in(client, username: str, password: str, address: str = "127.0.0.1") -> None:
    """Through the login page, as a browser would (the lockout backend needs the request)."""
    client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_successful_login_is_recorded_under_the_users_organization(client, alice, branch_a):
    _log_in(client, "alice", PASSWORD)
    event = Event.objects.filter(action="auth.login").get()
    assert (event.actor, event.result, event.organization) == (alice, "success", branch_a)


def test_failed_login_is_recorded_as_a_failure_without_the_password(client, alice, branch_a):
    _log_in(client, "alice", WRONG_PASSWORD)
    event = Event.objects.filter(action="auth.login_failed").get()
    assert event.result == "failure"
    assert event.actor is None
    assert event.changes == {"username": "alice"}
    assert event.organization == branch_a  # the county's auditors see attacks on their accounts
    stored = json.dumps([event.changes, event.subject_label, event.actor_name], ensure_ascii=False)
    assert WRONG_PASSWORD not in stored


def test_failed_login_for_an_unknown_account_goes_to_the_global_chain(client, db):
    _log_in(client, "nobody", WRONG_PASSWORD)
    event = Event.objects.filter(action="auth.login_failed").get()
    assert (event.chain, event.organization, event.subject_label) == (GLOBAL_CHAIN, None, "nobody")


def test_login_through_the_login_page_records_the_client_address(client, alice):
    _log_in(client, "alice", WRONG_PASSWORD, "10.1.2.3")
    _log_in(client, "alice", PASSWORD, "10.1.2.3")
    events = Event.objects.filter(action__startswith="auth.login").order_by("seq")
    assert [(e.action, e.result, e.address) for e in events] == [
        ("auth.login_failed", "failure", "10.1.2.3"),
        ("auth.login", "success", "10.1.2.3"),
    ]
    assert not any(WRONG_PASSWORD in json.dumps(e.changes) or PASSWORD in json.dumps(e.changes) for e in events)


def test_logout_is_recorded(client, alice):
    _log_in(client, "alice", PASSWORD)
    client.post(reverse("logout"))
    assert Event.objects.filter(action="auth.logout", actor=alice).exists()
