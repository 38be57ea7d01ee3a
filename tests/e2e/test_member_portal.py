"""A member on a 375-px phone: own record with the panels of meetings, dues and notices (real browser)."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from branches import services as org_services
from branches.scoping import Role
from tests.conftest import PASSWORD, make_user
from tests.membership.factories import MemberFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", "test-artifacts"))
PHONE = {"width": 375, "height": 740}


def test_member_sees_own_record_and_panels_on_a_phone(page, live_server, branch_a, alice):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    member = MemberFactory(organization=branch_a)
    other = MemberFactory(organization=branch_a)
    user = make_user("meimei")
    org_services.grant_role(acting_user=None, user=user, organization=branch_a, role=Role.MEMBER)
    member.person.user = user
    member.person.save(update_fields=["user"])

    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", "meimei")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")

    assert page.url.endswith(reverse("membership:me"))
    for title in ("我的组织生活", "我的党费", "支部公示"):
        assert page.locator(".card-header", has_text=title).first.is_visible()
    body = page.content()
    raw = member.person.id_number
    assert raw not in body and raw[:3] + "*" * 11 + raw[-4:] in body
    assert other.person.name not in body
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(ARTIFACTS / "member-portal-phone.png"), full_page=True)

    response = page.goto(live_server.url + reverse("membership:detail", args=[other.pk]))
    assert response.status == 404  # a member sees only their own record
