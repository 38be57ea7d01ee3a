"""Tenant isolation of the plan pages and endpoints (DESIGN §2.1): every role held outside the county department
— in branch B, at the township, in another county — gets 404 for the county's plan, numbers and name lists,
exactly as for a row that does not exist, and never sees them in a list."""

from datetime import date

import pytest
from django.urls import reverse

from branches import services as org_services
from branches.models import Domain
from branches.scoping import Role
from membership.models import MemberStatus
from recruitment.plans import services
from tests.conftest import make_user
from tests.membership.factories import MemberFactory

from .conftest import TODAY, YEAR, candidate, issue

pytestmark = pytest.mark.django_db

SECRET = "欧阳绝密"


@pytest.fixture
def county_data(plan, county, town, branch_a, alice, working_calendar):
    number = issue(plan, candidate(county, SECRET), organization=branch_a)
    name_list = services.name_list_pre_review_submit(acting_user=alice, organization=branch_a, year=YEAR,
                                                     people=[number.person], today=TODAY)
    MemberFactory(organization=branch_a, joined_on=date(YEAR, 2, 1), status=MemberStatus.PROBATIONARY,
                  full_on=None, person__name="新党员甲")
    return plan, number, name_list


def outsiders(branch_b, other_county, town) -> list:
    users = []
    for role in Role:
        for place, organization in (("b", branch_b), ("oc", other_county)):
            user = make_user(f"outsider_{place}_{role.value}")
            org_services.grant_role(acting_user=None, user=user, organization=organization, role=role)
            users.append(user)
    for role in Role:  # a township grant is not a county grant
        user = make_user(f"township_{role.value}")
        org_services.grant_role(acting_user=None, user=user, organization=town, role=role)
        users.append(user)
    return users


def object_requests(county, plan, number, name_list) -> list[tuple[str, str, dict]]:
    return [
        ("get", reverse("recruitment_plans:detail", args=[plan.pk]), {}),
        ("get", reverse("recruitment_plans:edit", args=[plan.pk]), {}),
        ("post", reverse("recruitment_plans:edit", args=[plan.pk]), {"year": YEAR, "total_quota": 99}),
        ("get", reverse("recruitment_plans:ledger", args=[plan.pk]), {}),
        ("get", reverse("recruitment_plans:ledger_export", args=[plan.pk]), {}),
        ("post", reverse("recruitment_plans:number_void", args=[number.pk]), {"reason": "越权作废"}),
        ("get", reverse("recruitment_plans:create", args=[county.pk]), {}),
        ("post", reverse("recruitment_plans:create", args=[county.pk]), {"year": YEAR + 1, "total_quota": 1}),
    ]


def api_requests(county, plan, number, name_list) -> list[tuple[str, str, dict]]:
    return [
        ("get", f"/api/v1/development-plans/{plan.pk}/", {}),
        ("put", f"/api/v1/development-plans/{plan.pk}/", {"total_quota": 99}),
        ("post", "/api/v1/development-plans/", {"county": county.pk, "year": YEAR + 1, "total_quota": 1}),
        ("get", f"/api/v1/form-numbers/{number.pk}/", {}),
        ("get", "/api/v1/form-numbers/", {"plan": plan.pk}),
        ("post", f"/api/v1/form-numbers/{number.pk}/void/", {"reason": "越权作废"}),
        ("post", "/api/v1/form-numbers/", {"plan": plan.pk, "person": number.person_id, "domain": Domain.RURAL}),
        ("get", f"/api/v1/development-plans/{plan.pk}/", {}),
    ]


def test_every_outside_role_gets_404_on_every_plan_page_and_endpoint(
        county_data, county, town, branch_b, other_county, client, api_for):
    plan, number, name_list = county_data
    for user in outsiders(branch_b, other_county, town):
        client.force_login(user)
        for method, url, data in object_requests(county, plan, number, name_list):
            response = getattr(client, method)(url, data)
            assert response.status_code == 404, (user.username, method, url, response.status_code)
        api = api_for(user)
        for method, url, data in api_requests(county, plan, number, name_list):
            response = getattr(api, method)(url, data, format="json") if method != "get" else api.get(url, data)
            assert response.status_code == 404, (user.username, method, url, response.status_code)
    number.refresh_from_db()
    plan.refresh_from_db()
    assert not number.is_void and plan.total_quota == 3


def test_name_list_is_404_outside_its_branch_and_county(county_data, branch_b, other_county, town, client,
                                                       api_for):
    _plan, _number, name_list = county_data
    for user in outsiders(branch_b, other_county, town):
        if user.username.startswith("township_"):
            continue  # the township's officers and reviewers are the list's superiors
        response = api_for(user).get(f"/api/v1/name-lists/{name_list.pk}/")
        assert response.status_code == 404, user.username


@pytest.mark.parametrize("name", ["charlie", "oscar", "rita", "alice", "bob"])
def test_named_outsiders_of_the_plan(county_data, county, name, request, client_for, api_for):
    plan, number, name_list = county_data
    user = request.getfixturevalue(name)
    client = client_for(user)
    for method, url, data in object_requests(county, plan, number, name_list):
        assert getattr(client, method)(url, data).status_code == 404, (name, url)
    index = client.get(reverse("recruitment_plans:index"))
    assert index.status_code == 404 or county.name not in index.content.decode()  # oscar: his own county only
    api = api_for(user)
    assert api.get("/api/v1/development-plans/").json()["results"] == []
    assert api.get("/api/v1/form-numbers/").json()["results"] == []
    assert api.get("/api/v1/plan-quota-use/", {"year": YEAR}).json() == []


def test_lists_and_reports_never_show_the_countys_rows(county_data, county, branch_b, other_county, town, client,
                                                       api_for):
    for user in outsiders(branch_b, other_county, town):
        if user.username.startswith("township_"):
            continue
        client.force_login(user)
        for url in (reverse("recruitment_plans:index"), reverse("recruitment_plans:structure"),
                    reverse("recruitment_plans:stagnant")):
            response = client.get(url, {"county": county.pk, "year": YEAR})
            assert response.status_code in (200, 404), (user.username, url)
            content = response.content.decode()
            assert SECRET not in content and "东街社区党支部" not in content, (user.username, url)
        api = api_for(user)
        for url in ("/api/v1/development-plans/", "/api/v1/form-numbers/", "/api/v1/name-lists/"):
            assert api.get(url).json()["results"] == [], (user.username, url)
        stagnant = api.get("/api/v1/stagnant-branches/").json()["results"]
        assert "东街社区党支部" not in {row["name"] for row in stagnant}, user.username
        report = api.get("/api/v1/plan-structure/", {"county": county.pk, "year": YEAR})
        assert report.status_code == 404 or report.json()["total"]["total"] == 0, user.username
        assert api.get("/api/v1/plan-quota-use/", {"year": YEAR}).json() == []


def test_the_county_reviewer_sees_everything(county_data, county, vera, client_for):
    plan, number, _name_list = county_data
    client = client_for(vera)
    for method, url, _data in object_requests(county, plan, number, None)[:2]:
        assert getattr(client, method)(url).status_code == 200
    assert SECRET in client.get(reverse("recruitment_plans:ledger", args=[plan.pk])).content.decode()
