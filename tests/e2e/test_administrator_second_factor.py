"""An administrator's first login in a real browser: password, then binding an authenticator app by its key
and one code, then the administrator's home (等保 2.0: TOTP second factor for every administrator role)."""

import base64
import os
from pathlib import Path

import pytest
from django.urls import reverse
from django_otp.oath import totp

from branches import services as org_services
from branches.scoping import Role
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", "test-artifacts"))


def test_an_administrator_binds_an_authenticator_and_reaches_the_admin_home(page, live_server, county, settings):
    settings.ADMIN_SECOND_FACTOR = True
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    user = make_user("xitong", is_staff=True)
    org_services.grant_role(acting_user=None, user=user, organization=county, role=Role.SYSADMIN)

    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", "xitong")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")

    assert reverse("second_factor_setup") in page.url
    assert page.locator(".qr-code svg").is_visible()
    page.screenshot(path=str(ARTIFACTS / "admin-second-factor-setup.png"), full_page=True)
    secret = page.locator("code.user-select-all").inner_text().strip()
    code = totp(base64.b32decode(secret + "=" * (-len(secret) % 8)))
    page.fill("#id_token", f"{code:06d}")
    page.get_by_role("button", name="完成绑定").click()
    page.wait_for_load_state("networkidle")

    assert page.url.rstrip("/") == live_server.url
    assert page.locator("h1").first.is_visible()
    assert reverse("second_factor") not in page.url
