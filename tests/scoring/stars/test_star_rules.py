"""Star policies from the seed sentences (DESIGN §6.5, §6.6): pure rules, no database."""

from datetime import date
from decimal import Decimal as D

import pytest

from scoring.stars import rules
from scoring.stars.presets import STAR_POLICIES, star_policy
from scoring.stars.rules import Candidate, Quarter, Subject, check_decision, parse_policy, propose


def policy(key):
    return parse_policy(STAR_POLICIES[key])


def people(*totals, base=D(80)):
    return [Candidate(person_id=i, total=D(str(t)), base=base) for i, t in enumerate(totals, start=1)]


def levels(proposal):
    return {r.person_id: r.level for r in proposal.rows}


def count(proposal, level):
    return sum(1 for r in proposal.rows if r.level == level)


@pytest.mark.parametrize("key", sorted(STAR_POLICIES))
def test_every_preset_parses(key):
    p = parse_policy(star_policy(key))
    assert p.tiers and p.label


def test_malformed_policy_refused_with_chinese_message():
    data = star_policy("seed000_jiaozuo")
    data["tiers"][0]["share"] = "abc"
    with pytest.raises(rules.PolicyError, match="不是数字"):
        parse_policy(data)
    data = star_policy("seed000_jiaozuo")
    data["tiers"].reverse()
    with pytest.raises(rules.PolicyError, match="从高到低"):
        parse_policy(data)
    with pytest.raises(rules.PolicyError):
        parse_policy({})


# Seed 000: "“五星”党员一般不超过支部党员总数的15%，“三星”以下等次党员要有一定数量。"

@pytest.mark.parametrize(("n", "five"), [(9, 1), (10, 1), (13, 1), (40, 6), (6, 0), (7, 1)])
def test_seed000_five_star_at_most_15_percent_floor(n, five):
    proposal = propose(policy("seed000_jiaozuo"), people(*range(100, 100 - n, -1)))
    assert count(proposal, 5) == five
    quota = next(q for q in proposal.quotas if q.level == 5)
    assert quota.seats == five


def test_seed000_five_star_org_may_raise_the_share():
    # "对“五星”党组织可适当提高“五星”“四星”党员数量比例"
    p = policy("seed000_jiaozuo")
    assert count(propose(p, people(*range(100, 60, -1))), 5) == 6
    assert count(propose(p, people(*range(100, 60, -1)), raised=True), 5) == 8


def test_seed000_some_members_three_star_or_below():
    p = policy("seed000_jiaozuo")
    proposal = propose(p, people(*range(100, 80, -1)))
    assert count(proposal, 3) > 0
    everyone_high = {i: 4 for i in range(1, 21)}
    everyone_high.update({1: 5, 2: 5, 3: 5})
    check = check_decision(p, people(*range(100, 80, -1)), everyone_high)
    assert any(w.code == "stars.low_tier" and "三星以下等次党员要有一定数量" in w.message for w in check.warnings)
    assert any(e.code == "stars.quota" for e in check.errors)  # 20 at 四星 > floor(30% × 20)


def test_tie_at_the_quota_edge_is_flagged_never_broken():
    # 13 participants: floor(15% × 13) = 1 place for 五星; two share the top total.
    p = policy("seed000_jiaozuo")
    proposal = propose(p, people(95, 95, *range(90, 79, -1)))
    tied = [r for r in proposal.rows if r.tie]
    assert [r.person_id for r in tied] == [1, 2]
    assert count(proposal, 5) == 0
    assert all("须由党员大会决定" in " ".join(r.notes) for r in tied)
    assert proposal.warnings
    # the meeting may give the one place to either of them
    decided = {r.person_id: r.level for r in proposal.rows}
    decided[2] = 5
    assert check_decision(p, people(95, 95, *range(90, 79, -1)), decided).ok
    decided[1] = 5
    assert not check_decision(p, people(95, 95, *range(90, 79, -1)), decided).ok


def test_tie_below_the_edge_is_not_flagged():
    proposal = propose(policy("seed000_jiaozuo"), people(99, 95, 95, *range(90, 80, -1)))
    assert not any(r.tie and r.level == 5 for r in proposal.rows)
    assert levels(proposal)[1] == 5


def test_equal_totals_share_a_rank():
    proposal = propose(policy("seed000_jiaozuo"), people(90, 95, 95, 80))
    assert {r.person_id: r.rank for r in proposal.rows} == {2: 1, 3: 1, 1: 3, 4: 4}


# Seed 001 第十六条: "年度积分 90 分以上的党员,可参评五星级党员;80 分以上的党员,可参评四星级党员;70 分以上的党员,
# 可参评三星级党员。其中,五星级党员、四星级党员、三星级党员人数分别不超过…党员总数的10%、30%、40%。
# 支部参与积分管理、评星定级的党员人数在 10 人以下的,可申报评选 1 名五星级党员。"

@pytest.mark.parametrize(("n", "five", "four", "three"), [(9, 1, 2, 3), (10, 1, 3, 4), (13, 1, 3, 5), (40, 4, 12, 16)])
def test_seed001_threshold_caps(n, five, four, three):
    proposal = propose(policy("seed001_threshold"), people(*range(99, 99 - n, -1)))
    seats = {q.level: q.seats for q in proposal.quotas}
    assert seats == {5: five, 4: four, 3: three}


def test_seed001_small_branch_may_still_have_one_five_star():
    proposal = propose(policy("seed001_threshold"), people(95, 85, 75, 65, 55))
    assert levels(proposal) == {1: 5, 2: 4, 3: 3, 4: 2, 5: 1}


def test_seed001_thresholds_decide_who_may_reach_a_tier():
    # 20 members, only two reach 80: nobody below 80 is proposed 四星 even though places are left.
    totals = [92, 85, *range(79, 61, -1)]
    proposal = propose(policy("seed001_threshold"), people(*totals))
    lv = levels(proposal)
    assert lv[1] == 5 and lv[2] == 4 and lv[3] == 3
    decided = dict(lv)
    decided[3] = 4
    check = check_decision(policy("seed001_threshold"), people(*totals), decided)
    assert [e.code for e in check.errors] == ["stars.threshold"]
    assert "未达到四星的80分" in check.errors[0].message


def test_seed001_overflow_cascades_to_the_next_tier():
    # 10 members all above 90: one 五星 (10%), three 四星 (30%), four 三星 (40%), the rest 二星.
    proposal = propose(policy("seed001_threshold"), people(*range(99, 89, -1)))
    assert [count(proposal, lv) for lv in (5, 4, 3, 2, 1)] == [1, 3, 4, 2, 0]


def test_seed001_base_below_70_not_four_or_five_star():
    # 第十七条: "过好组织生活、参加学习教育、执行管理制度等基础得分低于 70 分的,不得参评四星级、五星级党员。"
    cands = [Candidate(1, D(95), D(65))] + [Candidate(i, D(t), D(80)) for i, t in
                                            enumerate([85, 75, 72, 71, 70, 69, 68, 60], start=2)]
    proposal = propose(policy("seed001_threshold"), cands)
    row = next(r for r in proposal.rows if r.person_id == 1)
    assert row.level == 3
    assert any("基础积分低于70分" in n for n in row.notes)
    decided = levels(proposal)
    decided[1] = 5
    check = check_decision(policy("seed001_threshold"), cands, decided)
    assert any(e.code == "stars.base" and e.person_id == 1 for e in check.errors)


def test_exclusions_are_scored_but_not_starred_and_not_counted():
    # 第五条 "党员领导干部…纳入积分管理,不参与评星定级"; 第六条 "当年新发展党员和市外新转入党员…不参加评星定级";
    # seed 000 "入党积极分子不定星级等次"; "年老体弱…经本人申请、党支部研究同意,可不参加".
    p = policy("seed001_threshold")
    cands = people(*range(99, 89, -1))
    extra = [Candidate(101, D(100), D(90), exclusion="activist"),
             Candidate(102, D(100), D(90), exclusion="leading_cadre"),
             Candidate(103, D(100), D(90), exclusion="new_member"),
             Candidate(104, D(100), D(90), exclusion="exempt")]
    proposal = propose(p, cands + extra)
    assert proposal.participants == 10
    assert all(r.level is None and r.rank is None for r in proposal.rows if r.person_id > 100)
    assert levels(proposal)[1] == 5
    decided = levels(proposal)
    decided[101] = 5
    check = check_decision(p, cands + extra, decided)
    assert any(e.code == "stars.excluded" and "入党积极分子不定星级等次" in e.message for e in check.errors)


def test_exclusion_of_applies_policy_and_always_excludes_activists():
    p000, p001 = policy("seed000_jiaozuo"), policy("seed001_threshold")
    kw = dict(is_activist=False, is_exempt=False, is_leading_cadre=True, joined_on=date(2020, 1, 1),
              transferred_in_on=None, year=2026)
    assert rules.exclusion_of(policy=p001, **kw) == "leading_cadre"
    assert rules.exclusion_of(policy=p000, **kw) == ""
    kw.update(is_leading_cadre=False, joined_on=date(2026, 5, 1))
    assert rules.exclusion_of(policy=p001, **kw) == "new_member"
    kw.update(is_activist=True, joined_on=None)
    assert rules.exclusion_of(policy=p000, **kw) == "activist"


# Seed 001 量化定级: "90 分以上(含 90 分)为“五星”…80~89 分为“四星”、70~79 分为“三星”…60~69 为“二星”…
# 60 分以下(不含 60 分)为“一星”…实行“一票否决”,直接被评为“一星”党员。"

def test_seed001_quantified_bands_and_veto():
    cands = people(90, 89.5, 80, 79, 70, 69, 60, 59.5) + [Candidate(9, D(99), D(90), vetoed=True)]
    proposal = propose(policy("seed001_quantified"), cands)
    assert levels(proposal) == {1: 5, 2: 4, 3: 4, 4: 3, 5: 3, 6: 2, 7: 2, 8: 1, 9: 1}
    decided = levels(proposal)
    decided[9] = 3
    check = check_decision(policy("seed001_quantified"), cands, decided)
    assert [e.code for e in check.errors] == ["stars.veto"]


# Seed 001 星级评定: "党员所得共性分低于 50 分的,取消评星资格。星级评定三星级起评,考核总分不低于 70 分。
# 五星级党员占党员总数的 10%左右、四星级占 15%左右、三星级占 20%左右。"

def test_seed001_star_rating_starts_at_three_and_common_part():
    p = policy("seed001_star_rating")
    assert p.period == "half_year"
    cands = [Candidate(i, D(100 - i), D(55)) for i in range(1, 21)] + [Candidate(21, D(99), D(45))]
    proposal = propose(p, cands)
    lv = levels(proposal)
    assert lv[21] == 0
    assert "共性分低于50分" in next(r for r in proposal.rows if r.person_id == 21).notes[0]
    assert [count(proposal, x) for x in (5, 4, 3)] == [2, 3, 4]  # round(10%/15%/20% × 21)
    assert all(v in (0, 3, 4, 5) for v in lv.values())
    low = [Candidate(30, D(65), D(60))]
    assert levels(propose(p, low)) == {30: 0}


def test_seed001_star_rating_about_shares_warn_not_block():
    p = policy("seed001_star_rating")
    cands = [Candidate(i, D(100 - i), D(55)) for i in range(1, 21)]
    decided = levels(propose(p, cands))
    decided.update({3: 5, 4: 5})
    check = check_decision(p, cands, decided)
    assert check.ok
    assert [w.code for w in check.warnings] == ["stars.share"]


# Seed 002: "党支部评定积分在90分以上的为“优秀”等次；80-89分的为“良好”等次；60-79分的为“合格”等次；60分以下为“不合格”等次。"

def test_seed002_grades():
    p = policy("seed002_grades")
    proposal = propose(p, people(95, 90, 89, 80, 79, 60, 59))
    assert [r.label for r in proposal.rows] == ["优秀", "优秀", "良好", "良好", "合格", "合格", "不合格"]


# Democratic evaluation, seed 001 第十条: "群众评议不满意率超过 30%的或党员评议不合格率超过 30%的为不合格党员。"

def test_evaluation_mass_dissatisfaction_over_30_percent():
    votes = {"优秀": 8, "合格": 2}
    assert rules.evaluation_grade(votes, {"好": 6, "一般": 1, "差": 3}).grade == "优秀"  # exactly 30%: not over
    result = rules.evaluation_grade(votes, {"好": 6, "一般": 0, "差": 4})
    assert result.grade == "不合格" and "群众" in result.reason


def test_evaluation_member_unqualified_over_30_percent():
    assert rules.evaluation_grade({"合格": 7, "不合格": 3}).grade == "合格"
    assert rules.evaluation_grade({"合格": 6, "不合格": 4}).grade == "不合格"


def test_evaluation_median_grade():
    assert rules.evaluation_grade({"优秀": 5, "合格": 5}).grade == "优秀"
    assert rules.evaluation_grade({"优秀": 4, "合格": 3, "基本合格": 3}).grade == "合格"
    assert rules.evaluation_grade({"优秀": 1, "基本合格": 8, "不合格": 1}).grade == "基本合格"
    with pytest.raises(ValueError):
        rules.evaluation_grade({})
    with pytest.raises(ValueError):
        rules.evaluation_grade({"很好": 1})


# Consequences, seed 000 四、结果运用.

def test_consequences_mapping():
    c = rules.consequences_for
    assert c(Subject(level=3, is_secretary=True)) == [rules.SECRETARY_INTERVIEW]
    assert c(Subject(level=4, is_secretary=True)) == []
    assert c(Subject(level=2)) == [rules.TALK]
    assert c(Subject(level=1)) == [rules.KEY_MANAGEMENT]
    assert c(Subject(level=1, previous_level=1)) == [rules.KEY_MANAGEMENT, rules.DISPOSAL]
    assert c(Subject(level=1, previous_level=2)) == [rules.KEY_MANAGEMENT]
    assert c(Subject(level=2, is_probationary=True)) == [rules.TALK, rules.EXTEND_PROBATION]
    assert c(Subject(level=3, is_probationary=True)) == []
    assert c(Subject(level=None)) == [] and c(Subject(level=0)) == []
    assert rules.activist_consequences(is_low=True) == [rules.CANCEL_ACTIVIST]
    assert rules.activist_consequences(is_low=False) == []


def test_quarters():
    assert Quarter.of(date(2026, 11, 1)).previous() == Quarter(2026, 3)
    assert Quarter.of(date(2026, 1, 5)).previous() == Quarter(2025, 4)
    assert (Quarter(2026, 3).start, Quarter(2026, 3).end) == (date(2026, 7, 1), date(2026, 9, 30))
    assert Quarter(2024, 1).end == date(2024, 3, 31)
    assert Quarter(2026, 3).label == "2026年第三季度"
