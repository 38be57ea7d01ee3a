"""Filing rules from the seed text alone: routing, due dates, overdue, the material allow-list."""

from datetime import date

import pytest

from audit.filings import rules
from audit.filings.rules import Kind, Node, OrgKind
from partyadmin.errors import RuleViolation

MUNICIPAL = Node(1, OrgKind.MUNICIPAL_DEPT, name="市委组织部")
COUNTY = Node(2, OrgKind.COUNTY_DEPT, name="县委组织部")
TOWNSHIP = Node(3, OrgKind.COMMITTEE, can_approve_admission=True, name="城关镇党委")
GENERAL = Node(4, OrgKind.GENERAL_BRANCH, name="某村党总支")
RURAL = Node(5, OrgKind.COMMITTEE, can_approve_admission=False, name="某村党委（农村基层党委）")
ORGAN_COMMITTEE = Node(6, OrgKind.COMMITTEE, can_approve_admission=True, name="县直机关党委")
BRANCH = Node(9, OrgKind.BRANCH, name="第一党支部")


def no_calendar(start: date, n: int) -> date:  # the 备案 / 审批 rules never count working days
    raise AssertionError("working days not expected")


# --- routing: a table of cases ------------------------------------------------------------------------

ROUTES = [
    # (case, origin, ancestors nearest first, kind, expected target)
    ("branch under township: 备案", BRANCH, [TOWNSHIP, COUNTY, MUNICIPAL], Kind.RECORD, TOWNSHIP),
    ("branch under township: 审批", BRANCH, [TOWNSHIP, COUNTY, MUNICIPAL], Kind.APPROVE, TOWNSHIP),
    ("branch under township: 预审", BRANCH, [TOWNSHIP, COUNTY, MUNICIPAL], Kind.PRE_REVIEW, TOWNSHIP),
    ("branch under township: 审议", BRANCH, [TOWNSHIP, COUNTY, MUNICIPAL], Kind.REVIEW, TOWNSHIP),
    ("branch under general branch: 审议 by the general branch", BRANCH, [GENERAL, TOWNSHIP, COUNTY], Kind.REVIEW,
     GENERAL),
    ("branch under general branch: 备案 passes it over", BRANCH, [GENERAL, TOWNSHIP, COUNTY], Kind.RECORD, TOWNSHIP),
    ("branch under general branch: 审批 passes it over", BRANCH, [GENERAL, TOWNSHIP, COUNTY], Kind.APPROVE,
     TOWNSHIP),
    ("branch under rural committee: 审议 by the rural committee", BRANCH, [RURAL, TOWNSHIP, COUNTY], Kind.REVIEW,
     RURAL),
    ("branch under rural committee: 备案 to the township", BRANCH, [RURAL, TOWNSHIP, COUNTY], Kind.RECORD, TOWNSHIP),
    ("branch under rural committee: 审批 to the township", BRANCH, [RURAL, TOWNSHIP, COUNTY], Kind.APPROVE,
     TOWNSHIP),
    ("branch directly under a base committee with power", BRANCH, [ORGAN_COMMITTEE, COUNTY, MUNICIPAL],
     Kind.RECORD, ORGAN_COMMITTEE),
    ("approving committee files step 18 with the county", TOWNSHIP, [COUNTY, MUNICIPAL], Kind.RECORD, COUNTY),
    ("approving committee asks the county to pre-review", TOWNSHIP, [COUNTY, MUNICIPAL], Kind.PRE_REVIEW, COUNTY),
    ("county-level filing goes to the municipal department", COUNTY, [MUNICIPAL], Kind.RECORD, MUNICIPAL),
    ("county-level 审批 goes to the municipal department", COUNTY, [MUNICIPAL], Kind.APPROVE, MUNICIPAL),
]


@pytest.mark.parametrize(("case", "origin", "ancestors", "kind", "expected"), ROUTES, ids=[r[0] for r in ROUTES])
def test_routing_table(case, origin, ancestors, kind, expected):
    """seed 000 二(一)4: "上级党委接到党支部报送的备案材料后…乡镇（街道）党（工）委所属的农村、社区基层党委，
    不能审批和备案入党积极分子，但应对党支部确定的入党积极分子进行审议。"
    seed 000 二(一)3: "党总支应对党支部确定的入党积极分子进行审议。"
    《细则》 step 18: "再上一级党委组织部门备案"."""
    assert rules.route(kind=kind, origin=origin, ancestors=ancestors) == expected


def test_rural_committee_without_power_never_receives_a_record_filing():
    """seed 000: "乡镇（街道）党（工）委所属的农村、社区基层党委，不能审批和备案入党积极分子"."""
    for kind in (Kind.RECORD, Kind.APPROVE, Kind.PRE_REVIEW):
        assert rules.route(kind=kind, origin=BRANCH, ancestors=[RURAL, TOWNSHIP, COUNTY]) != RURAL


def test_no_committee_with_approval_power_is_refused_with_a_clear_message():
    with pytest.raises(RuleViolation) as error:
        rules.route(kind=Kind.RECORD, origin=BRANCH, ancestors=[RURAL, COUNTY])
    assert error.value.code == "filing.no_approver"
    assert "审批权" in error.value.message


def test_county_without_a_municipal_department_has_no_superior():
    with pytest.raises(RuleViolation) as error:
        rules.route(kind=Kind.RECORD, origin=COUNTY, ancestors=[])
    assert error.value.code == "filing.no_superior"


def test_explicit_target_must_be_a_superior():
    rules.check_explicit_target(target_id=TOWNSHIP.id, ancestors=[TOWNSHIP, COUNTY])
    with pytest.raises(RuleViolation):
        rules.check_explicit_target(target_id=99, ancestors=[TOWNSHIP, COUNTY])


# --- due dates ----------------------------------------------------------------------------------------

def test_record_is_answered_within_one_calendar_month():
    """seed 000 二(一)4: "党委的备案意见应在一个月内以书面形式通知党支部。\""""
    due = rules.due_on(kind=Kind.RECORD, submitted_on=date(2024, 3, 15), review_period={}, add_working_days=no_calendar)
    assert due == date(2024, 4, 15)


def test_one_month_from_31_january_is_the_last_day_of_february():
    """DESIGN §2.2: "'One month' is a calendar month (2024-01-31 + 1 month = 2024-02-29)"."""
    due = rules.due_on(kind=Kind.RECORD, submitted_on=date(2024, 1, 31), review_period={}, add_working_days=no_calendar)
    assert due == date(2024, 2, 29)


def test_approval_is_due_within_three_months():
    """《细则》第二十九条 (DESIGN §4 step 17): 上级党委审批 "within 3 months"."""
    due = rules.due_on(kind=Kind.APPROVE, submitted_on=date(2024, 11, 30), review_period={},
                       add_working_days=no_calendar)
    assert due == date(2025, 2, 28)


def test_review_and_pre_review_follow_the_policy_period():
    calls = []

    def fake_calendar(start: date, n: int) -> date:
        calls.append((start, n))
        return date(2024, 10, 22)

    for kind in (Kind.REVIEW, Kind.PRE_REVIEW):
        due = rules.due_on(kind=kind, submitted_on=date(2024, 9, 27), review_period={"unit": "working_days", "count": 15},
                           add_working_days=fake_calendar)
        assert due == date(2024, 10, 22)
    assert calls == [(date(2024, 9, 27), 15)] * 2


def test_review_period_in_calendar_days():
    due = rules.due_on(kind=Kind.REVIEW, submitted_on=date(2024, 9, 27), review_period={"unit": "days", "count": 7},
                       add_working_days=no_calendar)
    assert due == date(2024, 10, 4)


def test_approval_may_be_extended_to_six_months_and_no_further():
    """《细则》第二十九条: "特殊情况可以延长审批时间，但不得超过六个月"."""
    rules.check_extension(kind=Kind.APPROVE, submitted_on=date(2024, 1, 31), current_deadline=date(2024, 4, 30),
                          until=date(2024, 7, 31))
    with pytest.raises(RuleViolation) as error:
        rules.check_extension(kind=Kind.APPROVE, submitted_on=date(2024, 1, 31), current_deadline=date(2024, 4, 30),
                              until=date(2024, 8, 1))
    assert error.value.code == "filing.extension_too_long"


def test_only_approval_can_be_extended():
    with pytest.raises(RuleViolation) as error:
        rules.check_extension(kind=Kind.RECORD, submitted_on=date(2024, 1, 2), current_deadline=date(2024, 2, 2),
                              until=date(2024, 2, 20))
    assert error.value.code == "filing.extension_not_allowed"


def test_extension_must_be_later_than_the_current_deadline():
    with pytest.raises(RuleViolation) as error:
        rules.check_extension(kind=Kind.APPROVE, submitted_on=date(2024, 1, 2), current_deadline=date(2024, 4, 2),
                              until=date(2024, 4, 2))
    assert error.value.code == "filing.extension_not_later"


# --- overdue and decisions ------------------------------------------------------------------------------

def test_a_pending_filing_is_overdue_from_the_day_after_its_last_day():
    assert not rules.is_overdue(deadline=date(2024, 2, 29), today=date(2024, 2, 29), pending=True)
    assert rules.is_overdue(deadline=date(2024, 2, 29), today=date(2024, 3, 1), pending=True)


def test_a_decided_filing_is_never_overdue():
    assert not rules.is_overdue(deadline=date(2024, 2, 29), today=date(2024, 6, 1), pending=False)


def test_returning_requires_an_opinion():
    with pytest.raises(RuleViolation) as error:
        rules.check_decision(decision="return", opinion="  ")
    assert error.value.field == "opinion"
    rules.check_decision(decision="approve", opinion="")


# --- materials ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("head", "entries", "expected"), [
    (b"%PDF-1.7\n", None, "pdf"),
    (b"\xff\xd8\xff\xe0", None, "jpeg"),
    (b"\x89PNG\r\n\x1a\n", None, "png"),
    (b"PK\x03\x04", frozenset({"[Content_Types].xml", "word/document.xml"}), "docx"),
    (b"PK\x03\x04", frozenset({"[Content_Types].xml", "xl/workbook.xml"}), "xlsx"),
    (b"PK\x03\x04", frozenset({"payload.exe"}), None),
    (b"MZ\x90\x00", None, None),
    (b"<html>", None, None),
])
def test_type_is_told_by_content(head, entries, expected):
    assert rules.sniff(head, entries) == expected


def test_name_extension_must_match_the_content():
    with pytest.raises(RuleViolation) as error:
        rules.check_material(name="报告.pdf", size=100, detected="png")
    assert "扩展名与文件内容" in error.value.message


def test_materials_over_10_mb_are_refused():
    with pytest.raises(RuleViolation) as error:
        rules.check_material(name="a.pdf", size=rules.MAX_MATERIAL_BYTES + 1, detected="pdf")
    assert "10 MB" in error.value.message
