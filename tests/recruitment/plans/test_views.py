"""Plan pages for the county reviewer: plan list, create/edit, detail, numbers ledger and export, reports."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import Event
from branches.models import Domain
from membership.models import MemberStatus
from recruitment.plans import services
from recruitment.plans.models import DevelopmentPlan, FormNumber
from tests.membership.factories import MemberFactory

from .conftest import YEAR, candidate, issue

pytestmark = pytest.mark.django_db


def plan_post(**values) -> dict:
    data = {"year": YEAR, "total_quota": 4, "note": ""}
    data.update(values)
    return data


def test_index_offers_to_make_this_years_plan(client_for, vera, county):
    response = client_for(vera).get(reverse("recruitment_plans:index"))
    assert response.status_code == 200
    assert reverse("recruitment_plans:create", args=[county.pk]) in response.content.decode()


def test_create_a_plan_with_domain_and_township_quotas(client_for, vera, county, town):
    response = client_for(vera).post(
        reverse("recruitment_plans:create", args=[county.pk]),
        plan_post(domain_community=3, domain_rural=1, **{f"township_{town.pk}": 2}, target_woman=2),
    )
    plan = DevelopmentPlan.objects.get(county=county, year=YEAR)
    assert response.status_code == 302
    assert response.url == reverse("recruitment_plans:detail", args=[plan.pk])
    assert plan.domain_quotas == {"community": 3, "rural": 1}
    assert plan.township_quotas == {str(town.pk): 2}
    assert plan.target_group_targets == {"woman": 2}


def test_a_rule_violation_is_shown_on_the_form(client_for, vera, county, town):
    response = client_for(vera).post(reverse("recruitment_plans:create", args=[county.pk]),
                                     plan_post(total_quota=1, domain_community=3))
    assert response.status_code == 200
    assert "分领域名额合计（3 名）超过计划发展总数（1 名）" in response.content.decode()
    assert not DevelopmentPlan.objects.exists()


def test_edit_keeps_the_year_and_changes_the_quota(client_for, vera, plan):
    response = client_for(vera).post(reverse("recruitment_plans:edit", args=[plan.pk]),
                                     plan_post(year=YEAR + 5, total_quota=6, domain_community=4, domain_rural=2))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.year, plan.total_quota, plan.domain_quotas) == (YEAR, 6, {"community": 4, "rural": 2})


def test_detail_shows_the_guideline_and_the_bars(client_for, vera, plan, county, branch_a):
    MemberFactory.create_batch(3, organization=branch_a)
    issue(plan, candidate(county))
    content = client_for(vera).get(reverse("recruitment_plans:detail", args=[plan.pk])).content.decode()
    assert "全县在册党员 <strong>3</strong> 名" in content
    assert "1 / 3 名" in content  # total bar
    assert "社区" in content and "1 / 2 名" in content


def test_ledger_lists_numbers_with_bounded_queries(client_for, vera, plan, county, branch_a,
                                                  django_assert_max_num_queries):
    services.plan_update(acting_user=vera, plan=plan, total_quota=30, domain_quotas={Domain.COMMUNITY: 30})
    for index in range(12):
        issue(plan, candidate(county, f"编号{index:02d}"), organization=branch_a)
    client = client_for(vera)
    client.get(reverse("recruitment_plans:ledger", args=[plan.pk]))  # session warmed up
    with django_assert_max_num_queries(13):  # constant: does not grow with the numbers listed
        response = client.get(reverse("recruitment_plans:ledger", args=[plan.pk]))
    content = response.content.decode()
    assert "C01-2026-0012" in content and "编号11" in content and "东街社区党支部" in content


def test_void_from_the_ledger(client_for, vera, plan, county):
    number = issue(plan, candidate(county))
    response = client_for(vera).post(reverse("recruitment_plans:number_void", args=[number.pk]),
                                     {"reason": "志愿书污损"})
    assert response.status_code == 302
    number.refresh_from_db()
    assert number.is_void and number.void_reason == "志愿书污损"


def test_void_without_reason_shows_the_rule(client_for, vera, plan, county):
    number = issue(plan, candidate(county))
    response = client_for(vera).post(reverse("recruitment_plans:number_void", args=[number.pk]), {"reason": ""},
                                     follow=True)
    assert "请填写作废原因。" in response.content.decode()
    assert not FormNumber.objects.get(pk=number.pk).is_void


def test_export_of_the_ledger_is_an_excel_file_and_audited(client_for, vera, plan, county, branch_a):
    issue(plan, candidate(county, "导出人"), organization=branch_a)
    response = client_for(vera).get(reverse("recruitment_plans:ledger_export", args=[plan.pk]))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    assert sheet["B4"].value == "C01-2026-0001"
    assert sheet["C4"].value == "导出人"
    assert sheet["E4"].value == "东街社区党支部"
    assert Event.objects.filter(action="form_number.export", subject_id=str(plan.pk)).exists()


def test_structure_page_with_chart_data(client_for, vera, county, branch_a, django_assert_max_num_queries):
    MemberFactory(organization=branch_a, joined_on=date(YEAR, 3, 1), status=MemberStatus.PROBATIONARY,
                  full_on=None)
    client = client_for(vera)
    client.get(reverse("recruitment_plans:structure"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("recruitment_plans:structure"), {"year": YEAR})
    content = response.content.decode()
    assert response.status_code == 200
    assert "城关镇党委" in content and "structure-chart-data" in content


def test_stagnant_page(client_for, vera, branch_a, branch_b):
    MemberFactory(organization=branch_a, joined_on=date(2010, 1, 1))
    response = client_for(vera).get(reverse("recruitment_plans:stagnant"), {"years": 3})
    content = response.content.decode()
    assert response.status_code == 200
    assert "东街社区党支部" in content and "西街社区党支部" in content


def test_plan_history_page(client_for, vera, charlie, oscar, plan):
    url = reverse("audit:history", args=["recruitment_plans.developmentplan", plan.pk])
    assert "制定年度发展党员计划" in client_for(vera).get(url).content.decode()
    for user in (charlie, oscar):
        assert client_for(user).get(url).status_code == 404
