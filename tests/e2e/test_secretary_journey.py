"""A branch secretary in a real browser (Playwright driving Debian's Chromium)."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.membership.factories import MemberFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", "test-artifacts"))


@pytest.fixture
def shots() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def login(page, live_server, username: str) -> None:
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_secretary_logs_in_and_opens_tree_and_member_list(page, live_server, alice, branch_a, branch_b, shots):
    ours = MemberFactory.create_batch(3, organization=branch_a)
    theirs = MemberFactory(organization=branch_b)
    login(page, live_server, "alice")
    assert page.url.rstrip("/") == live_server.url  # landed on the home dashboard

    page.goto(live_server.url + reverse("branches:tree"))
    assert page.get_by_role("link", name=branch_a.name).first.is_visible()
    assert page.get_by_text(branch_b.name).count() == 0
    page.screenshot(path=str(shots / "secretary-tree.png"), full_page=True)

    page.goto(live_server.url + reverse("membership:list"))
    assert page.get_by_role("heading", name="党员名册").is_visible()
    for member in ours:
        assert page.get_by_role("link", name=member.person.name).count() == 1
    assert page.get_by_text(theirs.person.name).count() == 0
    page.screenshot(path=str(shots / "secretary-members.png"), full_page=True)

    page.get_by_role("link", name=ours[0].person.name).click()
    page.wait_for_load_state("networkidle")
    raw = ours[0].person.id_number
    body = page.content()
    assert raw not in body and raw[:3] + "*" * 11 + raw[-4:] in body
    page.screenshot(path=str(shots / "secretary-member-detail.png"), full_page=True)


def test_member_list_fits_a_phone(page, live_server, alice, branch_a, shots):
    MemberFactory.create_batch(5, organization=branch_a)
    page.set_viewport_size({"width": 375, "height": 740})
    login(page, live_server, "alice")
    page.goto(live_server.url + reverse("membership:list"))
    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=str(shots / "secretary-members-phone.png"), full_page=True)
    assert width <= 375
