"""一编三定 rules as pure functions over plain values (seed 000, third document, 三 方法步骤)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from partyadmin.errors import RuleViolation

# seed 001 二(二)1 gives examples of posts: "环境卫生监督岗、文明行为(红白事等)劝导岗、家庭邻里纠纷调解岗、
# 绿化苗木维护岗、精准扶贫联系岗等"; seed 000 names the fields of the list: "岗位名称、职责任务、标准要求".
SUGGESTED_POSTS: list[dict[str, str]] = [
    {"name": "环境卫生监督岗", "duties": "监督村（社区）公共区域环境卫生，劝导乱倒垃圾、乱堆乱放，带头参与环境整治。",
     "standards": "每月至少巡查两次，发现问题及时劝导并向党支部报告。"},
    {"name": "文明行为劝导岗", "duties": "宣传移风易俗，劝导红白事大操大办等不文明行为，倡导文明新风。",
     "standards": "辖区红白事做到事前宣传、事中劝导；每季度开展一次宣传。"},
    {"name": "邻里纠纷调解岗", "duties": "及时了解并调解家庭、邻里矛盾纠纷，化解不稳定因素。",
     "standards": "矛盾纠纷做到早发现、早报告、早调处，小事不出组。"},
    {"name": "绿化苗木维护岗", "duties": "负责村（社区）绿化苗木的管护，制止毁绿行为。",
     "standards": "苗木成活率保持良好，毁绿行为及时制止。"},
    {"name": "精准扶贫联系岗", "duties": "联系帮扶困难群众，了解需求，协助落实帮扶政策。",
     "standards": "每月至少走访联系户一次，做好记录。"},
    {"name": "治安巡逻岗", "duties": "参与治安巡逻和安全隐患排查，做好防火、防盗宣传。",
     "standards": "每月至少参加两次巡逻，隐患及时报告。"},
    {"name": "政策宣传岗", "duties": "向群众宣传党的方针政策和村（社区）重要事务。",
     "standards": "每季度至少组织或参与一次宣传活动。"},
]

EXEMPTION_REASONS = {"age": "年龄原因", "health": "身体状况"}
TRAINING_KINDS = {"theory": "政治理论", "policy": "政策法规", "technology": "科技知识", "other": "其他"}
# 考评等次, as scoring binds them (contracts: "优秀"/"合格"/"基本合格"/"不合格").
GRADES = {"优秀": "优秀", "合格": "合格", "基本合格": "基本合格", "不合格": "不合格"}

# seed 000 三: "无职党员“一编三定”以村（社区）为单位实施" — rural and community branches only.
ELIGIBLE_DOMAINS = frozenset({"rural", "community"})


def check_domain(domain: str) -> None:
    if domain not in ELIGIBLE_DOMAINS:
        raise RuleViolation("grouping.domain", "“一编三定”在农村、社区党组织中实施，该党组织不属于农村或社区领域。")


def check_post_fields(*, name: str, duties: str) -> None:
    """seed 000 三(一): 岗位职责清单包含岗位名称、职责任务、标准要求等主要内容."""
    if not name.strip():
        raise RuleViolation("grouping.post_name", "请填写岗位名称。", field="name")
    if not duties.strip():
        raise RuleViolation("grouping.post_duties", "请填写岗位的职责任务。", field="duties")


def check_placeable(*, holds_office: bool, exempt: bool, name: str) -> None:
    """Only no-office members take posts (seed 000 二: "在农村（社区）无职党员中推行"); an exempted member
    does not take part ("经党组织同意，可不参加认岗")."""
    if holds_office:
        raise RuleViolation("grouping.office_holder", f"{name}是有职党员，“一编三定”只在无职党员中推行。",
                            field="member")
    if exempt:
        raise RuleViolation("grouping.exempt", f"{name}已经党组织同意不参加认岗。", field="member")


@dataclass(frozen=True)
class PlanGaps:
    """What the branch looks at before confirming: "岗位所需、党员所长，择优配岗、总体平衡"."""

    posts_unclaimed: list[int]
    posts_crowded: list[int]
    members_without_claim: list[int]


def plan_gaps(*, claims: Mapping[int, Iterable[int]], post_ids: Iterable[int], member_ids: Iterable[int],
              crowded_above: int) -> PlanGaps:
    """`claims`: post id → claiming member ids; `member_ids`: the members who should claim (no-office,
    not exempted)."""
    counts = {post_id: len(set(claims.get(post_id, ()))) for post_id in post_ids}
    claimed = {m for members in claims.values() for m in members}
    return PlanGaps(
        posts_unclaimed=sorted(p for p, n in counts.items() if n == 0),
        posts_crowded=sorted(p for p, n in counts.items() if n > crowded_above),
        members_without_claim=sorted(set(member_ids) - claimed),
    )


@dataclass(frozen=True)
class GroupState:
    name: str
    leader_id: int | None
    cadre_id: int | None
    member_ids: frozenset[int]
    signed: bool  # every member has signed the commitment


def check_group_complete(group: GroupState) -> None:
    """seed 000 三(三): each group has a leader chosen from its members and signs the commitment; 三(五):
    each group is contracted by a committee member."""
    if not group.member_ids:
        raise RuleViolation("grouping.group_empty", f"“{group.name}”还没有确认定岗的党员。")
    if group.leader_id is None:
        raise RuleViolation("grouping.no_leader", f"“{group.name}”还没有确定组长。")
    if group.leader_id not in group.member_ids:
        raise RuleViolation("grouping.leader_not_member", f"“{group.name}”的组长须为本组党员。")
    if group.cadre_id is None:
        raise RuleViolation("grouping.no_cadre", f"“{group.name}”还没有包组干部。")
    if not group.signed:
        raise RuleViolation("grouping.not_signed", f"“{group.name}”尚有党员未签订履岗承诺书。")


def check_entry_date(*, activity_on: date, today: date, year: int) -> None:
    if activity_on > today:
        raise RuleViolation("grouping.entry_future", "活动时间不能晚于今天。", field="activity_on")
    if activity_on.year != year:
        raise RuleViolation("grouping.entry_year", f"活动时间须在{year}年内。", field="activity_on")


def half_of(day: date) -> int:
    return 1 if day.month <= 6 else 2


def check_grade(grade: str) -> None:
    if grade not in GRADES:
        raise RuleViolation("grouping.grade", "考评等次须为优秀、合格、基本合格或不合格。", field="grade")


def month_key(day: date) -> str:
    return f"{day:%Y-%m}"
