"""Reads: quota use, the structure of admissions, stagnant branches, and who sees them."""

from datetime import date

import pytest

from branches.models import Domain, OrganizationKind
from membership.models import Education, Gender, MemberStatus
from recruitment.plans import selectors, services
from recruitment.plans.models import TargetGroup
from tests.conftest import make_org
from tests.membership.factories import MemberFactory

from .conftest import TODAY, YEAR, candidate, issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def east_town(county):
    return make_org(county, "河东镇党委", "C01T02", OrganizationKind.COMMITTEE, domain=Domain.RURAL,
                    can_approve_admission=True)


@pytest.fixture
def east_village(east_town):
    return make_org(east_town, "河东村党支部", "C01T02B01", OrganizationKind.BRANCH, domain=Domain.RURAL)


def new_member(branch, *, joined_on=date(YEAR, 3, 1), gender=Gender.MALE, birth_date=date(1998, 5, 1),
               education=Education.BACHELOR, name=""):
    extra = {"person__name": name} if name else {}
    return MemberFactory(organization=branch, joined_on=joined_on, status=MemberStatus.PROBATIONARY, full_on=None,
                         person__gender=gender, person__birth_date=birth_date, person__education=education, **extra)


# --- quota use ------------------------------------------------------------------------------------

def test_quota_use_per_domain_and_township(county, town, branch_a, east_town, east_village, vera,
                                           django_assert_max_num_queries):
    plan = services.plan_create(acting_user=vera, county=county, year=YEAR, total_quota=10,
                                domain_quotas={Domain.COMMUNITY: 4, Domain.RURAL: 6},
                                township_quotas={str(town.pk): 4, str(east_town.pk): 6})
    issue(plan, candidate(county), Domain.COMMUNITY, organization=branch_a)
    issue(plan, candidate(county), Domain.RURAL, organization=east_village)
    voided = issue(plan, candidate(county), Domain.RURAL, organization=east_village)
    services.form_number_void(acting_user=vera, form_number=voided, reason="未被接收")

    with django_assert_max_num_queries(4):
        [use] = selectors.quota_use(user=vera, year=YEAR)

    assert (use.total.quota, use.total.issued, use.voided) == (10, 2, 1)
    assert {(b.key, b.quota, b.issued) for b in use.by_domain} == {("community", 4, 1), ("rural", 6, 1)}
    assert {(b.label, b.quota, b.issued) for b in use.by_township} == {("城关镇党委", 4, 1), ("河东镇党委", 6, 1)}


def test_quota_use_is_for_county_reviewers_only(plan, rita, alice, oscar):
    assert selectors.quota_use(user=rita, year=YEAR) == []
    assert selectors.quota_use(user=alice, year=YEAR) == []
    assert selectors.quota_use(user=oscar, year=YEAR) == []


def test_plan_scope_is_a_reviewer_grant_on_the_county_or_above(county, plan, vera, rita, alice, oscar):
    assert selectors.may_manage_plans(user=vera, county=county)
    for user in (rita, alice, oscar):
        assert not selectors.may_manage_plans(user=user, county=county)
        assert not selectors.plan_list(user=user).exists()


# --- structure ------------------------------------------------------------------------------------

def test_structure_report_counts_admissions_of_the_year_per_township(
        county, town, branch_a, east_village, vera, django_assert_max_num_queries):
    """Seed 000 一(二): "注重从产业工人、青年农民、外出务工返乡人员、转业退伍军人、高知识群体……中发展党员"."""
    woman = new_member(branch_a, gender=Gender.FEMALE, birth_date=date(2000, 1, 1), education=Education.COLLEGE)
    new_member(branch_a, birth_date=date(1980, 1, 1), education=Education.GRADUATE)
    farmer = new_member(east_village, birth_date=date(1995, 1, 1), education=Education.SECONDARY)
    new_member(branch_a, joined_on=date(YEAR - 1, 6, 1))  # another year
    services.person_target_groups_set(acting_user=None, person=farmer.person,
                                      groups=[TargetGroup.YOUNG_FARMER, TargetGroup.RETURNING_MIGRANT])
    services.person_target_groups_set(acting_user=None, person=woman.person, groups=[TargetGroup.INTELLECTUAL])

    with django_assert_max_num_queries(4):  # grants, the one aggregate, township names, the plan
        report = selectors.structure_report(user=vera, county=county, year=YEAR)

    rows = {row.label: row for row in report.rows}
    assert set(rows) == {"城关镇党委", "河东镇党委"}
    city, east = rows["城关镇党委"], rows["河东镇党委"]
    assert (city.total, city.values["female"], city.values["male"]) == (2, 1, 1)
    assert city.values["age_upto25"] == 0
    assert city.values["age_26_35"] == 1  # born 2000: 26 in 2026
    assert city.values["age_46_55"] == 1  # born 1980: 46 in 2026
    assert city.values["edu_graduate"] == 1 and city.values["edu_college"] == 1
    assert city.values["tg_intellectual"] == 1
    assert (east.total, east.values["tg_young_farmer"], east.values["tg_returning_migrant"]) == (1, 1, 1)
    assert report.total.total == 3


def test_structure_report_of_a_township_reviewer_shows_only_the_township(county, branch_a, east_village, rita):
    new_member(branch_a)
    new_member(east_village)
    report = selectors.structure_report(user=rita, county=county, year=YEAR)
    assert [row.label for row in report.rows] == ["城关镇党委"]


def test_age_bands_follow_the_age_reached_in_the_year():
    from recruitment.plans import rules

    assert rules.age_band(birth_year=2001, year=2026) == "upto25"
    assert rules.age_band(birth_year=2000, year=2026) == "26_35"
    assert rules.age_band(birth_year=1970, year=2026) == "56up"
    assert rules.birth_year_range(year=2026, low=26, high=35) == (1991, 2000)


# --- stagnant branches ----------------------------------------------------------------------------

def test_branches_without_a_new_member_for_three_years(county, branch_a, branch_b, east_village, vera,
                                                      django_assert_max_num_queries):
    """Seed 000 一(二): "特别是要把连续3年以上未发展党员的基层党组织列入重点对象"."""
    MemberFactory(organization=branch_a, joined_on=date(2024, 1, 10))  # recent: not stagnant
    MemberFactory(organization=branch_b, joined_on=date(2019, 5, 1))  # 7 years ago
    # east_village: never a member on record

    with django_assert_max_num_queries(2):  # the user's grants, then the branches
        rows = list(selectors.stagnant_branches(user=vera, today=TODAY))

    assert [(row.name, row.last_joined, row.township_name) for row in rows] == [
        ("河东村党支部", None, "河东镇党委"), ("西街社区党支部", date(2019, 5, 1), "城关镇党委")]
    assert rows[1].member_count == 1


def test_the_boundary_is_three_years_to_the_day(county, branch_a, vera):
    MemberFactory(organization=branch_a, joined_on=date(2023, 6, 15))
    assert not selectors.stagnant_branches(user=vera, today=TODAY).filter(pk=branch_a.pk).exists()
    assert selectors.stagnant_branches(user=vera, today=date(2026, 6, 16)).filter(pk=branch_a.pk).exists()


def test_stagnant_branches_are_scoped_to_reviewer_grants(county, branch_a, branch_b, alice, charlie, oscar, rita):
    assert {row.pk for row in selectors.stagnant_branches(user=rita, today=TODAY)} == {branch_a.pk, branch_b.pk}
    for user in (alice, charlie, oscar):
        assert not selectors.stagnant_branches(user=user, today=TODAY).exists()
