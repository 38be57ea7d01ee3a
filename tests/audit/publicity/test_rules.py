"""The publicity rules, from the seed text alone (no database)."""

from datetime import date, timedelta

import pytest

from audit.publicity import rules
from partyadmin.errors import RuleViolation


def fake_working_days(start: date, n: int) -> date:
    """Monday–Friday only: enough to show which function the rule calls."""
    day, counted = start, 0
    while True:
        if day.weekday() < 5:
            counted += 1
            if counted == n:
                return day
        day += timedelta(days=1)


# --- public fields ---------------------------------------------------------------------------------


def test_standard_fields_are_publicized():
    """seed 000: "公示内容…主要包括姓名、性别、年龄、文化程度、职业、职务及民主评议、票决结果等情况。"""
    fields = {"name": "张伟", "gender": "男", "age": 28, "education": "大学本科", "occupation": "教师",
              "position": "教研组长", "results": "综合评价优秀18票，差0票"}
    assert rules.check_public_fields(fields) == fields


def test_vote_tallies_may_be_a_small_table():
    """seed 000: "…及民主评议、票决结果等情况" — counts per option."""
    checked = rules.check_public_fields({"name": "张伟", "results": {"赞成": 23, "反对": 1, "弃权": 0}})
    assert checked["results"] == {"赞成": 23, "反对": 1, "弃权": 0}


@pytest.mark.parametrize("key", ["id_number", "ID_No", "idcard", "phone", "mobile", "contact_phone", "tel",
                                 "address", "home_address", "birth_date", "birthday", "身份证号", "联系电话",
                                 "家庭住址", "出生年月"])
def test_personal_data_is_refused_by_key_name(key):
    """DESIGN §2.1: ID number, phone, address "never appear in publicity"; seed 000 publicizes age, not birth date."""
    with pytest.raises(RuleViolation) as refused:
        rules.check_public_fields({"name": "张伟", key: "x"})
    assert refused.value.code == "publicity.private_field"
    assert key in refused.value.message and "不能公示" in refused.value.message


def test_birth_date_refusal_suggests_age():
    """seed 000 lists 年龄 among the public fields: a birth date is refused with a hint to use the age."""
    with pytest.raises(RuleViolation) as refused:
        rules.check_public_fields({"name": "张伟", "birth_date": "1996-05-01"})
    assert "出生日期" in refused.value.message and "年龄" in refused.value.message


@pytest.mark.parametrize(("key", "value", "what"), [
    ("results", "身份证41080219800512001X", "身份证号码"),
    ("position", "41080219800512001x", "身份证号码"),
    ("occupation", "电话13812345678", "手机号码"),
    ("position", "138-1234-5678", "手机号码"),
    ("results", "+86 138 1234 5678", "手机号码"),
    ("position", 13812345678, "手机号码"),
    ("occupation", "0391-2345678", "电话号码"),
])
def test_personal_data_is_refused_by_value(key, value, what):
    """A second line behind the key names: an ID or phone number typed into any public field."""
    with pytest.raises(RuleViolation) as refused:
        rules.check_public_fields({"name": "张伟", key: value})
    assert refused.value.code == "publicity.private_field"
    assert what in refused.value.message and rules.STANDARD_FIELDS[key] in refused.value.message


def test_vote_counts_are_not_mistaken_for_phone_numbers():
    checked = rules.check_public_fields({"name": "张伟", "results": "到会党员23人，同意22票"})
    assert checked["results"] == "到会党员23人，同意22票"


def test_undeclared_keys_are_refused():
    """seed 000: the notice holds the listed items: anything else must be declared by the caller."""
    with pytest.raises(RuleViolation) as refused:
        rules.check_public_fields({"name": "张伟", "quarter_total": 92})
    assert refused.value.code == "publicity.field_not_allowed"


def test_declared_result_keys_are_allowed():
    declared = rules.check_result_fields({"quarter_total": "季度积分", "rank": "排名"})
    assert rules.check_public_fields({"name": "张伟", "quarter_total": 92.5, "rank": 3}, result_fields=declared) == {
        "name": "张伟", "quarter_total": 92.5, "rank": 3,
    }


@pytest.mark.parametrize("declared", [{"phone": "联系电话"}, {"home": "家庭住址"}, {"idx": "身份证"}])
def test_personal_data_cannot_be_declared_as_a_result(declared):
    with pytest.raises(RuleViolation) as refused:
        rules.check_result_fields(declared)
    assert refused.value.code == "publicity.private_field"


def test_every_entry_needs_a_name():
    with pytest.raises(RuleViolation) as refused:
        rules.check_public_fields({"gender": "男"})
    assert refused.value.code == "publicity.name_missing"


def test_age_must_be_whole_years():
    with pytest.raises(RuleViolation):
        rules.check_public_fields({"name": "张伟", "age": "二十八"})
    assert rules.check_public_fields({"name": "张伟", "age": "28"})["age"] == 28


def test_columns_follow_the_standard_order_and_only_what_is_present():
    columns = rules.columns_for([{"results": "优秀", "name": "张伟"}, {"name": "李娜", "gender": "女"}],
                                results_label="评议结果")
    assert columns == [["name", "姓名"], ["gender", "性别"], ["results", "评议结果"]]


# --- scope ---------------------------------------------------------------------------------------------


def test_scope_is_branch_members_and_unit_or_residence_masses():
    """seed 000: "公示范围。党支部全体党员，所在单位或居住地群众。"""
    assert rules.check_scope(["unit_masses", "branch_members"]) == ["branch_members", "unit_masses"]
    with pytest.raises(RuleViolation):
        rules.check_scope([])
    with pytest.raises(RuleViolation):
        rules.check_scope(["everyone"])


# --- dates -----------------------------------------------------------------------------------------------


def test_working_day_period_counts_working_days():
    """seed 000: "公示期限一般为5个工作日"."""
    end = rules.window_end(date(2024, 6, 14), rules.Period("working_days", 5), add_working_days=fake_working_days)
    assert end == date(2024, 6, 20)


def test_calendar_day_period_counts_the_opening_day():
    """seed 003: "公示时间不少于7天" — opened on the 1st, 7 days close at the end of the 7th."""
    end = rules.window_end(date(2024, 9, 27), rules.Period("days", 7), add_working_days=fake_working_days)
    assert end == date(2024, 10, 3)


def test_bad_policy_values_are_refused():
    for value in ({"unit": "weeks", "count": 1}, {"unit": "days", "count": 0}, {"unit": "days", "count": True}, None):
        with pytest.raises(RuleViolation):
            rules.period_from_policy(value)
    assert rules.period_from_policy({"unit": "days", "count": 7}) == rules.Period("days", 7)


def test_a_window_cannot_start_in_the_past():
    with pytest.raises(RuleViolation) as refused:
        rules.check_start(date(2024, 9, 26), today=date(2024, 9, 27))
    assert refused.value.field == "starts_on"


def test_objections_only_while_open_and_within_dates():
    """seed 000: "对公示期间群众反映的问题要认真调查核实"."""
    window = {"starts_on": date(2024, 9, 27), "ends_on": date(2024, 10, 9)}
    assert rules.accepts_objections(status="open", today=date(2024, 10, 9), **window)
    assert not rules.accepts_objections(status="open", today=date(2024, 10, 10), **window)
    assert not rules.accepts_objections(status="closed", today=date(2024, 10, 9), **window)


def test_paper_objections_must_have_been_received_during_the_window():
    window = {"starts_on": date(2024, 9, 27), "ends_on": date(2024, 10, 9)}
    rules.check_received_during_window(date(2024, 10, 9), today=date(2024, 10, 11), **window)
    with pytest.raises(RuleViolation):
        rules.check_received_during_window(date(2024, 10, 10), today=date(2024, 10, 11), **window)
    with pytest.raises(RuleViolation):
        rules.check_received_during_window(date(2024, 10, 12), today=date(2024, 10, 11), **window)


def test_period_is_written_the_chinese_way():
    assert rules.format_period(date(2024, 9, 27), date(2024, 10, 9)) == "2024年9月27日至2024年10月9日"


def test_known_kinds_have_labels_and_unknown_kinds_need_one():
    assert rules.kind_label_for("recruitment.activist") == "入党积极分子公示"
    assert rules.kind_label_for("grouping.post_list", "岗位清单公示") == "岗位清单公示"
    with pytest.raises(RuleViolation):
        rules.kind_label_for("grouping.post_list")
