"""The arithmetic of each built-in template on a worked example, quoting its seed (pure: no database)."""

from datetime import date
from decimal import Decimal

import pytest

from partyadmin.errors import RuleViolation
from scoring import rules
from scoring.templates_builtin import TEMPLATES, decimal_or_none

D = Decimal


def setup(code: str):
    template = TEMPLATES[code]
    ids = {data["code"]: n for n, data in enumerate(template.items, 1)}
    items = {
        ids[data["code"]]: rules.ItemRule(id=ids[data["code"]], section=data["section"], part=data["part"],
                                          cap=decimal_or_none(data["cap"]), cap_period=data["cap_period"])
        for data in template.items
    }
    scheme = rules.SchemeRules(
        mode=template.mode, aggregation=template.aggregation,
        part_caps={k: D(v) for k, v in template.part_caps.items()}, total_cap=decimal_or_none(template.total_cap),
        floor_zero=template.floor_zero, veto_zeroes=template.veto_zeroes)
    data = {d["code"]: d for d in template.items}

    def p(code_: str, points: str, day: date, times: int = 1) -> list[rules.Points]:
        return [rules.Points(item_id=ids[code_], points=D(points), occurred_on=day,
                             is_veto=data[code_]["section"] == "veto")] * times

    return items, scheme, p


def test_company_year_is_the_average_of_the_quarters():
    """001 公司: "党员年度积分=党员季度积分之和÷4"; 日常行为积分(90 分) + 创新创业分(10 分)."""
    items, scheme, p = setup("seed001_company")
    full = ["z1", "z2", "z3", "o1", "o2", "o3", "o4", "o5", "l1", "l2", "l3", "r2", "f1", "f4", "f5"]
    values = {"z1": "3", "z2": "3", "z3": "4", "o1": "10", "o2": "5", "o3": "5", "o4": "5", "o5": "5", "l1": "3",
              "l2": "4", "l3": "3", "r2": "3", "f1": "4", "f4": "5", "f5": "5"}

    def quarter_rows(day: date, skip: tuple[str, ...] = ()) -> list[rules.Points]:
        rows = [row for code in full if code not in skip for row in p(code, values[code], day)]
        return rows + p("r1", "5", day) + p("r3", "4", day) + p("f2", "10", day) + p("f3", "4", day)

    rows = (quarter_rows(date(2026, 2, 1)) + p("c1", "2", date(2026, 2, 1))  # 90 + 2 = 92
            + quarter_rows(date(2026, 5, 1))  # 90
            + quarter_rows(date(2026, 8, 1))  # 90
            + quarter_rows(date(2026, 11, 1), skip=("z1", "r2")))  # 90 - 3 - 3 = 84
    score = rules.year_score(rows, items, scheme)
    assert [score.quarters[q].total for q in (1, 2, 3, 4)] == [D("92"), D("90"), D("90"), D("84")]
    assert score.total == D("89.00")  # (92 + 90 + 90 + 84) ÷ 4


def test_company_caps_and_veto():
    """"受到股份公司表彰,1 次加 3 分…(上限 5 分)"; 一票否决: "不论积分的高低,一律取消期间的所有积分"."""
    items, scheme, p = setup("seed001_company")
    day = date(2026, 4, 10)
    q = rules.period_score(p("c1", "3", day, times=3), items, scheme)
    assert q.total == D("5")  # three commendations (9) capped at 5 for the item
    q = rules.period_score(p("c1", "3", day, times=2) + p("c2", "5", day) + p("o1", "10", day), items, scheme)
    assert q.by_section["bonus"] == D("10") and q.total == D("20")
    vetoed = rules.period_score(p("o1", "10", day) + p("v2", "0", day), items, scheme)
    assert vetoed.vetoed and vetoed.total == D("0")


def test_organ_year_is_base_plus_pioneer_minus_deductions():
    """001 机关: "年度积分=年度基本得分+年度先锋得分-年度扣分"; "积分上不封顶,扣分扣完为止"."""
    items, scheme, p = setup("seed001_organ")
    day = date(2026, 3, 1)
    rows = (p("b1", "3", day, times=10)  # 三会一课 每次 3 分 × 10 = 30
            + p("b2", "2", day, times=12)  # 党费 每月 2 分 × 12 = 24
            + p("p1", "5", day)  # 交流发言 5
            + p("p4", "7", day)  # 市级表彰 7
            + p("d1", "-5", day))  # 无正当理由缺席 -5
    score = rules.year_score(rows, items, scheme)
    assert score.year.by_part == {"基本分": D("54"), "先锋分": D("12"), "deduction": D("-5")}
    assert score.total == D("61.00")
    heavy = rules.year_score(p("b2", "2", day) + p("d4", "-10", day, times=3), items, scheme)
    assert heavy.total == D("0")  # 扣完为止


def test_community_parts_and_contribution_cap():
    """001 社区: 基础积分(70 分)…党员评议积分(20 分)…群众评议积分(10 分)…贡献加分(最高 20 分)."""
    items, scheme, p = setup("seed001_community")
    day = date(2026, 6, 1)
    rows = (p("b0", "70", day) + p("b1", "-2", day)  # 无故不参加扣 2 → 68
            + p("e1", "10", day) + p("e1", "8", date(2026, 12, 20))  # 优秀 10 + 合格 8
            + p("e2", "5", day) + p("e2", "4", date(2026, 12, 20))  # 群众评议 5 + 4
            + p("c2", "5", day, times=5))  # 贡献 25 → 最高 20
    score = rules.year_score(rows, items, scheme)
    assert score.year.by_part == {"基础积分": D("68"), "党员评议积分": D("18"), "群众评议积分": D("9"),
                                  "bonus": D("20")}
    assert score.total == D("115.00")


def test_article_nine_counts_leave_in_tiers():
    """001 第九条: "党员因公请假 6 次及以下的不扣分,6 次以上每次扣 2 分;因私请假 4 次及以下的,每次扣 1 分,
    4 次以上每次扣 2 分"."""
    spec = TEMPLATES["seed001_rules"].items[1]["value_points"]
    official = [rules.value_points_for(spec["leave_official"], nth=n) for n in range(1, 9)]
    assert sum(official) == D("-4") and official[:6] == [D("0")] * 6
    private = [rules.value_points_for(spec["leave_private"], nth=n) for n in range(1, 6)]
    assert private == [D("-1")] * 4 + [D("-2")] and sum(private) == D("-6")
    items, scheme, p = setup("seed001_rules")
    day = date(2026, 5, 5)
    rows = p("o0", "35", day) + p("s0", "25", day) + p("m0", "20", day) + p("o1", "-4", day) + p("o1", "-6", day)
    score = rules.year_score(rows, items, scheme)
    assert score.year.by_part["过好组织生活"] == D("25") and score.total == D("70.00")


def test_jiaozuo_deductions_have_no_cap():
    """000 二(三): "经支委会或支部大会认定后予以扣分,违规扣分不设上限"."""
    with pytest.raises(RuleViolation) as error:
        rules.check_item(section="deduction", points=D("5"), min_points=None, max_points=None, cap=D("20"))
    assert error.value.code == "scoring.deduction_cap"
    items, scheme, p = setup("seed000_jiaozuo")
    day = date(2026, 7, 1)
    score = rules.year_score(p("b2", "3", day) + p("d4", "-20", day, times=3), items, scheme)
    assert score.total == D("-57.00")  # 累计分制: 3 - 60, no floor
    rules.check_cap(item=items[12], already=D("-100"), adding=D("-10"), group_cap=None, group_already=D("0"))
    vetoed = rules.year_score(p("b2", "3", day) + p("v1", "0", day), items, scheme)
    assert vetoed.vetoed and vetoed.total == D("3.00")  # 焦作: the veto acts on the star (一星), not the sum


def test_district_percent_caps_each_part_and_the_total():
    """002 四(一): "党员积分管理实行百分制,由基础积分、贡献加分、违规扣分、一票否决四部分构成"."""
    items, scheme, p = setup("seed002_district")
    day = date(2026, 9, 1)
    rows = (p("b2", "1", day, times=12) + p("b3", "5", day, times=3) + p("b4", "5", day, times=3)
            + p("b5", "10", day) + p("b1", "2.5", day, times=12)  # base 12 + 14 + 14 + 10 + 30 = 80 → 70
            + p("c1", "10", day, times=4))  # bonus 40 → 30
    score = rules.year_score(rows, items, scheme)
    assert score.year.by_section["base"] == D("70") and score.year.by_section["bonus"] == D("30")
    assert score.total == D("100.00")
    assert rules.year_score(rows + p("d3", "-10", day), items, scheme).total == D("90.00")
    assert rules.year_score(p("d3", "-30", day), items, scheme).total == D("0.00")


def test_entry_points_fixed_range_and_sign():
    assert rules.entry_points(section="deduction", points=D("5"), min_points=None, max_points=None,
                              requested=None) == D("-5")
    assert rules.entry_points(section="bonus", points=None, min_points=D("1"), max_points=D("5"),
                              requested=D("3")) == D("3")
    with pytest.raises(RuleViolation):
        rules.entry_points(section="bonus", points=None, min_points=D("1"), max_points=D("5"), requested=D("6"))
    with pytest.raises(RuleViolation):
        rules.entry_points(section="base", points=D("2"), min_points=None, max_points=None, requested=D("3"))
    assert rules.entry_points(section="veto", points=None, min_points=None, max_points=None, requested=None) == 0


def test_cap_check_refuses_beyond_the_item_and_the_part():
    item = rules.ItemRule(id=1, section="bonus", part="", cap=D("5"), cap_period="quarter")
    rules.check_cap(item=item, already=D("2"), adding=D("3"), group_cap=None, group_already=D("0"))
    with pytest.raises(RuleViolation, match="尚可计 3"):
        rules.check_cap(item=item, already=D("2"), adding=D("4"), group_cap=None, group_already=D("0"))
    with pytest.raises(RuleViolation) as error:
        rules.check_cap(item=item, already=D("0"), adding=D("3"), group_cap=D("20"), group_already=D("18"))
    assert error.value.code == "scoring.part_cap"


def test_quarters():
    assert rules.quarter_range(2026, 1) == (date(2026, 1, 1), date(2026, 3, 31))
    assert rules.quarter_range(2026, 4) == (date(2026, 10, 1), date(2026, 12, 31))
    assert rules.quarter_of(date(2026, 7, 1)) == 3


def test_every_template_is_well_formed():
    for template in TEMPLATES.values():
        for data in template.items:
            rules.check_item(section=data["section"], points=decimal_or_none(data["points"]),
                             min_points=decimal_or_none(data["min_points"]),
                             max_points=decimal_or_none(data["max_points"]), cap=decimal_or_none(data["cap"]))
        assert len({d["code"] for d in template.items}) == len(template.items)


def test_deductions_count_after_the_part_caps():
    """001 社区: "基础积分(70 分)…达不到要求的予以扣分,扣完为止"."""
    items, scheme, p = setup("seed001_community")
    day = date(2026, 6, 1)
    score = rules.year_score(p("b0", "70", day) + p("b0", "70", day) + p("b2", "-3", day), items, scheme)
    assert score.year.by_part["基础积分"] == D("70") and score.year.by_section["deduction"] == D("-3")
    assert score.total == D("67.00")
