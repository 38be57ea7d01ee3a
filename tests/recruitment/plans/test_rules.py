"""The plan's rules as pure functions, next to the seed sentences they implement."""

from decimal import Decimal

import pytest

from partyadmin.errors import RuleViolation
from recruitment.plans import rules


def test_net_growth_guideline_is_one_and_a_half_percent():
    """Seed 003 item 11: "未来10年，全市党员数量年均净增1.5%左右"."""
    assert rules.net_growth_guideline(10_000) == 150
    assert rules.net_growth_guideline(233) == 3  # 3.495 → 3
    assert rules.net_growth_guideline(300) == 5  # 4.5 → 5 (half up)
    assert rules.net_growth_guideline(0) == 0


def test_share_percent():
    assert rules.share_percent(3, 200) == Decimal("1.50")
    assert rules.share_percent(1, 0) is None


def test_number_text_is_county_year_and_four_digits():
    """Seed 003 item 11: "实行入党志愿书编码管理制度"."""
    assert rules.form_number_text(county_code="C01", year=2026, seq=7) == "C01-2026-0007"
    assert rules.form_number_text(county_code="C01", year=2026, seq=12345) == "C01-2026-12345"


def _plan(**overrides):
    values = {"year": 2026, "total_quota": 10, "domain_quotas": {}, "township_quotas": {},
              "target_group_targets": {}, "domains": {"rural", "community"}, "townships": {"7"},
              "target_groups": {"woman"}}
    values.update(overrides)
    rules.check_plan(**values)


def test_plan_division_within_the_total():
    """Seed 003 item 11: "分领域、分行业、分类别研究制定年度计划，做到有控、有保、有减、有增"."""
    _plan(domain_quotas={"rural": 6, "community": 4}, township_quotas={"7": 10}, target_group_targets={"woman": 3})
    with pytest.raises(RuleViolation, match="超过计划发展总数"):
        _plan(domain_quotas={"rural": 6, "community": 5})
    with pytest.raises(RuleViolation, match="超过计划发展总数"):
        _plan(township_quotas={"7": 11})


@pytest.mark.parametrize("bad", [{"domain_quotas": {"moon": 1}}, {"township_quotas": {"8": 1}},
                                 {"target_group_targets": {"nobody": 1}}, {"total_quota": -1},
                                 {"domain_quotas": {"rural": True}}, {"year": 1949}])
def test_plan_refuses_unknown_keys_and_bad_numbers(bad):
    with pytest.raises(RuleViolation):
        _plan(**bad)


def test_quota_left():
    """Seed 000 二(二)5: "市委组织部按照年度党员发展计划和发展对象名单，编号后发放《入党志愿书》"."""
    state = dict(total_quota=3, issued=2, domain_quota=None, domain_issued=0, domain_label="农村",
                 township_quota=None, township_issued=0, township_label="")
    rules.check_quota_left(rules.QuotaState(**state))
    with pytest.raises(RuleViolation, match="名额（3 名）已用完"):
        rules.check_quota_left(rules.QuotaState(**{**state, "issued": 3}))
    with pytest.raises(RuleViolation, match="未给“农村”领域安排名额"):
        rules.check_quota_left(rules.QuotaState(**{**state, "domain_quota": 0}))
    with pytest.raises(RuleViolation, match="“农村”领域本年度计划名额（1 名）已用完"):
        rules.check_quota_left(rules.QuotaState(**{**state, "domain_quota": 1, "domain_issued": 1}))
