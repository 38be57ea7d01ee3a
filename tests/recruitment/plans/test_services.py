"""The plan, 入党志愿书 numbering against it, and the name-list pre-review (services)."""

import pytest
from django.db import IntegrityError

from audit.filings.models import FilingKind, FilingStatus
from audit.filings.services import filing_decide
from audit.models import Event
from branches.models import Domain, OrganizationKind
from branches.services import policy_set
from partyadmin.errors import RuleViolation
from recruitment.plans import selectors, services
from recruitment.plans.models import FormNumber, NameListStatus, PersonTargetGroup, TargetGroup
from recruitment.plans.policies import PRE_REVIEW_REQUIRED
from tests.conftest import make_org

from .conftest import TODAY, YEAR, candidate, issue

pytestmark = pytest.mark.django_db


# --- the plan -------------------------------------------------------------------------------------

def test_plan_create_is_audited(plan, vera):
    event = Event.objects.get(action="development_plan.create", subject_id=str(plan.pk))
    assert event.actor_id == vera.pk
    assert event.changes["total_quota"] == [None, 3]


def test_one_plan_per_county_and_year(plan, vera, county):
    with pytest.raises(RuleViolation) as error:
        services.plan_create(acting_user=vera, county=county, year=YEAR, total_quota=5)
    assert error.value.code == "plan.exists"


def test_plan_is_made_by_a_county_department(town, vera):
    with pytest.raises(RuleViolation) as error:
        services.plan_create(acting_user=vera, county=town, year=YEAR, total_quota=5)
    assert error.value.code == "plan.not_county"


def test_domain_quotas_cannot_exceed_the_total(county, vera):
    with pytest.raises(RuleViolation) as error:
        services.plan_create(acting_user=vera, county=county, year=YEAR, total_quota=3,
                             domain_quotas={Domain.RURAL: 2, Domain.COMMUNITY: 2})
    assert error.value.code == "plan.domains_exceed_total"
    assert "超过计划发展总数" in error.value.message


def test_township_quota_only_for_the_countys_townships(county, other_county, vera):
    foreign = make_org(other_county, "邻县某镇党委", "C02T01", OrganizationKind.COMMITTEE)
    with pytest.raises(RuleViolation) as error:
        services.plan_create(acting_user=vera, county=county, year=YEAR, total_quota=3,
                             township_quotas={str(foreign.pk): 1})
    assert error.value.code == "plan.township_unknown"


def test_plan_update_cannot_go_below_issued_numbers(plan, county, vera):
    issue(plan, candidate(county))
    issue(plan, candidate(county))
    with pytest.raises(RuleViolation) as error:
        services.plan_update(acting_user=vera, plan=plan, total_quota=1)
    assert error.value.code == "plan.below_issued"
    with pytest.raises(RuleViolation) as error:
        services.plan_update(acting_user=vera, plan=plan, total_quota=5,
                             domain_quotas={Domain.COMMUNITY: 1, Domain.RURAL: 1})
    assert error.value.code == "plan.domain_below_issued"


def test_plan_update_records_only_changes(plan, vera):
    services.plan_update(acting_user=vera, plan=plan, total_quota=4,
                         domain_quotas={Domain.COMMUNITY: 2, Domain.RURAL: 1}, note="年中调整")
    event = Event.objects.get(action="development_plan.update")
    assert event.changes == {"total_quota": [3, 4], "note": ["", "年中调整"]}
    plan.refresh_from_db()
    assert plan.total_quota == 4


# --- numbering ------------------------------------------------------------------------------------

def test_numbers_are_sequential_per_county_and_year(plan, county, vera):
    """Seed 003 item 11: "实行入党志愿书编码管理制度，对党员队伍实行总量调控"."""
    first = issue(plan, candidate(county), user=vera)
    second = issue(plan, candidate(county))
    assert (first.number, second.number) == ("C01-2026-0001", "C01-2026-0002")
    assert Event.objects.filter(action="form_number.issue").count() == 2


def test_sequence_restarts_each_year_and_county(plan, county, other_county, vera):
    issue(plan, candidate(county))
    next_year = services.plan_create(acting_user=vera, county=county, year=YEAR + 1, total_quota=2)
    other = services.plan_create(acting_user=None, county=other_county, year=YEAR, total_quota=2)
    assert issue(next_year, candidate(county)).number == "C01-2027-0001"
    assert issue(other, candidate(other_county)).number == "C02-2026-0001"


def test_last_place_is_issued_and_the_next_is_refused(plan, county):
    """Seed 000 二(二)5: "市委组织部按照年度党员发展计划和发展对象名单，编号后发放《入党志愿书》"."""
    issue(plan, candidate(county), Domain.COMMUNITY)
    issue(plan, candidate(county), Domain.COMMUNITY)
    last = issue(plan, candidate(county), Domain.RURAL)
    assert last.number == "C01-2026-0003"
    with pytest.raises(RuleViolation) as error:
        issue(plan, candidate(county), Domain.RURAL)
    assert error.value.code == "form_number.quota_exhausted"
    assert error.value.message == "本年度发展党员计划名额（3 名）已用完，不能再发放入党志愿书编号。"
    assert FormNumber.objects.count() == 3


def test_domain_quota_is_enforced(plan, county):
    """Seed 003 item 11: "分领域、分行业、分类别研究制定年度计划"."""
    issue(plan, candidate(county), Domain.RURAL)
    with pytest.raises(RuleViolation) as error:
        issue(plan, candidate(county), Domain.RURAL)
    assert error.value.code == "form_number.domain_quota_exhausted"
    assert error.value.message == "“农村”领域本年度计划名额（1 名）已用完，不能再发放入党志愿书编号。"


def test_domain_without_places_is_refused(plan, county):
    with pytest.raises(RuleViolation) as error:
        issue(plan, candidate(county), Domain.SOE)
    assert error.value.code == "form_number.domain_not_planned"


def test_plan_without_domain_quotas_accepts_any_domain(county, vera):
    plan = services.plan_create(acting_user=vera, county=county, year=YEAR, total_quota=1)
    assert issue(plan, candidate(county), Domain.SOE).domain == Domain.SOE


def test_township_quota_is_enforced_when_the_branch_is_known(county, town, branch_a, vera):
    plan = services.plan_create(acting_user=vera, county=county, year=YEAR, total_quota=5,
                                township_quotas={str(town.pk): 1})
    first = issue(plan, candidate(county), organization=branch_a)
    assert first.township == town
    with pytest.raises(RuleViolation) as error:
        issue(plan, candidate(county), organization=branch_a)
    assert error.value.code == "form_number.township_quota_exhausted"
    assert "城关镇党委本年度计划名额（1 名）已用完" in error.value.message


def test_a_person_gets_one_number_a_year(plan, county):
    person = candidate(county, "王一次")
    number = issue(plan, person)
    with pytest.raises(RuleViolation) as error:
        issue(plan, person)
    assert error.value.code == "form_number.already_issued"
    assert error.value.message == f"王一次本年度已有入党志愿书编号 {number.number}，每人每年只能编号一次。"


def test_a_valid_number_of_an_earlier_year_must_be_voided_first(plan, county, vera):
    person = candidate(county, "跨年度")
    old = issue(plan, person)
    next_year = services.plan_create(acting_user=vera, county=county, year=YEAR + 1, total_quota=2)
    with pytest.raises(RuleViolation) as error:
        issue(next_year, person)
    assert error.value.message == f"跨年度已有2026年入党志愿书编号 {old.number}，如需重新编号，请先作废原编号。"
    services.form_number_void(acting_user=vera, form_number=old, reason="本年度未能接收，次年重新编号")
    assert issue(next_year, person).number == "C01-2027-0001"


def test_the_database_refuses_a_second_valid_number_for_a_person(plan, county):
    person = candidate(county)
    number = issue(plan, person)
    with pytest.raises(IntegrityError):
        FormNumber.objects.create(plan=plan, county=county, year=YEAR, seq=99, number="C01-2026-0099",
                                  person=person, domain=number.domain, issued_on=TODAY)


def test_no_plan_no_number(county):
    with pytest.raises(RuleViolation) as error:
        services.form_number_issue(acting_user=None, county=county, year=YEAR, person=candidate(county),
                                   domain=Domain.RURAL, today=TODAY)
    assert error.value.code == "form_number.no_plan"
    assert "尚未制定2026年度发展党员计划" in error.value.message


def test_a_person_of_another_county_is_refused(plan, other_county):
    with pytest.raises(RuleViolation) as error:
        issue(plan, candidate(other_county))
    assert error.value.code == "form_number.other_county"


def test_a_voided_number_is_never_reissued_but_frees_its_place(plan, county, vera):
    person = candidate(county)
    first = issue(plan, person)
    issue(plan, candidate(county))
    issue(plan, candidate(county), Domain.RURAL)
    services.form_number_void(acting_user=vera, form_number=first, reason="志愿书填写错误，重新填写")
    again = issue(plan, person)
    assert again.number == "C01-2026-0004"
    assert FormNumber.objects.filter(number="C01-2026-0001", voided_on__isnull=False).exists()
    assert Event.objects.filter(action="form_number.void", subject_id=str(first.pk)).exists()
    assert selectors.form_number_of(person_id=person.pk) == again


def test_void_needs_a_reason_and_happens_once(plan, county, vera):
    number = issue(plan, candidate(county))
    with pytest.raises(RuleViolation) as error:
        services.form_number_void(acting_user=vera, form_number=number, reason="  ")
    assert error.value.code == "form_number.void_reason_required"
    services.form_number_void(acting_user=vera, form_number=number, reason="未被接收")
    with pytest.raises(RuleViolation) as error:
        services.form_number_void(acting_user=vera, form_number=number, reason="未被接收")
    assert error.value.code == "form_number.already_void"


def test_form_number_of_a_person_without_one(county):
    assert selectors.form_number_of(person_id=candidate(county).pk) is None


def test_target_groups_are_marked_with_the_number(plan, county):
    person = candidate(county)
    issue(plan, person, target_groups=[TargetGroup.VETERAN, TargetGroup.YOUNG_FARMER])
    assert set(PersonTargetGroup.objects.filter(person=person).values_list("group", flat=True)) == {
        TargetGroup.VETERAN, TargetGroup.YOUNG_FARMER}
    services.person_target_groups_set(acting_user=None, person=person, groups=[TargetGroup.VETERAN])
    assert list(PersonTargetGroup.objects.filter(person=person).values_list("group", flat=True)) == [
        TargetGroup.VETERAN]


def test_woman_is_not_a_mark_but_the_gender(county):
    with pytest.raises(RuleViolation):
        services.person_target_groups_set(acting_user=None, person=candidate(county), groups=[TargetGroup.WOMAN])


# --- the pre-review -------------------------------------------------------------------------------

def test_pre_review_is_off_by_default_and_set_per_tenant(county, town, branch_a):
    """Seed 003 item 7: "未经审核同意，有审批权的基层党委不得擅自启动发展程序" — a Jinhua rule, so a policy."""
    assert selectors.pre_review_required(branch_a) is False
    policy_set(acting_user=None, organization=county, key=PRE_REVIEW_REQUIRED, value=True)
    assert selectors.pre_review_required(branch_a) is True
    policy_set(acting_user=None, organization=town, key=PRE_REVIEW_REQUIRED, value=False)
    assert selectors.pre_review_required(branch_a) is False


def test_pre_review_policy_must_be_a_boolean(county):
    with pytest.raises(RuleViolation):
        policy_set(acting_user=None, organization=county, key=PRE_REVIEW_REQUIRED, value="yes")


@pytest.fixture
def name_list(town, county, alice, working_calendar):
    people = [candidate(county, "赵预审"), candidate(county, "钱预审")]
    return services.name_list_pre_review_submit(acting_user=alice, organization=town, year=YEAR, people=people,
                                                note="拟发展对象", today=TODAY)


def test_name_list_goes_to_the_county_as_a_pre_review(name_list, county):
    filing = name_list.filing
    assert filing.kind == FilingKind.PRE_REVIEW
    assert filing.to_organization == county
    assert "赵预审、钱预审" in filing.note
    assert name_list.status == NameListStatus.PENDING
    assert Event.objects.filter(action="name_list.submit", subject_id=str(name_list.pk)).exists()


def test_a_branch_list_also_goes_to_the_county(branch_a, county, alice, working_calendar):
    name_list = services.name_list_pre_review_submit(acting_user=alice, organization=branch_a, year=YEAR,
                                                     people=[candidate(county)], today=TODAY)
    assert name_list.filing.to_organization == county


def test_approval_marks_the_list_and_passes_its_people(name_list, vera):
    person = name_list.entries.first().person
    assert selectors.pre_review_passed(person_id=person.pk, year=YEAR) is False
    filing_decide(acting_user=vera, filing=name_list.filing, decision="approve", opinion="数量结构符合计划")
    name_list.refresh_from_db()
    assert name_list.status == NameListStatus.APPROVED
    assert name_list.opinion == "数量结构符合计划"
    assert selectors.pre_review_passed(person_id=person.pk, year=YEAR) is True
    assert selectors.pre_review_passed(person_id=person.pk, year=YEAR + 1) is False
    assert Event.objects.filter(action="name_list.approve").exists()


def test_return_marks_the_list_returned(name_list, vera):
    person = name_list.entries.first().person
    filing_decide(acting_user=vera, filing=name_list.filing, decision="return", opinion="结构不合理")
    name_list.refresh_from_db()
    assert name_list.status == NameListStatus.RETURNED
    assert name_list.filing.status == FilingStatus.RETURNED
    assert selectors.pre_review_passed(person_id=person.pk, year=YEAR) is False


def test_an_empty_list_is_refused(town, alice):
    with pytest.raises(RuleViolation) as error:
        services.name_list_pre_review_submit(acting_user=alice, organization=town, year=YEAR, people=[])
    assert error.value.code == "name_list.empty"


def test_a_list_with_a_foreign_person_is_refused(town, other_county, alice):
    with pytest.raises(RuleViolation) as error:
        services.name_list_pre_review_submit(acting_user=alice, organization=town, year=YEAR,
                                             people=[candidate(other_county)])
    assert error.value.code == "name_list.other_county"
