"""The main menu: each role sees the sections its grants allow, and the current page is marked."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from branches import services as org_services
from branches.scoping import Role
from partyadmin.navigation import navigation
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _menu(user, path: str = "/") -> dict[str, list[str]]:
    request = RequestFactory().get(path)
    request.user = user
    return {s["label"]: [e["label"] for e in s["entries"]] for s in navigation(request)["nav_sections"]}


def test_secretary_sees_the_branch_work_without_the_county_reports(alice) -> None:
    menu = _menu(alice)
    assert menu["发展党员"] == ["发展党员", "名单预审"]
    assert menu["积分定星"] == ["积分管理", "排名定星"]
    assert "规范化建设" in menu["组织生活"]


def test_county_reviewer_sees_the_plans_and_the_name_lists(county) -> None:
    user = make_user("zoe")
    org_services.grant_role(acting_user=None, user=user, organization=county, role=Role.REVIEWER)
    menu = _menu(user)
    assert menu["发展党员"] == ["发展党员", "发展党员统计", "发展计划", "发展结构", "未发展党员支部", "名单预审"]


def test_township_reviewer_sees_the_statistics_without_the_county_plan(rita) -> None:
    menu = _menu(rita)
    assert menu["发展党员"] == ["发展党员", "发展党员统计", "发展结构", "未发展党员支部"]
    assert menu["一编三定"] == ["一编三定", "一编三定推进"]
    assert menu["积分定星"] == ["积分管理", "排名定星", "星级总览"]


def test_member_sees_only_their_own_pages(branch_a) -> None:
    user = make_user("mei")
    org_services.grant_role(acting_user=None, user=user, organization=branch_a, role=Role.MEMBER)
    menu = _menu(user)
    assert menu["发展党员"] == ["我的入党档案"]
    assert menu["积分定星"] == ["我的积分", "我的星级"]
    assert menu["一编三定"] == ["我的岗位"]
    assert "报送审批" not in menu["监督"]


def test_the_longest_matching_entry_is_the_active_one(rita) -> None:
    request = RequestFactory().get("/points/stars/overview/")
    request.user = rita
    sections = navigation(request)["nav_sections"]
    active = [e["label"] for s in sections for e in s["entries"] if e["active"]]
    assert active == ["星级总览"]
    assert [s["label"] for s in sections if s["active"]] == ["积分定星"]


def test_a_member_without_a_recruitment_file_gets_a_page_not_a_404(branch_a, client_for) -> None:
    user = make_user("mei")
    org_services.grant_role(acting_user=None, user=user, organization=branch_a, role=Role.MEMBER)
    response = client_for(user).get(reverse("recruitment:mine"))
    assert response.status_code == 200
    assert "本系统中没有您的发展党员档案" in response.content.decode()


def test_a_township_reviewer_without_post_lists_stays_on_the_list(rita, client_for) -> None:
    response = client_for(rita).get(reverse("grouping:index"))
    assert response.status_code == 200
    assert "暂无岗位清单" in response.content.decode()
