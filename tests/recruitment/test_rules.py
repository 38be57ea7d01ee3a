"""The admission rules from the seed sentences, at their boundaries."""

from datetime import date

import pytest

from partyadmin.errors import RuleViolation
from recruitment import rules


def tallies(overall=(6, 4, 0), other_poor=0, forms=10):
    """Overall (excellent, fair, poor); every other item with `other_poor` 差 out of `forms`."""
    rows = {"overall": dict(zip(rules.GRADES, overall, strict=True))}
    for item in rules.EVALUATION_ITEMS:
        if item != "overall":
            rows[item] = {"excellent": forms - other_poor, "fair": 0, "poor": other_poor}
    return rows


# 党章第一条 / seed 000 二(一)1(1): "推荐对象必须是年满18周岁、已递交入党申请书"
def test_applicant_eighteen_on_the_birthday_is_accepted():
    rules.check_applicant_age(birth_date=date(2006, 3, 15), applied_on=date(2024, 3, 15))


def test_applicant_one_day_short_of_eighteen_is_refused():
    with pytest.raises(RuleViolation) as error:
        rules.check_applicant_age(birth_date=date(2006, 3, 15), applied_on=date(2024, 3, 14))
    assert error.value.code == "recruitment.too_young"


def test_leap_day_birthday_turns_eighteen_on_first_march():
    assert rules.age_on(date(2004, 2, 29), date(2022, 2, 28)) == 17
    assert rules.age_on(date(2004, 2, 29), date(2022, 3, 1)) == 18


# 《细则》第八条: "党组织应当在一个月内派人同入党申请人谈话"
def test_talk_one_month_to_the_day_is_in_time():
    rules.check_talk(applied_on=date(2024, 1, 31), talked_on=date(2024, 2, 29))


def test_talk_a_day_after_the_month_is_late():
    with pytest.raises(RuleViolation) as error:
        rules.check_talk(applied_on=date(2024, 1, 15), talked_on=date(2024, 2, 16))
    assert error.value.code == "recruitment.talk_late"


def test_talk_before_application_is_refused():
    with pytest.raises(RuleViolation):
        rules.check_talk(applied_on=date(2024, 1, 15), talked_on=date(2024, 1, 14))


# seed 000 二(一)1(2): "被推荐人应当获得本支部半数以上党员的同意"
def test_recommendation_more_than_half_passes():
    rules.check_member_recommendation(agree=6, branch_members=11)


def test_recommendation_exactly_half_is_refused():
    with pytest.raises(RuleViolation) as error:
        rules.check_member_recommendation(agree=5, branch_members=10)
    assert error.value.code == "recruitment.recommendation_short"


# seed 000 二(一): "入党申请人是共青团员、工会会员或妇女的，还需经过群团组织推优"
@pytest.mark.parametrize(("league", "union", "woman", "needed"), [
    (True, False, False, True), (False, True, False, True), (False, False, True, True), (False, False, False, False),
])
def test_mass_org_recommendation_needed_for_league_union_women(league, union, woman, needed):
    assert rules.needs_mass_org_recommendation(is_league_member=league, is_union_member=union,
                                               is_woman=woman) is needed


def _designation(**overrides):
    values = {"talk_done": True, "recommended": True, "mass_org_needed": False, "mass_org_done": False,
              "mass_meeting_required": False, "mass_meeting_on": None, "decided_on": date(2024, 5, 1),
              "locked_until": None, "minutes": "支委会研究同意"} | overrides
    rules.check_designation(**values)


def test_designation_needs_mass_org_when_required():
    with pytest.raises(RuleViolation) as error:
        _designation(mass_org_needed=True)
    assert error.value.code == "recruitment.mass_org_missing"


# seed 003 第2条: "基层党支部每年至少召开一次群众推优会…未经群众推荐，不能列为入党积极分子进行培养"
def test_jinhua_designation_needs_a_mass_meeting_of_the_same_year():
    with pytest.raises(RuleViolation) as error:
        _designation(mass_meeting_required=True, mass_meeting_on=date(2023, 12, 20))
    assert error.value.code == "recruitment.mass_meeting_missing"
    _designation(mass_meeting_required=True, mass_meeting_on=date(2024, 1, 10))


def test_designation_without_written_minutes_is_refused():
    with pytest.raises(RuleViolation) as error:
        _designation(minutes="  ")
    assert error.value.code == "recruitment.minutes_missing"


# seed 000 二(二)3(2): "取消入党积极分子资格，半年内不得再次确定为入党积极分子"
def test_six_month_lock_ends_on_the_day_six_months_later():
    until = rules.relock_until(date(2024, 3, 1))
    assert until == date(2024, 9, 1)
    with pytest.raises(RuleViolation) as error:
        _designation(locked_until=until, decided_on=date(2024, 8, 31))
    assert error.value.code == "recruitment.relock"
    _designation(locked_until=until, decided_on=date(2024, 9, 1))


# seed 000 二(二)1: "经过一年以上教育培养和考察"
def test_evaluation_one_year_after_designation_is_allowed():
    rules.check_training_period(activist_on=date(2023, 3, 1), held_on=date(2024, 3, 1))
    with pytest.raises(RuleViolation) as error:
        rules.check_training_period(activist_on=date(2023, 3, 1), held_on=date(2024, 2, 29))
    assert error.value.code == "recruitment.training_short"


# seed 000 二(二)2(1): "参加评议的党员应超过支部党员总数的半数，参加评议的群众一般不应低于到会党员总数的2/3"
def test_evaluation_needs_more_than_half_of_members():
    with pytest.raises(RuleViolation) as error:
        rules.check_evaluation_attendance(branch_members=10, members_present=5, masses_present=10)
    assert error.value.code == "recruitment.quorum"
    assert rules.check_evaluation_attendance(branch_members=10, members_present=6, masses_present=4).warning == ""


def test_too_few_masses_warns_but_does_not_block():
    result = rules.check_evaluation_attendance(branch_members=10, members_present=6, masses_present=3)
    assert result.ok and "2/3" in result.warning


# seed 000 二(二)3: "综合评价'优秀'过半，且单项被评为'差'的票数不超过20%的…可列为发展对象人选"
def test_more_than_half_excellent_and_twenty_percent_poor_may_be_proposed():
    assert rules.evaluation_outcome(tallies(overall=(6, 2, 2), other_poor=2)) == rules.Outcome.PROPOSE


def test_exactly_half_excellent_keeps_training():
    assert rules.evaluation_outcome(tallies(overall=(5, 5, 0))) == rules.Outcome.CONTINUE


def test_twenty_one_percent_poor_on_one_item_keeps_training():
    rows = tallies(overall=(60, 40, 0), forms=100)
    rows["moral"] = {"excellent": 79, "fair": 0, "poor": 21}
    assert rules.evaluation_outcome(rows) == rules.Outcome.CONTINUE
    rows["moral"] = {"excellent": 80, "fair": 0, "poor": 20}
    assert rules.evaluation_outcome(rows) == rules.Outcome.PROPOSE


# seed 000 二(二)3(2): "对于综合评价'差'票超过50%的，要取消入党积极分子资格"
def test_fifty_one_percent_poor_overall_cancels():
    assert rules.evaluation_outcome(tallies(overall=(0, 49, 51), forms=100)) == rules.Outcome.CANCEL


def test_exactly_fifty_percent_poor_overall_keeps_training():
    assert rules.evaluation_outcome(tallies(overall=(0, 50, 50), forms=100)) == rules.Outcome.CONTINUE


def test_tallies_must_count_the_same_forms_for_every_item():
    rows = tallies()
    rows["work"] = {"excellent": 9, "fair": 0, "poor": 0}
    with pytest.raises(RuleViolation) as error:
        rules.evaluation_outcome(rows)
    assert error.value.code == "recruitment.tally_mismatch"


# 《细则》第十五条: 两名正式党员作入党介绍人
def test_introducers_must_be_two_full_members():
    rules.check_introducers(introducers=[("甲", "full"), ("乙", "full")])
    with pytest.raises(RuleViolation) as error:
        rules.check_introducers(introducers=[("甲", "full"), ("乙", "probationary")])
    assert error.value.code == "recruitment.introducer_not_full"
    with pytest.raises(RuleViolation):
        rules.check_introducers(introducers=[("甲", "full")])


# seed 000 二(二)4: "政治审查情况应当形成结论性材料" / 流动人员 "征求其户籍所在地和居住地基层党组织的意见"
def test_political_review_needs_a_conclusion_and_floating_opinions():
    with pytest.raises(RuleViolation):
        rules.check_political_review(conclusion="", qualified=True, is_floating=False, household_opinion="",
                                     residence_opinion="")
    with pytest.raises(RuleViolation) as error:
        rules.check_political_review(conclusion="合格", qualified=True, is_floating=True, household_opinion="同意",
                                     residence_opinion="")
    assert error.value.code == "recruitment.floating_opinions"


def test_concentrated_training_three_days_or_24_hours():
    rules.check_concentrated_training(days=3, hours=0)
    rules.check_concentrated_training(days=1, hours=24)
    with pytest.raises(RuleViolation):
        rules.check_concentrated_training(days=2, hours=23)


# 《细则》第二十二条: 赞成人数超过应到会有表决权的正式党员的半数 (预备党员没有表决权)
def test_vote_for_more_than_half_of_entitled_full_members_passes():
    rules.check_vote(entitled=10, present=8, for_votes=6, against=2, abstain=0)
    assert rules.vote_passed(entitled=10, for_votes=6)
    assert not rules.vote_passed(entitled=10, for_votes=5)


def test_vote_with_half_of_members_present_lacks_quorum():
    with pytest.raises(RuleViolation) as error:
        rules.check_vote(entitled=10, present=5, for_votes=5, against=0, abstain=0)
    assert error.value.code == "recruitment.vote_quorum"


# 《细则》第二十九条: 三个月内审批，特殊情况…不得超过六个月
def test_approval_due_three_months_after_the_meeting_extendable_to_six():
    assert rules.approval_due_on(date(2024, 5, 31)) == date(2024, 8, 31)
    rules.check_approval_extension(meeting_on=date(2024, 5, 31), until=date(2024, 11, 30))
    with pytest.raises(RuleViolation):
        rules.check_approval_extension(meeting_on=date(2024, 5, 31), until=date(2024, 12, 1))


# seed 003 第12条: "学生在毕业前3个月，一般不办理接收预备党员的手续"
def test_student_within_three_months_of_graduation_is_refused_when_the_policy_is_on():
    with pytest.raises(RuleViolation) as error:
        rules.check_graduation_window(is_student=True, graduates_on=date(2024, 6, 30), meeting_on=date(2024, 3, 30),
                                      months=3)
    assert error.value.code == "recruitment.graduation_window"
    rules.check_graduation_window(is_student=True, graduates_on=date(2024, 6, 30), meeting_on=date(2024, 3, 29),
                                  months=3)
    rules.check_graduation_window(is_student=True, graduates_on=date(2024, 6, 30), meeting_on=date(2024, 5, 1),
                                  months=0)


# 党章第七条: 预备期为一年…延长预备期，最长不超过一年
def test_probation_one_year_and_extension_at_most_one_year():
    assert rules.probation_ends_on(date(2024, 5, 6)) == date(2025, 5, 6)
    assert rules.probation_ends_on(date(2024, 5, 6), extended_months=6) == date(2025, 11, 6)
    rules.check_probation_extension(extended_months_before=6, months=6)
    with pytest.raises(RuleViolation):
        rules.check_probation_extension(extended_months_before=6, months=12)


def test_conversion_meeting_after_probation_ends():
    rules.check_conversion_meeting(probation_ends=date(2025, 5, 6), held_on=date(2025, 5, 6))
    with pytest.raises(RuleViolation):
        rules.check_conversion_meeting(probation_ends=date(2025, 5, 6), held_on=date(2025, 5, 5))


def test_deadline_status_boundaries():
    due = date(2024, 3, 10)
    assert rules.deadline_status(due_on=due, today=date(2024, 3, 2), warn_days=7) == "normal"
    assert rules.deadline_status(due_on=due, today=date(2024, 3, 3), warn_days=7) == "due_soon"
    assert rules.deadline_status(due_on=due, today=date(2024, 3, 10), warn_days=7) == "due_soon"
    assert rules.deadline_status(due_on=due, today=date(2024, 3, 11), warn_days=7) == "overdue"
    assert rules.deadline_status(due_on=None, today=date(2024, 3, 11), warn_days=7) == ""


def test_no_step_jumping():
    with pytest.raises(RuleViolation) as error:
        rules.check_current_step(current=2, wanted=3)
    assert error.value.code == "recruitment.step_order"
    with pytest.raises(RuleViolation) as error:
        rules.check_current_step(current=4, wanted=3)
    assert error.value.code == "recruitment.step_done"


def test_stage_follows_the_superior_answers():
    assert rules.stage_after(3) == "applicant"
    assert rules.stage_after(4) == "activist"
    assert rules.stage_after(16) == "candidate"
    assert rules.stage_after(17) == "probationary"
    assert rules.stage_after(25) == "full"
