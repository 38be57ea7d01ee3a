"""The plan API: the same services and scoping as the pages; 409 with the rule's message."""

from datetime import date

import pytest

from audit.filings.models import FilingKind
from branches.models import Domain
from membership.models import MemberStatus
from recruitment.plans.models import DevelopmentPlan, NameList
from tests.membership.factories import MemberFactory

from .conftest import YEAR, candidate, issue

pytestmark = pytest.mark.django_db


def test_create_and_update_a_plan(api_for, vera, county, town):
    api = api_for(vera)
    response = api.post("/api/v1/development-plans/", {
        "county": county.pk, "year": YEAR, "total_quota": 5, "domain_quotas": {"rural": 2, "community": 3},
        "township_quotas": {str(town.pk): 5}, "note": "年初计划"}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    response = api.put(f"/api/v1/development-plans/{pk}/", {"total_quota": 6, "domain_quotas": {"rural": 3}},
                       format="json")
    assert response.status_code == 200
    assert DevelopmentPlan.objects.get(pk=pk).domain_quotas == {"rural": 3}
    assert [row["id"] for row in api.get("/api/v1/development-plans/", {"year": YEAR}).json()["results"]] == [pk]


def test_issue_until_the_quota_then_409(api_for, vera, plan, county, branch_a):
    api = api_for(vera)
    for domain in (Domain.COMMUNITY, Domain.COMMUNITY, Domain.RURAL):
        response = api.post("/api/v1/form-numbers/", {
            "plan": plan.pk, "person": candidate(county).pk, "domain": domain, "organization": branch_a.pk,
            "target_groups": ["veteran"]}, format="json")
        assert response.status_code == 201, response.content
    assert response.json()["number"] == "C01-2026-0003"
    response = api.post("/api/v1/form-numbers/", {"plan": plan.pk, "person": candidate(county).pk,
                                                  "domain": Domain.RURAL}, format="json")
    assert response.status_code == 409
    assert response.json() == {"code": "form_number.quota_exhausted",
                               "detail": "本年度发展党员计划名额（3 名）已用完，不能再发放入党志愿书编号。"}


def test_void_a_number(api_for, vera, plan, county):
    number = issue(plan, candidate(county))
    api = api_for(vera)
    response = api.post(f"/api/v1/form-numbers/{number.pk}/void/", {"reason": "志愿书污损"}, format="json")
    assert response.status_code == 200
    assert response.json()["is_void"] is True
    response = api.post(f"/api/v1/form-numbers/{number.pk}/void/", {"reason": "再次作废"}, format="json")
    assert response.status_code == 409


def test_list_numbers_and_quota_use(api_for, vera, plan, county):
    issue(plan, candidate(county, "列表人"))
    api = api_for(vera)
    rows = api.get("/api/v1/form-numbers/", {"plan": plan.pk}).json()["results"]
    assert [(row["number"], row["person_name"]) for row in rows] == [("C01-2026-0001", "列表人")]
    [use] = api.get("/api/v1/plan-quota-use/", {"year": YEAR}).json()
    assert use["total"] == {"key": "total", "label": "合计", "quota": 3, "issued": 1, "left": 2}


def test_submit_a_name_list(api_for, alice, branch_a, county, working_calendar):
    people = [candidate(county).pk, candidate(county).pk]
    response = api_for(alice).post("/api/v1/name-lists/", {"organization": branch_a.pk, "year": YEAR,
                                                           "people": people, "note": "请预审"}, format="json")
    assert response.status_code == 201, response.content
    name_list = NameList.objects.get(pk=response.json()["id"])
    assert name_list.filing.kind == FilingKind.PRE_REVIEW and name_list.filing.to_organization == county
    assert len(response.json()["people"]) == 2


def test_name_list_needs_the_right_to_change_members(api_for, rita, town, county):
    response = api_for(rita).post("/api/v1/name-lists/", {"organization": town.pk, "year": YEAR,
                                                          "people": [candidate(county).pk]}, format="json")
    assert response.status_code == 403


def test_structure_and_stagnant(api_for, vera, county, branch_a, branch_b):
    MemberFactory(organization=branch_a, joined_on=date(YEAR, 2, 1), status=MemberStatus.PROBATIONARY,
                  full_on=None)
    api = api_for(vera)
    report = api.get("/api/v1/plan-structure/", {"county": county.pk, "year": YEAR}).json()
    assert report["total"]["total"] == 1 and report["rows"][0]["township"] == "城关镇党委"
    names = [row["name"] for row in api.get("/api/v1/stagnant-branches/", {"years": 3}).json()["results"]]
    assert names == ["西街社区党支部"]
