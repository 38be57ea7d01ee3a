"""Built-in star policies, one per scheme template (DESIGN §6.5).

A scheme stores its policy as a plain dict in `Scheme.star_policy` (copied from here when a scheme is
created from a template, then editable by the tenant). `scoring.stars.rules.parse_policy` turns the
dict into a frozen `StarPolicy` and refuses a malformed one. Schema (all keys required unless
marked optional; decimals are strings so that the dict survives JSON unchanged):

    version        int, 1
    label          str, Chinese name shown on pages
    source         str, the seed the policy comes from
    scale          "stars" (五星…一星) | "grades" (优秀/良好/合格/不合格)
    period         "year" | "half_year" — the rating period
    tiers          list, highest first, of:
        level      int 1–5 (grades use 5 优秀, 4 良好, 3 合格, 1 不合格 so that consequences
                   read the same scale)
        label      str, e.g. "五星"
        min_total  str | None — lowest period total that may reach this tier (None: rank only)
        min_base   str | None — lowest 基础积分 part that may reach this tier
        share      str | None — share of the participants, e.g. "0.15"
        share_kind "max" (at most floor(share × n), a hard limit) | "about" (guidance: proposal
                   uses round(share × n), a decision beyond it is warned, not refused)
    unrated_label  str | None (optional) — when set, a participant who reaches no tier is rated
                   level 0 with this label (e.g. "未评星"); when None the last tier is the floor and
                   must have neither min_total nor share
    min_common_base str | None (optional) — a 基础积分 (共性分) below this removes the right to a
                   star (level 0)
    veto_level     int — the level a person with a confirmed 一票否决 entry gets
    low_tier       {"level": int, "min_count": int} | None (optional) — "三星以下要有一定数量":
                   at least min_count participants at or below level (a warning when not met)
    small_branch   {"below": int, "level": int, "seats": int} | None (optional) — with fewer than
                   `below` participants the tier `level` still has `seats` places
    raised_shares  {level: share} | None (optional) — the shares used for a five-star
                   organization ("对“五星”党组织可适当提高…比例")
    excluded       list of exclusion reasons (not starred although scored): "activist",
                   "leading_cadre", "new_member" (joined this year), "transferred_in" (from outside
                   the city this year), "exempt"
"""

from __future__ import annotations

import copy


def _tier(level: int, label: str, *, min_total=None, min_base=None, share=None, share_kind="max") -> dict:
    return {
        "level": level,
        "label": label,
        "min_total": min_total,
        "min_base": min_base,
        "share": share,
        "share_kind": share_kind,
    }


STAR_POLICIES: dict[str, dict] = {
    # 焦作 2018: "“五星”党员一般不超过支部党员总数的15%，“三星”以下等次党员要有一定数量。
    # …对“五星”党组织可适当提高“五星”“四星”党员数量比例。" Ranking decides; 四星 share is a
    # tenant setting; 二星 and 一星 are left to the meeting (a veto gives 一星).
    "seed000_jiaozuo": {
        "version": 1,
        "label": "焦作：按年度积分排名定星",
        "source": "000 关于全面推行党员积分定星管理的实施意见 三（四）",
        "scale": "stars",
        "period": "year",
        "tiers": [
            _tier(5, "五星", share="0.15"),
            _tier(4, "四星", share="0.30"),
            _tier(3, "三星"),
            _tier(2, "二星"),
            _tier(1, "一星"),
        ],
        "unrated_label": None,
        "min_common_base": None,
        "veto_level": 1,
        "low_tier": {"level": 3, "min_count": 1},
        "small_branch": None,
        "raised_shares": {"5": "0.20", "4": "0.35"},
        "excluded": ["activist", "exempt"],
    },
    # 001 第十六条、第十七条 (with 第五条、第六条 for the exclusions).
    "seed001_threshold": {
        "version": 1,
        "label": "年度积分达线限比例定星（第十六、十七条）",
        "source": "001 党员积分管理评星定级办法 第五、六、十六、十七条",
        "scale": "stars",
        "period": "year",
        "tiers": [
            _tier(5, "五星", min_total="90", min_base="70", share="0.10"),
            _tier(4, "四星", min_total="80", min_base="70", share="0.30"),
            _tier(3, "三星", min_total="70", share="0.40"),
            _tier(2, "二星", min_total="60"),
            _tier(1, "一星"),
        ],
        "unrated_label": None,
        "min_common_base": None,
        "veto_level": 1,
        "low_tier": None,
        "small_branch": {"below": 10, "level": 5, "seats": 1},
        "raised_shares": None,
        "excluded": ["activist", "leading_cadre", "new_member", "transferred_in", "exempt"],
    },
    # 001 量化定级: "90 分以上(含 90 分)为“五星”…80~89 分为“四星”、70~79 分为“三星”…60~69 为“二星”…
    # 60 分以下(不含 60 分)为“一星”…出现下列情况之一的,实行“一票否决”,直接被评为“一星”党员。"
    "seed001_quantified": {
        "version": 1,
        "label": "量化定级（按分数段）",
        "source": "001 基层党支部党员量化定级工作方案 五",
        "scale": "stars",
        "period": "year",
        "tiers": [
            _tier(5, "五星", min_total="90"),
            _tier(4, "四星", min_total="80"),
            _tier(3, "三星", min_total="70"),
            _tier(2, "二星", min_total="60"),
            _tier(1, "一星"),
        ],
        "unrated_label": None,
        "min_common_base": None,
        "veto_level": 1,
        "low_tier": None,
        "small_branch": None,
        "raised_shares": None,
        "excluded": ["activist", "exempt"],
    },
    # 001 星级评定: "党员所得共性分低于 50 分的,取消评星资格。星级评定三星级起评,考核总分不低于 70 分。
    # 五星级党员占党员总数的 10%左右、四星级占 15%左右、三星级占 20%左右。" — half-yearly.
    "seed001_star_rating": {
        "version": 1,
        "label": "星级评定、量化考核（三星起评）",
        "source": "001 党员星级评定、量化考核管理工作实施办法 五（二）",
        "scale": "stars",
        "period": "half_year",
        "tiers": [
            _tier(5, "五星", min_total="70", share="0.10", share_kind="about"),
            _tier(4, "四星", min_total="70", share="0.15", share_kind="about"),
            _tier(3, "三星", min_total="70", share="0.20", share_kind="about"),
        ],
        "unrated_label": "未评星",
        "min_common_base": "50",
        "veto_level": 0,
        "low_tier": None,
        "small_branch": None,
        "raised_shares": None,
        "excluded": ["activist", "exempt"],
    },
    # 002: "党支部评定积分在90分以上的为“优秀”等次；80-89分的为“良好”等次；60-79分的为“合格”等次；
    # 60分以下为“不合格”等次。"
    "seed002_grades": {
        "version": 1,
        "label": "百分制评定等次（优秀/良好/合格/不合格）",
        "source": "002 关于推行党员积分管理工作的实施意见 四（一）",
        "scale": "grades",
        "period": "year",
        "tiers": [
            _tier(5, "优秀", min_total="90"),
            _tier(4, "良好", min_total="80"),
            _tier(3, "合格", min_total="60"),
            _tier(1, "不合格"),
        ],
        "unrated_label": None,
        "min_common_base": None,
        "veto_level": 1,
        "low_tier": None,
        "small_branch": None,
        "raised_shares": None,
        "excluded": ["activist", "exempt"],
    },
}


def star_policy(key: str) -> dict:
    """A deep copy of a built-in policy, ready to be stored on a scheme."""
    return copy.deepcopy(STAR_POLICIES[key])
