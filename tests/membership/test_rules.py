"""Member-register rules, from the rule text alone (no database)."""

from datetime import date

import pytest

from membership import rules
from partyadmin.errors import RuleViolation

TODAY = date(2024, 6, 1)


def violation(call, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        call(*args, **kwargs)
    return caught.value


# --- 公民身份号码 (GB 11643-1999) ---------------------------------------------------------

def test_known_valid_id_number_is_accepted_with_birth_date_and_gender():
    """GB 11643-1999: 校验码 = 前17位数字分别乘以 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 之和模11，
    对应 "10X98765432"；第17位顺序码奇数为男、偶数为女。标准示例 11010519491231002X。"""
    parsed = rules.validate_id_number("11010519491231002X")
    assert parsed.number == "11010519491231002X"
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.gender == rules.FEMALE


def test_odd_sequence_digit_means_male():
    """GB 11643-1999: 顺序码的奇数分配给男性，偶数分配给女性。"""
    assert rules.validate_id_number("41080219800512001X").gender == rules.MALE


def test_wrong_check_digit_is_rejected():
    """GB 11643-1999: 校验码按 ISO 7064:1983.MOD 11-2 计算，不符即号码错误。"""
    error = violation(rules.validate_id_number, "110105194912310021")
    assert (error.code, error.field) == ("id_number.checksum", "id_number")
    assert "校验位" in error.message


def test_impossible_birth_date_is_rejected_even_with_a_correct_check_digit():
    """GB 11643-1999: 出生日期码表示编码对象出生的年、月、日 — 1949-02-30 does not exist."""
    error = violation(rules.validate_id_number, "110105194902300012")
    assert (error.code, error.field) == ("id_number.birth_date", "id_number")


def test_birth_date_in_the_future_is_rejected():
    number = "410802203001010016"
    error = violation(rules.validate_id_number, number[:17] + rules.check_digit(number[:17]), today=TODAY)
    assert error.code == "id_number.birth_date"


def test_lower_case_x_is_accepted_and_normalized():
    """GB 11643-1999: 校验码 10 记为罗马数字 X; a lower-case x typed by a clerk is the same number."""
    assert rules.validate_id_number(" 11010519491231002x ").number == "11010519491231002X"


@pytest.mark.parametrize("value", ["", "11010519491231002", "1101051949123100XX", "11010519491231002Y",
                                   "110105 9491231002X"])
def test_malformed_id_number_is_rejected(value):
    """GB 11643-1999: 公民身份号码是十八位特征组合码：十七位数字本体码和一位校验码。"""
    assert violation(rules.validate_id_number, value).code == "id_number.format"


def test_birth_date_must_match_the_id_number():
    parsed = rules.validate_id_number("41080219800512001X")
    error = violation(rules.check_matches_id_number, parsed, birth_date=date(1980, 5, 13), gender="male")
    assert (error.code, error.field) == ("person.birth_date_mismatch", "birth_date")


def test_gender_must_match_the_id_number():
    parsed = rules.validate_id_number("41080219800512001X")
    error = violation(rules.check_matches_id_number, parsed, birth_date=date(1980, 5, 12), gender="female")
    assert (error.code, error.field) == ("person.gender_mismatch", "gender")


def test_matching_birth_date_and_gender_pass():
    parsed = rules.validate_id_number("41080219800512001X")
    rules.check_matches_id_number(parsed, birth_date=date(1980, 5, 12), gender="male")


# --- 联系电话 ------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("+8619912345678", "19912345678"),
    ("0371-12345678", "0371-12345678"),
    ("037112345678", "0371-12345678"),
    ("01012345678", "010-12345678"),
])
def test_mobile_and_landline_numbers_are_accepted_and_normalized(value, expected):
    assert rules.normalize_phone(value) == expected


@pytest.mark.parametrize("value", ["12345678901", "1381234567", "138123456789", "10086", "0371-123", "abc"])
def test_malformed_phone_is_rejected(value):
    error = violation(rules.normalize_phone, value)
    assert (error.code, error.field) == ("phone.format", "phone")


# --- 姓名 ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["张三", "欧阳建国", "阿依古丽·买买提"])
def test_chinese_names_are_accepted(value):
    assert rules.check_name(value) == value


@pytest.mark.parametrize("value", ["", "张", "Zhang San", "张3"])
def test_other_names_are_rejected(value):
    assert violation(rules.check_name, value).field == "name"


# --- 入党日期、转正日期 ----------------------------------------------------------------------

def test_joining_before_the_18th_birthday_is_rejected():
    """党章第一条: "年满十八岁的中国工人、农民、军人、知识分子和其他社会阶层的先进分子，承认党的纲领和章程，
    愿意参加党的一个组织并在其中积极工作、执行党的决议和按期交纳党费的，可以申请加入中国共产党。"""
    error = violation(rules.check_joined_on, birth_date=date(2000, 3, 15), joined_on=date(2018, 3, 14), today=TODAY)
    assert (error.code, error.field) == ("member.joined_under_18", "joined_on")
    assert "十八岁" in error.message


def test_joining_on_the_18th_birthday_is_accepted():
    """党章第一条: "年满十八岁……可以申请加入中国共产党" — the birthday itself counts as 年满十八岁."""
    rules.check_joined_on(birth_date=date(2000, 3, 15), joined_on=date(2018, 3, 15), today=TODAY)


def test_born_on_29_february_is_18_on_28_february_of_a_common_year():
    """《民法典》第二百零三条: a period without a corresponding day ends on the last day of the month."""
    rules.check_joined_on(birth_date=date(2004, 2, 29), joined_on=date(2022, 2, 28), today=TODAY)
    with pytest.raises(RuleViolation):
        rules.check_joined_on(birth_date=date(2004, 2, 29), joined_on=date(2022, 2, 27), today=TODAY)


def test_joining_in_the_future_is_rejected():
    error = violation(rules.check_joined_on, birth_date=date(1980, 1, 1), joined_on=date(2024, 6, 2), today=TODAY)
    assert error.code == "member.joined_in_future"


def test_full_date_before_join_date_is_rejected():
    """党章第七条: "预备党员的预备期为一年……预备期满……讨论能否转为正式党员" — conversion comes after joining."""
    error = violation(rules.check_full_on, status="full", joined_on=date(2010, 7, 1), full_on=date(2010, 6, 30),
                      today=TODAY)
    assert (error.code, error.field) == ("member.full_on_before_joined", "full_on")


def test_full_date_within_the_one_year_probation_is_rejected():
    """党章第七条: "预备党员的预备期为一年。" """
    error = violation(rules.check_full_on, status="full", joined_on=date(2010, 7, 1), full_on=date(2011, 6, 30),
                      today=TODAY)
    assert error.code == "member.probation_too_short"


def test_full_date_one_year_after_joining_is_accepted():
    """党章第七条: "预备党员的预备期为一年。" """
    rules.check_full_on(status="full", joined_on=date(2010, 7, 1), full_on=date(2011, 7, 1), today=TODAY)


def test_full_member_needs_a_full_date():
    error = violation(rules.check_full_on, status="full", joined_on=date(2010, 7, 1), full_on=None, today=TODAY)
    assert (error.code, error.field) == ("member.full_on_required", "full_on")


def test_probationary_member_has_no_full_date():
    error = violation(rules.check_full_on, status="probationary", joined_on=date(2023, 7, 1),
                      full_on=date(2024, 7, 1), today=TODAY)
    assert error.code == "member.full_on_for_probationary"


# --- 流动党员、免于积分评星 ----------------------------------------------------------------

def test_floating_member_names_the_other_organization():
    """Seed 001: 外出……领取流动党员活动证 — the register records where the member went."""
    error = violation(rules.check_flow, flow="flow_out", flow_organization=" ")
    assert error.field == "flow_organization"
    rules.check_flow(flow="none", flow_organization="")


def test_exemption_needs_a_reason():
    """Seed 000: "年老体弱、长期患病、行动不便等有特殊情况的党员，经本人申请、党支部研究同意，可不参加"."""
    error = violation(rules.check_exemption, is_exempt=True, exempt_reason="")
    assert error.field == "exempt_reason"
    rules.check_exemption(is_exempt=True, exempt_reason="年老体弱")
