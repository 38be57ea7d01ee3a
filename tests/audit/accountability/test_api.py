"""`/api/v1/accountability-cases/`: reviewers only; 404 out of scope; 409 for rules."""

import pytest

from audit.accountability.models import AccountabilityCase

pytestmark = pytest.mark.django_db

BASE = "/api/v1/accountability-cases/"


def endpoints(case) -> list[tuple[str, str, dict]]:
    return [
        ("get", f"{BASE}{case.pk}/", {}),
        ("post", f"{BASE}{case.pk}/parties/", {"role": "introducer", "name": "张某"}),
        ("post", f"{BASE}{case.pk}/extend/", {"until": "2024-04-01", "reason": "特殊"}),
        ("post", f"{BASE}{case.pk}/close/", {"outcome": "criticism"}),
    ]


@pytest.mark.parametrize("outsider", ["alice", "bob", "charlie", "oscar"])
def test_outsider_gets_404_on_every_endpoint(request, api_for, case, outsider):
    api = api_for(request.getfixturevalue(outsider))
    for method, url, data in endpoints(case):
        assert getattr(api, method)(url, data, format="json").status_code == 404, (outsider, url)
    assert api.get(BASE).json()["count"] == 0


def test_create_list_and_detail(api_for, rita, branch_a):
    api = api_for(rita)
    response = api.post(BASE, {"organization": branch_a.pk, "subject_label": "第7步", "violation_type": "procedure",
                               "description": "未履行程序", "discovered_on": "2024-01-31"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["due_on"] == "2024-03-01"
    assert api.get(BASE).json()["count"] == 1


def test_create_in_a_foreign_organization_is_a_field_error(api_for, oscar, branch_a):
    response = api_for(oscar).post(BASE, {"organization": branch_a.pk, "subject_label": "x", "violation_type": "other",
                                          "description": "x", "discovered_on": "2024-01-31"}, format="json")
    assert response.status_code == 400 and "organization" in response.json()
    assert not AccountabilityCase.objects.exists()


def test_extend_beyond_three_months_is_409(api_for, case, cora):
    """seed 000 二(三)3(4): "最长不得超过3个月"."""
    response = api_for(cora).post(f"{BASE}{case.pk}/extend/", {"until": "2024-05-01", "reason": "特殊"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "case.extension_too_long"


def test_extend_by_township_reviewer_is_403(api_for, case, rita):
    response = api_for(rita).post(f"{BASE}{case.pk}/extend/", {"until": "2024-04-01", "reason": "特殊"}, format="json")
    assert response.status_code == 403


def test_parties_and_close(api_for, case, rita):
    api = api_for(rita)
    assert api.post(f"{BASE}{case.pk}/parties/", {"role": "approver", "name": "城关镇党委"},
                    format="json").status_code == 200
    closed = api.post(f"{BASE}{case.pk}/close/", {"outcome": "criticism"}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert [p["role"] for p in closed.json()["parties"]] == ["approver"]
    again = api.post(f"{BASE}{case.pk}/close/", {"outcome": "criticism"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "case.closed"


def test_list_queries_are_bounded(api_for, rita, branch_a, django_assert_max_num_queries):
    from datetime import date

    from audit.accountability import services

    for n in range(20):
        services.case_open(acting_user=rita, organization=branch_a, subject_label=f"案件{n}", violation_type="other",
                           description="描述", discovered_on=date(2024, 1, 1), today=date(2024, 1, 2))
    with django_assert_max_num_queries(8):
        assert api_for(rita).get(BASE).json()["count"] == 20
