"""Each transition: what it writes, what it refuses (no step is jumped), and the oversight around it."""

from datetime import date

import pytest
from django.urls import reverse

from audit.accountability.models import AccountabilityCase, PartyRole
from audit.filings.models import Filing, FilingKind
from audit.models import Event
from audit.notifications.models import Notification
from audit.publicity.models import PublicityWindow
from audit.publicity.services import objection_conclude, objection_record
from branches import services as org_services
from branches.models import Domain, OrganizationKind
from branches.scoping import Role
from membership.models import MemberStatus
from partyadmin.errors import RuleViolation
from recruitment import policies, services
from recruitment.models import FileStatus, Stage, StepStatus
from tests.conftest import make_org
from tests.membership.factories import MemberFactory

from .conftest import GOOD_TALLIES, on


def _talked(driver):
    file = driver.apply()
    with on(date(2023, 1, 20)):
        services.talk_record(acting_user=driver.alice, file=file, talked_on=date(2023, 1, 20), talker="王书记",
                             content="谈话")
    return driver.refresh()


def test_apply_opens_the_file_with_step_one_done_and_a_publicity(driver):
    file = driver.apply()
    assert file.current_step == 2 and file.stage == Stage.APPLICANT
    steps = {s.number: s for s in file.steps.all()}
    assert steps[1].status == StepStatus.DONE and steps[1].completed_on == date(2023, 1, 5)
    assert steps[2].status == StepStatus.IN_PROGRESS and steps[2].due_on == date(2023, 2, 5)
    assert steps[3].status == StepStatus.PENDING
    window = PublicityWindow.objects.get(pk=steps[1].publicity_id)
    entry = window.entries.get()
    assert set(entry.snapshot) == {"name", "gender", "age", "education", "occupation", "position"}
    assert entry.snapshot["age"] == 27
    assert Event.objects.filter(action="recruitment.apply").count() == 1


def test_apply_refuses_seventeen_years_364_days(driver):
    with pytest.raises(RuleViolation) as error:
        driver.apply(day=date(2023, 1, 5), birth_date=date(2005, 1, 6))
    assert error.value.code == "recruitment.too_young"


def test_talk_late_is_refused(driver):
    file = driver.apply()
    with on(date(2023, 2, 6)), pytest.raises(RuleViolation) as error:
        services.talk_record(acting_user=driver.alice, file=file, talked_on=date(2023, 2, 6), talker="王", content="谈")
    assert error.value.code == "recruitment.talk_late"


def test_no_recommendation_before_the_talk(driver):
    file = driver.apply()
    with on(date(2023, 1, 10)), pytest.raises(RuleViolation) as error:
        services.recommendation_add(acting_user=driver.alice, file=file, kind="meeting",
                                    recommended_on=date(2023, 1, 10), agree=5)
    assert error.value.code == "recruitment.step_order"


def test_designation_refused_when_exactly_half_agree(driver, branch_a):
    MemberFactory(organization=branch_a, joined_on=date(2010, 1, 1), status=MemberStatus.FULL)  # 6 members
    file = _talked(driver)
    with on(date(2023, 2, 10)):
        services.recommendation_add(acting_user=driver.alice, file=file, kind="meeting",
                                    recommended_on=date(2023, 2, 10), agree=3)
    with on(date(2023, 2, 15)), pytest.raises(RuleViolation) as error:
        services.activist_designate(acting_user=driver.alice, file=driver.refresh(), decided_on=date(2023, 2, 15),
                                    minutes="研究")
    assert error.value.code == "recruitment.not_recommended"


def test_individual_recommendations_add_up_across_members(driver):
    file = _talked(driver)
    with on(date(2023, 2, 10)):
        first = services.recommendation_add(acting_user=driver.alice, file=file, kind="joint",
                                            recommended_on=date(2023, 2, 10), recommenders=driver.members[:2])
        second = services.recommendation_add(acting_user=driver.alice, file=driver.refresh(), kind="individual",
                                             recommended_on=date(2023, 2, 10), recommenders=driver.members[2:3])
    assert (first.agree, first.passed) == (2, False)
    assert (second.agree, second.passed) == (3, True)


def test_recommender_from_another_branch_is_refused(driver, branch_b):
    file = _talked(driver)
    outsider = MemberFactory(organization=branch_b)
    with on(date(2023, 2, 10)), pytest.raises(RuleViolation) as error:
        services.recommendation_add(acting_user=driver.alice, file=file, kind="individual",
                                    recommended_on=date(2023, 2, 10), recommenders=[outsider])
    assert error.value.code == "recruitment.not_branch_member"


def test_woman_needs_mass_org_recommendation(driver):
    driver.apply(gender="female")
    with on(date(2023, 1, 20)):
        services.talk_record(acting_user=driver.alice, file=driver.file, talked_on=date(2023, 1, 20), talker="王",
                             content="谈")
    with on(date(2023, 2, 10)):
        services.recommendation_add(acting_user=driver.alice, file=driver.refresh(), kind="meeting",
                                    recommended_on=date(2023, 2, 10), agree=4)
    with on(date(2023, 2, 15)), pytest.raises(RuleViolation) as error:
        services.activist_designate(acting_user=driver.alice, file=driver.refresh(), decided_on=date(2023, 2, 15),
                                    minutes="研究")
    assert error.value.code == "recruitment.mass_org_missing"
    with on(date(2023, 2, 15)):
        services.mass_org_recommendation_record(acting_user=driver.alice, file=driver.file, organization_name="妇联",
                                                method="票决", recommended_on=date(2023, 2, 12), filed_with="镇妇联")
        services.activist_designate(acting_user=driver.alice, file=driver.refresh(), decided_on=date(2023, 2, 15),
                                    minutes="研究")
    assert driver.refresh().current_step == 4


def test_jinhua_policy_requires_a_mass_recommendation_meeting(driver, town):
    org_services.policy_set(acting_user=None, organization=town, key=policies.MASS_RECOMMENDATION_MEETING, value=True)
    file = _talked(driver)
    with on(date(2023, 2, 10)):
        services.recommendation_add(acting_user=driver.alice, file=file, kind="meeting",
                                    recommended_on=date(2023, 2, 10), agree=4)
    with on(date(2023, 2, 15)), pytest.raises(RuleViolation) as error:
        services.activist_designate(acting_user=driver.alice, file=driver.refresh(), decided_on=date(2023, 2, 15),
                                    minutes="研究")
    assert error.value.code == "recruitment.mass_meeting_missing"


def test_activist_filing_goes_to_the_township_and_approval_makes_an_activist(driver, town):
    driver.apply()
    driver.to_activist()
    file = driver.file
    filing = services.step_of(file, 4).filing
    assert filing.kind == FilingKind.RECORD and filing.to_organization == town
    assert file.stage == Stage.ACTIVIST and file.activist_on == date(2023, 2, 20)
    assert file.current_step == 6
    assert services.step_of(file, 6).due_on == date(2023, 5, 25)  # the first quarterly report


def test_returned_filing_keeps_the_step_open(driver):
    driver.apply()
    file = _talked(driver)
    with on(date(2023, 2, 10)):
        services.recommendation_add(acting_user=driver.alice, file=file, kind="meeting",
                                    recommended_on=date(2023, 2, 10), agree=4)
        services.activist_designate(acting_user=driver.alice, file=driver.refresh(), decided_on=date(2023, 2, 10),
                                    minutes="研究")
        services.step_filing_submit(acting_user=driver.alice, file=driver.refresh(), number=4)
        with pytest.raises(RuleViolation):
            services.step_filing_submit(acting_user=driver.alice, file=driver.refresh(), number=4)
    driver.decide(4, date(2023, 2, 20), decision="return")
    assert driver.file.current_step == 4 and driver.file.stage == Stage.APPLICANT
    step = services.step_of(driver.file, 4)
    assert step.status == StepStatus.IN_PROGRESS and "材料不全" in step.notes
    with on(date(2023, 2, 21)):
        services.step_filing_submit(acting_user=driver.alice, file=driver.file, number=4)
    driver.decide(4, date(2023, 2, 22))
    assert driver.file.stage == Stage.ACTIVIST


def test_rural_branch_under_a_base_committee_is_reviewed_then_filed_with_the_township(
        alice, rita, county, town, members, working_calendar):
    from .conftest import Driver

    village = make_org(town, "东村党委", "C01T01V1", OrganizationKind.COMMITTEE, domain=Domain.RURAL)
    branch = make_org(village, "东村第一党支部", "C01T01V1B1", OrganizationKind.BRANCH, domain=Domain.RURAL)
    org_services.grant_role(acting_user=None, user=alice, organization=branch, role=Role.SECRETARY)
    people = [MemberFactory(organization=branch, joined_on=date(2010, 1, 1), status=MemberStatus.FULL)
              for _ in range(3)]
    driver = Driver(alice=alice, rita=rita, branch=branch, members=people)
    file = driver.apply()
    with on(date(2023, 1, 20)):
        services.talk_record(acting_user=alice, file=file, talked_on=date(2023, 1, 20), talker="王", content="谈")
    with on(date(2023, 2, 10)):
        services.recommendation_add(acting_user=alice, file=driver.refresh(), kind="meeting",
                                    recommended_on=date(2023, 2, 10), agree=2)
        services.activist_designate(acting_user=alice, file=driver.refresh(), decided_on=date(2023, 2, 10),
                                    minutes="研究")
    review = services.step_of(driver.refresh(), 3).filing
    assert review.kind == FilingKind.REVIEW and review.to_organization == village
    assert driver.file.current_step == 3
    driver.decide(3, date(2023, 2, 12))
    assert driver.file.current_step == 4
    with on(date(2023, 2, 13)):
        record = services.step_filing_submit(acting_user=alice, file=driver.file, number=4)
    assert record.to_organization == town


def test_contact_persons_before_the_record_is_refused(driver):
    file = _talked(driver)
    with on(date(2023, 2, 10)), pytest.raises(RuleViolation) as error:
        services.contact_persons_assign(acting_user=driver.alice, file=file, members=driver.members[:2],
                                        assigned_on=date(2023, 2, 10))
    assert error.value.code == "recruitment.step_order"


def test_evaluation_before_a_year_of_training_is_refused(driver):
    driver.to_activist()
    with on(date(2024, 2, 19)), pytest.raises(RuleViolation) as error:
        services.evaluation_record(acting_user=driver.alice, file=driver.file, held_on=date(2024, 2, 19),
                                   members_present=4, masses_present=3, tallies=GOOD_TALLIES)
    assert error.value.code == "recruitment.training_short"


def test_poor_majority_cancels_the_activist_and_locks_for_six_months(driver):
    driver.to_activist()
    bad = {item: {"excellent": 1, "fair": 2, "poor": 4} for item in GOOD_TALLIES}
    with on(date(2024, 3, 1)):
        evaluation = services.evaluation_record(acting_user=driver.alice, file=driver.file, held_on=date(2024, 3, 1),
                                                members_present=4, masses_present=3, tallies=bad)
    assert evaluation.outcome == "cancel"
    file = driver.refresh()
    assert file.status == FileStatus.CANCELLED and file.relock_until == date(2024, 9, 1)
    with on(date(2024, 3, 2)):
        again = services.file_apply(acting_user=driver.alice, organization=driver.branch, applied_on=date(2024, 3, 2),
                                    person=file.person)
    assert again.relock_until == date(2024, 9, 1)


def test_candidate_proposal_needs_a_proposing_evaluation(driver):
    driver.to_activist()
    fair = {item: {"excellent": 3, "fair": 4, "poor": 0} for item in GOOD_TALLIES}
    with on(date(2024, 3, 1)):
        services.evaluation_record(acting_user=driver.alice, file=driver.file, held_on=date(2024, 3, 1),
                                   members_present=4, masses_present=3, tallies=fair)
    with on(date(2024, 3, 5)), pytest.raises(RuleViolation) as error:
        services.candidate_propose(acting_user=driver.alice, file=driver.refresh(), decided_on=date(2024, 3, 5),
                                   minutes="研究", contact_opinion="同意")
    assert error.value.code == "recruitment.evaluation_short"


def test_probationary_introducer_is_refused(driver, branch_a):
    driver.to_candidate()
    probationary = MemberFactory(organization=branch_a, status=MemberStatus.PROBATIONARY, joined_on=date(2023, 6, 1),
                                 full_on=None)
    with on(date(2024, 3, 12)), pytest.raises(RuleViolation) as error:
        services.introducers_assign(acting_user=driver.alice, file=driver.file,
                                    members=[driver.members[0], probationary], assigned_on=date(2024, 3, 12))
    assert error.value.code == "recruitment.introducer_not_full"


def test_failed_political_review_ends_the_file(driver):
    driver.to_candidate()
    with on(date(2024, 3, 12)):
        services.introducers_assign(acting_user=driver.alice, file=driver.file, members=driver.members[:2],
                                    assigned_on=date(2024, 3, 12))
    with on(date(2024, 3, 20)):
        services.political_review_record(acting_user=driver.alice, file=driver.refresh(), reviewed_on=date(2024, 3, 20),
                                         content="审查", method="函调", conclusion="不合格", qualified=False)
    assert driver.refresh().status == FileStatus.TERMINATED


def test_pre_review_policy_blocks_the_committee_review(driver, town, plan_2024):
    org_services.policy_set(acting_user=None, organization=town, key="recruitment.pre_review_required", value=True)
    driver.to_candidate()
    with on(date(2024, 3, 12)):
        services.introducers_assign(acting_user=driver.alice, file=driver.file, members=driver.members[:2],
                                    assigned_on=date(2024, 3, 12))
    with on(date(2024, 3, 20)):
        services.political_review_record(acting_user=driver.alice, file=driver.refresh(), reviewed_on=date(2024, 3, 20),
                                         content="审查", method="函调", conclusion="合格", qualified=True)
    with on(date(2024, 4, 3)):
        services.concentrated_training_record(acting_user=driver.alice, file=driver.refresh(),
                                              starts_on=date(2024, 4, 1), ends_on=date(2024, 4, 3), hours=20,
                                              organizer="党校", result="结业")
    with on(date(2024, 4, 10)), pytest.raises(RuleViolation) as error:
        services.committee_review_record(acting_user=driver.alice, file=driver.refresh(), reviewed_on=date(2024, 4, 10),
                                         opinion="同意")
    assert error.value.code == "recruitment.pre_review_missing"


def test_admission_vote_counts_only_full_members(driver, branch_a, plan_2024):
    MemberFactory(organization=branch_a, status=MemberStatus.PROBATIONARY, joined_on=date(2024, 1, 10), full_on=None)
    driver.to_vote()
    with on(date(2024, 5, 6)):
        services.admission_vote_record(acting_user=driver.alice, file=driver.file, held_on=date(2024, 5, 6), present=5,
                                       for_votes=2, against=3, abstain=0, minutes="投票")
    step = services.step_of(driver.refresh(), 15)
    assert step.status == StepStatus.IN_PROGRESS and step.data["votes"][0]["entitled"] == 5
    with on(date(2024, 5, 7)):
        services.admission_vote_record(acting_user=driver.alice, file=driver.file, held_on=date(2024, 5, 7), present=5,
                                       for_votes=3, against=2, abstain=0, minutes="投票")
    file = driver.refresh()
    assert file.current_step == 16 and file.joined_on == date(2024, 5, 7)
    window = services.step_of(file, 15).publicity
    assert window.entries.get().snapshot["results"]["赞成"] == 3


def test_student_graduation_window_policy(driver, town, plan_2024):
    org_services.policy_set(acting_user=None, organization=town, key=policies.GRADUATION_WINDOW_MONTHS, value=3)
    driver.to_vote()
    driver.file.is_student, driver.file.graduates_on = True, date(2024, 6, 30)
    driver.file.save()
    with on(date(2024, 5, 6)), pytest.raises(RuleViolation) as error:
        services.admission_vote_record(acting_user=driver.alice, file=driver.file, held_on=date(2024, 5, 6), present=5,
                                       for_votes=5, against=0, abstain=0, minutes="投票")
    assert error.value.code == "recruitment.graduation_window"


def test_approval_creates_a_probationary_member_joined_on_the_meeting_day(driver, plan_2024, county):
    file = driver.to_probationary()
    member = file.member
    assert member.status == MemberStatus.PROBATIONARY and member.joined_on == date(2024, 5, 6)
    assert file.probation_ends_on == date(2025, 5, 6) and file.stage == Stage.PROBATIONARY
    record = Filing.objects.get(pk=services.step_of(file, 18).filing_id)
    assert record.to_organization == county and record.kind == FilingKind.RECORD
    assert file.current_step == 19


def test_approval_extension_at_most_six_months(driver, plan_2024):
    driver.to_vote()
    with on(date(2024, 5, 6)):
        services.admission_vote_record(acting_user=driver.alice, file=driver.file, held_on=date(2024, 5, 6), present=5,
                                       for_votes=5, against=0, abstain=0, minutes="投票")
    with on(date(2024, 5, 10)):
        services.organizer_talk_record(acting_user=driver.alice, file=driver.refresh(), talked_on=date(2024, 5, 10),
                                       organizer="组织员", content="谈话")
    assert services.step_of(driver.refresh(), 17).due_on == date(2024, 8, 6)
    with on(date(2024, 8, 1)):
        with pytest.raises(RuleViolation):
            services.approval_extend(acting_user=driver.alice, file=driver.file, until=date(2024, 11, 7), reason="特殊")
        services.approval_extend(acting_user=driver.alice, file=driver.refresh(), until=date(2024, 11, 6), reason="特殊")
    assert services.step_of(driver.refresh(), 17).due_on == date(2024, 11, 6)


def test_conversion_meeting_may_extend_probation(driver, plan_2024):
    driver.to_probationary()
    with on(date(2024, 5, 26)):
        services.placement_record(acting_user=driver.alice, file=driver.file, placed_on=date(2024, 5, 26))
    with on(date(2024, 6, 1)):
        services.oath_record(acting_user=driver.alice, file=driver.refresh(), sworn_on=date(2024, 6, 1), led_by="王")
    with on(date(2025, 5, 1)):
        services.conversion_apply(acting_user=driver.alice, file=driver.refresh(), applied_on=date(2025, 5, 1),
                                  content="申请")
        with pytest.raises(RuleViolation) as error:
            services.conversion_vote_record(acting_user=driver.alice, file=driver.refresh(), held_on=date(2025, 5, 1),
                                            present=5, for_votes=5, against=0, abstain=0, minutes="会议")
    assert error.value.code == "recruitment.probation_not_over"
    with on(date(2025, 5, 8)):
        services.conversion_vote_record(acting_user=driver.alice, file=driver.refresh(), held_on=date(2025, 5, 8),
                                        present=5, for_votes=5, against=0, abstain=0, minutes="延长", extend_months=6)
    file = driver.refresh()
    assert file.current_step == 21 and file.probation_ends_on == date(2025, 11, 6)
    assert services.step_of(file, 22).status == StepStatus.PENDING


def test_substantive_objection_terminates_the_file(driver, rita):
    file = driver.apply()
    window = services.step_of(file, 1).publicity
    with on(date(2023, 1, 6)):
        objection = objection_record(acting_user=driver.alice, window=window, entry=window.entries.get(),
                                     content="反映该同志有违法行为", channel="visit", anonymous=True)
        objection_conclude(acting_user=driver.alice, objection=objection, finding="substantive",
                           investigation="经核实属实")
    file = driver.refresh()
    assert file.status == FileStatus.TERMINATED and "实质性问题" in file.ended_reason
    with on(date(2023, 1, 7)), pytest.raises(RuleViolation) as error:
        services.talk_record(acting_user=driver.alice, file=file, talked_on=date(2023, 1, 7), talker="王", content="谈")
    assert error.value.code == "recruitment.file_closed"


def test_accountability_case_names_the_contact_persons(driver):
    driver.to_activist()
    parties = services.responsible_parties(driver.file)
    roles = [role for _, role, _, _ in parties]
    assert roles.count(PartyRole.CONTACT_PERSON) == 2 and PartyRole.TALK_EXAMINER in roles
    chosen = [i for i, (_, role, _, _) in enumerate(parties) if role == PartyRole.CONTACT_PERSON]
    with on(date(2023, 3, 1)):
        case = services.accountability_open(acting_user=driver.alice, file=driver.file, step_number=5,
                                            violation_type="negligent_training", description="培养考察失职",
                                            discovered_on=date(2023, 3, 1), parties=chosen)
    case = AccountabilityCase.objects.get(pk=case.pk)
    assert case.due_on == date(2023, 3, 31)
    assert sorted(p.name for p in case.parties.all()) == sorted(m.person.name for m in driver.members[:2])


def test_daily_tick_marks_overdue_and_reminds_once(driver, alice):
    file = driver.apply()
    counts = services.recruitment_tick(today=date(2023, 2, 1))
    assert counts["due_soon"] == 1
    file = driver.refresh()
    assert file.deadline_status == "due_soon"
    services.recruitment_tick(today=date(2023, 2, 6))
    services.recruitment_tick(today=date(2023, 2, 6))
    assert driver.refresh().deadline_status == "overdue"
    assert services.step_of(file, 2).deadline_status == "overdue"
    assert Notification.objects.filter(user=alice, kind="recruitment").count() == 2


def test_transfer_of_the_member_moves_the_file(driver, plan_2024, branch_b, alice, charlie):
    from membership.changes.services import transfer_accept, transfer_request

    file = driver.to_probationary()
    with on(date(2024, 6, 1)):
        transfer = transfer_request(acting_user=alice, member=file.member, to_organization=branch_b, reason="工作调动")
        transfer_accept(acting_user=charlie, transfer=transfer)
    assert driver.refresh().organization == branch_b


def test_file_transfer_for_an_applicant(driver, branch_b):
    file = driver.apply()
    with on(date(2023, 1, 10)):
        services.file_transfer(acting_user=driver.alice, file=file, to_organization=branch_b, reason="工作变动")
    assert driver.refresh().organization == branch_b


def _consequence(file, kind):
    from scoring.stars.models import Consequence

    return Consequence.objects.create(person=file.person, organization=file.organization, county=file.county,
                                      kind=kind, year=2024, star_level=1, due_on=date(2025, 3, 1))


def test_star_consequence_extends_the_probation_in_the_daily_step(driver, plan_2024):
    file = driver.to_probationary()
    consequence = _consequence(file, "extend_probation")
    with on(date(2025, 1, 10)):
        counts = services.recruitment_tick(today=date(2025, 1, 10))
    assert counts["extended"] == 1
    assert driver.refresh().probation_ends_on == date(2025, 11, 6)
    consequence.refresh_from_db()
    assert consequence.status == "done" and "延长预备期" in consequence.resolved_note
    with on(date(2025, 1, 11)):
        assert services.recruitment_tick(today=date(2025, 1, 11))["extended"] == 0


def test_the_member_register_dates_the_end_of_probation_from_the_extension(driver, plan_2024):
    """Seed 000: "确定为“二星”“一星”等次的，要适当延长其预备期" — 转正 in the register waits for the extended end."""
    from membership.changes import selectors as member_changes

    file = driver.to_probationary()
    assert member_changes.probation_end(file.member) == date(2025, 5, 6)
    _consequence(file, "extend_probation")
    with on(date(2025, 1, 10)):
        services.recruitment_tick(today=date(2025, 1, 10))
    assert member_changes.probation_end(driver.refresh().member) == date(2025, 11, 6)


def test_star_consequence_cancels_an_activist(driver):
    file = driver.to_activist()
    _consequence(file, "cancel_activist")
    with on(date(2024, 1, 10)):
        services.recruitment_tick(today=date(2024, 1, 10))
    file = driver.refresh()
    assert file.status == FileStatus.CANCELLED and file.relock_until == date(2024, 7, 10)


def test_activists_are_scored_people(driver, branch_a):
    from scoring.registry import scored_people

    driver.to_activist()
    people = scored_people(organization_ids=[branch_a.pk], on=date(2023, 3, 1))
    assert [(p.person_id, p.kind) for p in people] == [(driver.file.person_id, "activist")]


def test_probationary_member_sees_my_file_panel(driver, plan_2024, client):
    from tests.conftest import make_user

    file = driver.to_probationary()
    user = make_user("xinli")
    file.person.user = user
    file.person.save(update_fields=["user"])
    org_services.grant_role(acting_user=None, user=user, organization=file.organization, role=Role.MEMBER)
    client.force_login(user)
    body = client.get(reverse("membership:me")).content.decode()
    assert "我的入党档案" in body and "预备期至" in body
    assert client.get(f"/recruitment/files/{file.pk}/").status_code == 200
    assert client.get(reverse("recruitment:branch_board", args=[file.organization_id])).status_code == 404


def test_standardization_prefill_reads_the_training_records(driver, branch_a):
    from recruitment.selectors import activist_training_prefill

    assert not activist_training_prefill(organization=branch_a, year=2023).met
    driver.to_activist()
    with on(date(2023, 5, 20)):
        services.training_record_add(acting_user=driver.alice, file=driver.file, kind="quarterly_report",
                                     occurred_on=date(2023, 5, 20), content="汇报")
    prefill = activist_training_prefill(organization=branch_a, year=2023)
    assert prefill.met and "1 名" in prefill.note
    assert services.step_of(driver.refresh(), 6).due_on == date(2023, 8, 20)


def test_general_branch_reviews_before_the_township_files(town):
    general = make_org(town, "东关村党总支", "C01T01G1", OrganizationKind.GENERAL_BRANCH, domain=Domain.RURAL)
    branch = make_org(general, "东关村第一党支部", "C01T01G1B1", OrganizationKind.BRANCH, domain=Domain.RURAL)
    assert services.review_needed(branch)
    from audit.filings.services import handling_organization

    assert handling_organization(from_organization=branch, kind=FilingKind.REVIEW) == general
    assert handling_organization(from_organization=branch, kind=FilingKind.RECORD) == town


def test_branch_directly_under_the_township_needs_no_review(branch_a):
    assert not services.review_needed(branch_a)


def test_review_returned_lets_the_branch_decide_again(alice, rita, town, members, working_calendar):
    from .conftest import Driver

    general = make_org(town, "东关村党总支", "C01T01G2", OrganizationKind.GENERAL_BRANCH, domain=Domain.RURAL)
    branch = make_org(general, "东关村第二党支部", "C01T01G2B1", OrganizationKind.BRANCH, domain=Domain.RURAL)
    org_services.grant_role(acting_user=None, user=alice, organization=branch, role=Role.SECRETARY)
    people = [MemberFactory(organization=branch, joined_on=date(2010, 1, 1), status=MemberStatus.FULL)
              for _ in range(3)]
    driver = Driver(alice=alice, rita=rita, branch=branch, members=people)
    driver.apply()
    with on(date(2023, 1, 20)):
        services.talk_record(acting_user=alice, file=driver.file, talked_on=date(2023, 1, 20), talker="王", content="谈")
        services.recommendation_add(acting_user=alice, file=driver.refresh(), kind="meeting",
                                    recommended_on=date(2023, 1, 20), agree=2)
        services.activist_designate(acting_user=alice, file=driver.refresh(), decided_on=date(2023, 1, 20),
                                    minutes="研究")
    assert services.step_of(driver.refresh(), 3).filing.to_organization == general
    driver.decide(3, date(2023, 1, 25), decision="return")
    with on(date(2023, 2, 1)):
        services.activist_designate(acting_user=alice, file=driver.refresh(), decided_on=date(2023, 2, 1),
                                    minutes="补充材料后再次研究")
    driver.decide(3, date(2023, 2, 5))
    assert driver.file.current_step == 4


def test_candidates_are_offered_for_the_county_pre_review(driver, town):
    from recruitment.plans.registry import name_list_candidates

    driver.to_candidate()
    assert [p.pk for p in name_list_candidates(organization=town, year=2024)] == [driver.file.person_id]
