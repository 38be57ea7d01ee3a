"""The plan demo: built on top of `seed_demo`, idempotent (a second run creates nothing and records no event)."""

from datetime import date

import pytest

from audit.models import Event
from branches.models import Domain, Organization, OrganizationKind
from partyadmin import demo_recruitment_plans
from partyadmin.demo_data import seed_demo
from partyadmin.demo_oversight import demo_today
from recruitment.plans import selectors, services
from recruitment.plans.models import DevelopmentPlan, FormNumber, NameList, NameListStatus
from tests.conftest import make_org

from .conftest import candidate

pytestmark = pytest.mark.django_db


def test_demo_plan_is_built_once(working_calendar):
    seed_demo()
    organizations = {org.code: org for org in Organization.objects.all()}
    demo_recruitment_plans.build(organizations, demo_today())
    counts = (DevelopmentPlan.objects.count(), FormNumber.objects.count(), NameList.objects.count(),
              Event.objects.count())

    demo_recruitment_plans.build(organizations, demo_today())

    assert (DevelopmentPlan.objects.count(), FormNumber.objects.count(), NameList.objects.count(),
            Event.objects.count()) == counts
    plan = DevelopmentPlan.objects.get(county__code="DEMO", year=2026)
    assert plan.domain_quotas["rural"] >= 5 and plan.township_quotas
    numbered = FormNumber.objects.filter(person__name__in=demo_recruitment_plans.NUMBERED, year=2026)
    assert numbered.filter(voided_on__isnull=True).count() == 4
    assert list(numbered.filter(voided_on__isnull=False).values_list("person__name", flat=True)) == ["王晓梅"]
    assert all(number.startswith("DEMO-2026-") for number in numbered.values_list("number", flat=True))
    approved = NameList.objects.get(organization__code="DEMO-HK", status=NameListStatus.APPROVED)
    person = approved.entries.first().person
    assert selectors.pre_review_passed(person_id=person.pk, year=2026)
    assert NameList.objects.filter(organization__code="DEMO-QS", status=NameListStatus.PENDING).count() == 1


def test_demo_divides_a_plan_made_without_divisions(county, vera):
    """Another demo may have made the year's plan first, undivided: it is divided, never below its numbers."""
    organizations = {code: make_org(county, code, code, OrganizationKind.COMMITTEE)
                     for code in demo_recruitment_plans.TOWNSHIP_QUOTAS}
    plan = services.plan_create(acting_user=vera, county=county, year=2026, total_quota=12)
    for _ in range(4):
        services.form_number_issue(acting_user=vera, county=county, year=2026, person=candidate(county),
                                   domain=Domain.COMMUNITY, today=date(2026, 5, 1))

    demo_recruitment_plans._plan(county, organizations, vera)

    plan.refresh_from_db()
    assert plan.domain_quotas["community"] == 4 and plan.domain_quotas["rural"] == 5
    assert plan.total_quota == 13  # the divisions add up to more than 12 once community keeps its 4
    assert plan.township_quotas == {str(organizations[code].pk): n
                                    for code, n in demo_recruitment_plans.TOWNSHIP_QUOTAS.items()}
