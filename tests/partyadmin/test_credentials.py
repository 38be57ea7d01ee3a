"""Account security of 等保 2.0 level 3 (DESIGN §2.7): "passwords … none of the last 5 reused, changed every
90 days (a forced change page); TOTP second factor (django-otp) for every administrator role"."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Event
from branches import services as org_services
from branches.scoping import Role
from partyadmin.models import PasswordRecord
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

PASSWORDS = [f"Second-pass-{n}" for n in range(7)]


def _login(client, user, password: str = PASSWORD):
    assert client.post(reverse("login"), {"username": user.username, "password": password}).status_code == 302
    return client


def _change(client, old: str, new: str):
    return client.post(reverse("password_change"), {"old_password": old, "new_password1": new, "new_password2": new})


def _age(user, days: float) -> None:
    """The password was set `days` ago (an account's first password dates from when it was made)."""
    then = timezone.now() - timedelta(days=days)
    type(user).objects.filter(pk=user.pk).update(date_joined=then)
    PasswordRecord.objects.filter(user=user).update(changed_at=then)


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def sysadmin(county):
    user = make_user("sys")
    org_services.grant_role(acting_user=None, user=user, organization=county, role=Role.SYSADMIN)
    return user


# --- history ---------------------------------------------------------------------------------

def test_every_password_set_is_remembered_and_only_the_last_five_kept(alice):
    for password in PASSWORDS:
        alice.set_password(password)
        alice.save()
    kept = list(PasswordRecord.objects.filter(user=alice).values_list("password", flat=True))
    assert len(kept) == 5
    assert kept[0] == alice.password


def test_a_password_used_within_the_last_five_is_refused(client, alice):
    _login(client, alice)
    old = PASSWORD
    for new in PASSWORDS[:4]:
        assert _change(client, old, new).status_code == 302
        old = new
    response = _change(client, old, PASSWORD)  # the fifth most recent, counting the current one
    assert response.status_code == 200
    assert "新密码不能与最近 5 次使用过的密码相同。" in response.content.decode()
    assert alice.__class__.objects.get(pk=alice.pk).check_password(old)


def test_the_sixth_most_recent_password_may_be_used_again(client, alice):
    _login(client, alice)
    old = PASSWORD
    for new in PASSWORDS[:5]:
        assert _change(client, old, new).status_code == 302
        old = new
    assert _change(client, old, PASSWORD).status_code == 302


def test_a_password_change_is_audited(client, alice):
    _login(client, alice)
    _change(client, PASSWORD, PASSWORDS[0])
    assert Event.objects.filter(action="auth.password_change", actor=alice).count() == 1


# --- 90 days ---------------------------------------------------------------------------------

def test_a_password_younger_than_ninety_days_lets_the_user_in(client, alice):
    _age(alice, 90 - 1 / 24)
    _login(client, alice)
    assert client.get(reverse("home")).status_code == 200


def test_an_expired_password_sends_the_user_to_the_change_page(client, alice):
    _age(alice, 90 + 1 / 24)
    _login(client, alice)
    response = client.get(reverse("membership:list"))
    assert response.status_code == 302
    assert response.url == f"{reverse('password_change')}?next=%2Fmembers%2F"
    page = client.get(response.url).content.decode()
    assert "密码已使用超过 90 天" in page


def test_after_changing_an_expired_password_the_pages_open_again(client, alice):
    _age(alice, 100)
    _login(client, alice)
    assert _change(client, PASSWORD, PASSWORDS[0]).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_an_expired_password_refuses_the_session_api_with_a_message(client, alice):
    _age(alice, 100)
    _login(client, alice)
    response = client.get("/api/v1/members/")
    assert response.status_code == 403
    assert response.json()["detail"] == "密码已超过有效期，请先修改密码。"


# --- second factor ---------------------------------------------------------------------------

def test_an_administrator_without_a_device_is_sent_to_bind_one(client, sysadmin, settings):
    settings.ADMIN_SECOND_FACTOR = True
    _login(client, sysadmin)
    response = client.get(reverse("home"))
    assert response.url.startswith(reverse("second_factor"))
    setup = client.get(response.url, follow=True)
    assert setup.redirect_chain[-1][0].startswith(reverse("second_factor_setup"))
    assert "<svg" in setup.content.decode()


def test_binding_a_device_with_a_correct_code_verifies_the_session(client, sysadmin, settings):
    settings.ADMIN_SECOND_FACTOR = True
    _login(client, sysadmin)
    client.get(reverse("second_factor_setup"))
    device = TOTPDevice.objects.get(user=sysadmin)
    response = client.post(reverse("second_factor_setup"), {"token": _code(device), "next": "/"})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("home")).status_code == 200
    assert Event.objects.filter(action="auth.second_factor_enrol", actor=sysadmin).count() == 1


def test_a_wrong_code_keeps_the_administrator_out_and_is_audited(client, sysadmin, settings):
    settings.ADMIN_SECOND_FACTOR = True
    device = TOTPDevice.objects.create(user=sysadmin, name="手机", confirmed=True)
    _login(client, sysadmin)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("second_factor"), {"token": wrong})
    assert "动态口令不正确或已过期，请重新输入。" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
    assert Event.objects.filter(action="auth.second_factor_failed", actor=sysadmin, result="failure").count() == 1


def test_the_right_code_lets_the_administrator_in(client, sysadmin, settings):
    settings.ADMIN_SECOND_FACTOR = True
    device = TOTPDevice.objects.create(user=sysadmin, name="手机", confirmed=True)
    _login(client, sysadmin)
    response = client.post(reverse("second_factor"), {"token": _code(device), "next": reverse("admin:index")})
    assert response.url == reverse("admin:index")
    assert client.get(reverse("home")).status_code == 200


def test_a_branch_secretary_is_not_asked_for_a_code(client, alice, settings):
    settings.ADMIN_SECOND_FACTOR = True
    _login(client, alice)
    assert client.get(reverse("home")).status_code == 200


def test_an_unverified_administrator_gets_403_from_the_session_api(client, sysadmin, settings):
    settings.ADMIN_SECOND_FACTOR = True
    _login(client, sysadmin)
    response = client.get("/api/v1/organizations/")
    assert response.status_code == 403
    assert response.json()["code"] == "account.second_factor"
