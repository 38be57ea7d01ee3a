"""The rules of member changes, from the seed sentences alone (no database)."""

from datetime import date

import pytest

from membership.changes import rules
from partyadmin.errors import RuleViolation


def test_letter_is_valid_for_the_policy_days_counting_the_day_of_issue():
    assert rules.letter_valid_until(date(2026, 7, 15), 30) == date(2026, 8, 13)


def test_letter_validity_outside_the_allowed_range_is_refused():
    with pytest.raises(RuleViolation):
        rules.letter_valid_until(date(2026, 7, 15), 0)


def test_outflow_of_six_months_with_a_fixed_place_calls_for_a_transfer():
    """seed 001 流动党员管理制度(3): "外出时间六个月以上且地点比较固定的,应转移党员正式组织关系,即开写党员组织关系介绍信"."""
    advice = rules.flow_advice(direction="flow_out", started_on=date(2026, 1, 1), ends_on=date(2026, 7, 1),
                               fixed_place=True)
    assert advice[0] == rules.ADVICE_TRANSFER


def test_outflow_of_three_to_six_months_calls_for_a_certificate():
    """seed 001 第十一条: "党员外出时间在 3 个月以上 6 个月以下的…领取流动党员活动证"."""
    advice = rules.flow_advice(direction="flow_out", started_on=date(2026, 1, 1), ends_on=date(2026, 5, 1),
                               fixed_place=True)
    assert advice[0] == rules.ADVICE_CERTIFICATE


def test_every_outflow_is_told_to_report_twice_a_year():
    """seed 001 第十一条: "每年至少向原所在村党组织汇报两次外出期间的思想、工作和参加党的组织生活等情况"."""
    advice = rules.flow_advice(direction="flow_out", started_on=date(2026, 1, 1), ends_on=date(2026, 2, 1),
                               fixed_place=False)
    assert advice == [rules.ADVICE_REPORT]


def test_transfer_prompt_is_due_six_months_after_leaving_for_a_fixed_place():
    """seed 001 第十一条: "党员外出时间较长的(6 个月以上),且工作地点固定…一般应将组织关系转入工作单位"."""
    started = date(2026, 1, 15)
    assert not rules.transfer_prompt_due(direction="flow_out", started_on=started, fixed_place=True,
                                         today=date(2026, 7, 14))
    assert rules.transfer_prompt_due(direction="flow_out", started_on=started, fixed_place=True,
                                     today=date(2026, 7, 15))
    assert not rules.transfer_prompt_due(direction="flow_out", started_on=started, fixed_place=False,
                                         today=date(2026, 12, 1))


def test_report_reminder_is_due_in_the_last_month_of_a_half_without_a_report():
    """seed 001 第十一条 "每年至少…汇报两次": at least one report in each half-year."""
    assert rules.report_reminder_due(direction="flow_out", started_on=date(2026, 2, 1), today=date(2026, 6, 1),
                                     reported_this_half=False)
    assert not rules.report_reminder_due(direction="flow_out", started_on=date(2026, 2, 1),
                                         today=date(2026, 5, 31), reported_this_half=False)
    assert not rules.report_reminder_due(direction="flow_out", started_on=date(2026, 2, 1),
                                         today=date(2026, 6, 10), reported_this_half=True)
    assert not rules.report_reminder_due(direction="flow_out", started_on=date(2026, 6, 5),
                                         today=date(2026, 6, 10), reported_this_half=False)


def test_half_year_keys_name_the_period():
    assert rules.half_year_of(date(2026, 12, 3)).key == "2026H2"
    assert rules.half_year_of(date(2026, 6, 30)).label == "2026年上半年"


def test_a_branch_without_committee_decides_by_the_general_meeting():
    """seed 000: "不设支部委员会的由支部大会"."""
    with pytest.raises(RuleViolation) as error:
        rules.check_decision_body(body="committee", has_committee=False)
    assert error.value.code == "decision.no_committee"
    rules.check_decision_body(body="general_meeting", has_committee=False)


def test_disposal_steps_must_follow_the_procedure():
    """seed 001 第十五条: "对党员的组织处理一般应按以下程序进行" — (1) … (5) in order."""
    with pytest.raises(RuleViolation) as error:
        rules.check_step(current=rules.STEP_INVESTIGATED, action="vote")
    assert error.value.code == "disposal.out_of_order"
    rules.check_step(current=rules.STEP_PRE_REVIEWED, action="vote")


def test_persuasion_and_removal_also_go_to_the_county_department():
    """seed 001 第十五条: "对拟作出劝退、除名处置的,由镇党委报市委组织部门预审"."""
    assert rules.needs_county(rules.MEASURE_PERSUADE)
    assert rules.needs_county(rules.MEASURE_REMOVE)
    assert not rules.needs_county(rules.MEASURE_RECTIFY)


def test_correction_period_is_one_year():
    """seed 001 第十四条: "限期改正的时间为一年"."""
    assert rules.rectify_until(date(2026, 7, 15)) == date(2027, 7, 15)
    assert rules.rectify_until(date(2024, 2, 29)) == date(2025, 2, 28)


def test_only_a_probationary_member_under_correction_has_the_probation_extended():
    """seed 001 第十四条: "限期改正的时间为一年,预备党员可同时作出延长预备期处理"."""
    rules.check_probation_extension(extend=True, measure=rules.MEASURE_RECTIFY, member_status="probationary")
    with pytest.raises(RuleViolation):
        rules.check_probation_extension(extend=True, measure=rules.MEASURE_RECTIFY, member_status="full")
    with pytest.raises(RuleViolation):
        rules.check_probation_extension(extend=True, measure=rules.MEASURE_REMOVE, member_status="probationary")


def test_self_lapse_leads_to_removal_after_criticism_and_education():
    """seed 001 第十四条: "没有正当理由,连续 6 个月不交纳党费的…经批评教育仍不改正的,视为自动脱党,支部大会
    应当讨论作出除名处理决定"."""
    with pytest.raises(RuleViolation) as error:
        rules.check_self_lapse(grounds=["dues"], measure=rules.MEASURE_RECTIFY, education="谈话两次")
    assert error.value.code == "disposal.lapse_measure"
    with pytest.raises(RuleViolation) as error:
        rules.check_self_lapse(grounds=["dues"], measure=rules.MEASURE_REMOVE, education=" ")
    assert error.value.code == "disposal.lapse_education"
    rules.check_self_lapse(grounds=["dues", "life"], measure=rules.MEASURE_REMOVE, education="书记谈话两次")


def test_a_vote_needs_a_quorum_and_more_than_half_in_favour():
    assert rules.check_vote(rules.Vote(eligible=20, attended=15, in_favour=11, against=3, abstained=1))
    assert not rules.check_vote(rules.Vote(eligible=20, attended=15, in_favour=10, against=4, abstained=1))
    with pytest.raises(RuleViolation) as error:
        rules.check_vote(rules.Vote(eligible=20, attended=10, in_favour=10, against=0, abstained=0))
    assert error.value.code == "disposal.vote_quorum"


def test_rectify_reminders_start_thirty_days_before_the_deadline():
    until = date(2027, 7, 15)
    assert rules.rectify_reminder(until=until, today=date(2027, 6, 14)) is None
    assert rules.rectify_reminder(until=until, today=date(2027, 6, 15)) == "near"
    assert rules.rectify_reminder(until=until, today=until) == "reached"


def test_the_correction_is_judged_when_the_year_is_up():
    """seed 001 第十四条: "限期改正期满,仍不符合党员条件的,要给予劝退处理"."""
    with pytest.raises(RuleViolation) as error:
        rules.check_rectification_conclusion(until=date(2027, 7, 15), concluded_on=date(2027, 7, 14),
                                             today=date(2027, 8, 1))
    assert error.value.code == "disposal.rectify_not_due"


def test_conversion_is_discussed_after_the_probation_year():
    """党章第七条: "预备党员的预备期为一年"."""
    with pytest.raises(RuleViolation) as error:
        rules.check_make_full(status="probationary", joined_on=date(2025, 3, 1), probation_ends=date(2026, 3, 1),
                              meeting_on=date(2026, 2, 20), approved_on=date(2026, 3, 5), today=date(2026, 7, 15))
    assert error.value.code == "member.probation_not_over"


def test_an_extended_probation_ends_at_most_a_year_later():
    """党章第七条: 延长预备期，最长不超过一年."""
    assert rules.probation_extension_until(date(2026, 1, 10)) == date(2028, 1, 10)


def test_age_counts_full_years():
    assert rules.age_on(date(1980, 7, 16), date(2026, 7, 15)) == 45
    assert rules.age_on(date(1980, 7, 15), date(2026, 7, 15)) == 46
