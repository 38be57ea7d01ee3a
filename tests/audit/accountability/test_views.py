"""Accountability pages: reviewers only; branch officers and other counties get 404."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from audit.accountability import services
from audit.accountability.models import AccountabilityCase, CaseStatus
from partyadmin.workdays import china_today

pytestmark = pytest.mark.django_db


def object_pages(case) -> list[tuple[str, str, dict]]:
    return [
        ("get", reverse("audit:accountability:detail", args=[case.pk]), {}),
        ("post", reverse("audit:accountability:add_party", args=[case.pk]), {"role": "introducer", "name": "张某"}),
        ("post", reverse("audit:accountability:extend", args=[case.pk]), {"until": "2024-04-01", "reason": "特殊"}),
        ("post", reverse("audit:accountability:close", args=[case.pk]), {"outcome": "criticism"}),
        ("get", reverse("audit:history", args=["accountability.accountabilitycase", case.pk]), {}),
    ]


@pytest.mark.parametrize("outsider", ["alice", "bob", "charlie", "oscar"])
def test_outsider_gets_404_on_every_case_page(request, client_for, case, outsider):
    client = client_for(request.getfixturevalue(outsider))
    for method, url, data in object_pages(case):
        assert getattr(client, method)(url, data).status_code == 404, (outsider, url)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and not case.parties.exists()


@pytest.mark.parametrize("outsider", ["alice", "bob", "charlie"])
def test_branch_officers_get_404_on_the_list_and_create_pages(request, client_for, case, outsider):
    client = client_for(request.getfixturevalue(outsider))
    assert client.get(reverse("audit:accountability:list")).status_code == 404
    assert client.get(reverse("audit:accountability:create")).status_code == 404


def test_other_county_reviewer_sees_an_empty_list(client_for, case, oscar):
    response = client_for(oscar).get(reverse("audit:accountability:list"))
    assert response.status_code == 200 and case.subject_label not in response.content.decode()


def test_dashboard_of_other_county_never_shows_the_case(client_for, case, oscar):
    content = client_for(oscar).get(reverse("audit:filings:dashboard")).content.decode()
    assert case.subject_label not in content


def test_reviewer_sees_overdue_cases_first(client_for, rita, branch_a, case):
    today = china_today()
    late = services.case_open(acting_user=rita, organization=branch_a, subject_label="早已超期的案件",
                              violation_type="time_limits", description="超过审批时限",
                              discovered_on=today - timedelta(days=60), today=today)
    fresh = services.case_open(acting_user=rita, organization=branch_a, subject_label="新发现的案件",
                               violation_type="standards", description="不坚持标准", discovered_on=today, today=today)
    content = client_for(rita).get(reverse("audit:accountability:list")).content.decode()
    assert content.index(late.subject_label) < content.index(fresh.subject_label)
    assert "已超期" in content


def test_list_queries_are_bounded(client_for, rita, branch_a, django_assert_max_num_queries):
    for n in range(25):
        services.case_open(acting_user=rita, organization=branch_a, subject_label=f"案件{n}", violation_type="other",
                           description="描述", discovered_on=date(2024, 1, 1), today=date(2024, 1, 2))
    client = client_for(rita)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("audit:accountability:list")).status_code == 200


def test_reviewer_opens_a_case_through_the_form(client_for, rita, branch_a):
    response = client_for(rita).post(reverse("audit:accountability:create"), {
        "organization": branch_a.pk, "subject_label": "李某某接收预备党员（第17步）", "violation_type": "time_limits",
        "description": "超过审批时限", "discovered_on": china_today().isoformat(),
    })
    case = AccountabilityCase.objects.get()
    assert response.status_code == 302 and response.url == reverse("audit:accountability:detail", args=[case.pk])


def test_township_reviewer_may_not_extend(client_for, case, rita):
    """seed 000: extension "经县（市、区）…组织部门同意": a township reviewer cannot grant it."""
    client = client_for(rita)
    assert "同意延长" not in client.get(reverse("audit:accountability:detail", args=[case.pk])).content.decode()
    response = client.post(reverse("audit:accountability:extend", args=[case.pk]), {"until": "2024-04-01",
                                                                                   "reason": "特殊"})
    assert response.status_code == 403


def test_county_reviewer_extension_beyond_three_months_shows_the_rule(client_for, case, cora):
    client = client_for(cora)
    response = client.post(reverse("audit:accountability:extend", args=[case.pk]), {"until": "2024-05-01",
                                                                                   "reason": "特殊"})
    assert response.status_code == 200 and "最长不得超过3个月" in response.content.decode()
    client.post(reverse("audit:accountability:extend", args=[case.pk]), {"until": "2024-04-30", "reason": "特殊"})
    case.refresh_from_db()
    assert case.extended_until == date(2024, 4, 30)


def test_close_through_the_form(client_for, case, rita):
    client = client_for(rita)
    client.post(reverse("audit:accountability:add_party", args=[case.pk]), {"role": "contact_person", "name": "赵某"})
    response = client.post(reverse("audit:accountability:close", args=[case.pk]), {
        "outcome": "admonition_talk", "outcome_note": "诫勉谈话", "admission_not_recognized": "on",
        "announced_on": "2024-02-20",
    })
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.parties.get().name == "赵某"
    page = client.get(reverse("audit:accountability:detail", args=[case.pk])).content.decode()
    assert "不予承认" in page and "诫勉谈话" in page


def test_dashboard_counts_overdue_cases(client_for, case, cora):
    response = client_for(cora).get(reverse("audit:filings:dashboard"))
    cases = response.context["cases"]
    assert (cases.open, cases.overdue, cases.closed) == (1, 1, 0)
    assert case.subject_label in response.content.decode()


def test_reviewer_reads_the_case_history(client_for, case, rita):
    response = client_for(rita).get(reverse("audit:history", args=["accountability.accountabilitycase", case.pk]))
    assert response.status_code == 200 and "accountability.open" in response.content.decode()
