"""Login, lockout, logout, password rules and the role-aware home page (DESIGN §2.7)."""

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import Event
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def post_login(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_with_the_right_password_lands_on_home(client, alice):
    response = post_login(client, "alice", PASSWORD)
    assert response.status_code == 302 and response.url == reverse("home")


def test_unknown_user_and_wrong_password_get_the_same_message(client, alice):
    unknown = post_login(client, "nobody", PASSWORD).content.decode()
    wrong = post_login(client, "alice", "Wrong-pass-1").content.decode()
    message = "用户名或密码错误，请重新输入。"
    assert message in unknown and message in wrong


def test_five_failures_lock_the_account_for_everyone(client, alice):
    """等保 2.0: 登录失败处理 — lock after 5 failures (DESIGN §2.7)."""
    for _ in range(5):
        post_login(client, "alice", "Wrong-pass-1")
    response = post_login(client, "alice", PASSWORD)
    assert "登录已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failed_login_is_audited_without_the_password(client, alice):
    post_login(client, "alice", "Wrong-pass-1")
    event = Event.objects.get(action="auth.login_failed")
    assert event.result == "failure"
    assert "Wrong-pass-1" not in str(event.changes)


def test_logout_destroys_the_session(client, alice):
    post_login(client, "alice", PASSWORD)
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_session_older_than_twelve_hours_is_ended(client, alice):
    post_login(client, "alice", PASSWORD)
    session = client.session
    session["started_at"] = int(time.time()) - 12 * 3600 - 1
    session.save()
    response = client.get(reverse("branches:tree"))
    assert response.status_code == 302 and response.url == reverse("login")


@pytest.mark.parametrize("password", ["abcdefgh", "abcd1234", "ABCDabcd"])
def test_password_needs_three_character_classes(password):
    with pytest.raises(ValidationError) as error:
        validate_password(password)
    assert any("至少 3 类" in message for message in error.value.messages)


def test_password_with_three_classes_is_accepted():
    validate_password("Branch-ledger-7")


def test_home_of_a_secretary_is_the_dashboard(client_for, alice, branch_a):
    response = client_for(alice).get(reverse("home"))
    assert response.status_code == 200
    assert "工作台" in response.content.decode()


def test_home_of_a_user_without_grants_explains_why(client_for, db):
    from tests.conftest import make_user

    response = client_for(make_user("newcomer")).get(reverse("home"))
    assert "尚未分配任何党组织角色" in response.content.decode()
