"""Built-in scheme templates (DESIGN §6.2), as data. A branch loads one at the start of the year and
supplements it ("每年初，党支部按照上级党组织明确的具体内容，结合本支部实际和年度重点工作，进行补充完善",
seed 000 三(一)). Each template cites the seed text it follows; where a seed names the items but not their
values (seeds 000 and 002 leave the values to the county), the values here are a starting point the
branch adjusts before it publishes.

Item keys: code, name, section, part, points | (min_points, max_points), cap, cap_period, declare (党员申报),
suggest (党员群众建议), clerk (书记/记分员登记), evidence, confirm ("committee" | "general_meeting"), source,
value_points ({value: points}; a list of [up_to_nth, points] tiers counts occurrences in the year).
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

ATTENDANCE = "meetings.attendance"
POST_EVALUATION = "grouping.post_evaluation"
DEMOCRATIC_EVALUATION = "scoring.democratic_evaluation"
DUES = "dues.monthly"

# The automatic sources an item may be bound to, with the values each one sends.
SOURCES: dict[str, tuple[str, tuple[str, ...]]] = {
    ATTENDANCE: ("组织生活出勤（自动）", ("present", "leave_official", "leave_private", "absent")),
    POST_EVALUATION: ("无职党员岗位评价（自动）", ("优秀", "合格", "基本合格", "不合格")),
    DEMOCRATIC_EVALUATION: ("民主评议党员（自动）", ("优秀", "合格", "基本合格", "不合格")),
    DUES: ("按月交纳党费（自动）", ("on_time", "late")),
}

VALUE_LABELS = {"present": "出席", "leave_official": "因公请假", "leave_private": "因私请假", "absent": "缺席",
                "on_time": "按时交纳", "late": "逾期交纳"}


@dataclass(frozen=True)
class Template:
    code: str
    title: str
    source: str  # the seed and the passage
    mode: str
    aggregation: str
    star_policy_key: str
    items: list[dict[str, Any]]
    part_caps: dict[str, str] = field(default_factory=dict)
    total_cap: str | None = None
    floor_zero: bool = False
    veto_zeroes: bool = True
    activist_min_score: str | None = None
    note: str = ""


def _i(code: str, name: str, section: str, *, points: str | None = None, span: tuple[str, str] | None = None,
       cap: str | None = None, cap_period: str = "year", part: str = "", declare: bool = False, suggest: bool = False,
       clerk: bool | None = None, evidence: bool = False, confirm: str = "committee", source: str = "",
       value_points: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "code": code, "name": name, "section": section, "part": part,
        "points": points, "min_points": span[0] if span else None, "max_points": span[1] if span else None,
        "cap": cap, "cap_period": cap_period, "allow_declaration": declare, "allow_suggestion": suggest,
        "allow_clerk": (not source) if clerk is None else clerk, "evidence_required": evidence, "confirm_by": confirm, "source": source,
        "value_points": value_points or {},
    }


_VETO_JIAOZUO = [
    _i("v1", "政治立场动摇，严重违反党的“六大纪律”", "veto", confirm="general_meeting"),
    _i("v2", "受到刑事处罚、党政纪严重处分", "veto", confirm="general_meeting"),
    _i("v3", "不在组织、不像党员、不起作用、不守规矩等严重背离党员标准", "veto", confirm="general_meeting"),
]

JIAOZUO = Template(
    code="seed000_jiaozuo",
    title="党员积分定星（焦作）",
    source="000 关于全面推行党员积分定星管理的实施意见 二、三",
    mode="cumulative", aggregation="sum", star_policy_key="seed000_jiaozuo", veto_zeroes=False,
    activist_min_score="30",
    note="基础积分、贡献加分、违规扣分和一票否决四项构成；违规扣分不设上限；一票否决须经支部大会认定，报所属基层党委审核。",
    items=[
        _i("b1", "按时参加“三会一课”、主题党日", "base", points=None, source=ATTENDANCE,
           value_points={"present": "2", "leave_official": "1", "absent": "-2"}),
        _i("b2", "参加组织生活会、民主评议", "base", points="3"),
        _i("b3", "自觉按月交纳党费", "base", source=DUES, cap="12", value_points={"on_time": "1"}),
        _i("b4", "佩戴党徽、亮明身份", "base", points="1", cap="4", cap_period="quarter"),
        _i("b5", "完成党组织交办任务", "base", span=("1", "5"), declare=True, evidence=True),
        _i("b6", "无职党员岗位年度评价", "base", clerk=False, source=POST_EVALUATION,
           value_points={"优秀": "10", "合格": "6", "基本合格": "3", "不合格": "0"}),
        _i("b7", "年度民主评议党员", "base", clerk=False, source=DEMOCRATIC_EVALUATION,
           value_points={"优秀": "10", "合格": "8", "基本合格": "5", "不合格": "0"}),
        _i("c1", "在急难险重任务面前敢于担当、勇于突破、做出积极贡献", "bonus", span=("2", "10"), declare=True,
           suggest=True, evidence=True),
        _i("c2", "在弘扬社会正气上模范带头，以实际行动做出示范效应", "bonus", span=("1", "5"), declare=True,
           suggest=True),
        _i("c3", "获得县级以上表彰奖励", "bonus", span=("3", "10"), declare=True, evidence=True),
        _i("c4", "帮助群众办实事（受惠党员群众证实）", "bonus", span=("1", "3"), declare=True, suggest=True),
        _i("d1", "经常性不参加组织生活", "deduction", points="5"),
        _i("d2", "不落实党组织分配工作", "deduction", points="3", suggest=True),
        _i("d3", "参与或组织集体上访", "deduction", points="10", suggest=True),
        _i("d4", "受到党政纪处分", "deduction", span=("5", "20")),
        *_VETO_JIAOZUO,
    ],
)

DISTRICT = Template(
    code="seed002_district",
    title="党员积分管理（百分制，四部分）",
    source="002 关于推行党员积分管理工作的实施意见 四（一）",
    mode="percent", aggregation="sum", star_policy_key="seed002_grades", total_cap="100", floor_zero=True,
    part_caps={"base": "70", "bonus": "30"}, activist_min_score="60",
    note="党员积分管理实行百分制，由基础积分、贡献加分、违规扣分、一票否决四部分构成；90分以上为优秀，80-89分良好，"
         "60-79分合格，60分以下不合格。",
    items=[
        _i("b1", "按时参加“三会一课”、主题党日等组织生活", "base", source=ATTENDANCE, cap="30",
           value_points={"present": "2.5", "absent": "-2"}),
        _i("b2", "按时足额交纳党费", "base", source=DUES, cap="12", value_points={"on_time": "1"}),
        _i("b3", "学习党章党规和系列讲话，完成学习任务", "base", span=("1", "5"), cap="14", declare=True),
        _i("b4", "执行党组织决议，完成交办任务", "base", span=("1", "5"), cap="14", declare=True, evidence=True),
        _i("b5", "年度民主评议党员", "base", clerk=False, source=DEMOCRATIC_EVALUATION,
           value_points={"优秀": "10", "合格": "8", "基本合格": "5", "不合格": "0"}),
        _i("c1", "在急难险重任务中发挥先锋模范作用", "bonus", span=("2", "10"), declare=True, suggest=True,
           evidence=True),
        _i("c2", "志愿服务、联系服务群众（受惠群众证实）", "bonus", span=("1", "3"), declare=True, suggest=True),
        _i("c3", "获得表彰奖励", "bonus", span=("2", "10"), declare=True, evidence=True),
        _i("d1", "无故不参加组织生活", "deduction", points="3"),
        _i("d2", "违反有关制度和秩序规定", "deduction", span=("2", "10"), suggest=True),
        _i("d3", "受到党纪政务处分", "deduction", span=("10", "30")),
        _i("v1", "违纪违法，“不在组织、不像党员、不起作用、不守规矩”等严重背离党员标准", "veto",
           confirm="general_meeting"),
    ],
)

ORGAN = Template(
    code="seed001_organ",
    title="机关党员积分制管理（基本分60+先锋分40）",
    source="001 **党员积分考核细则项目表（附件1）；四（五）“年度积分=年度基本得分+年度先锋得分-年度扣分”",
    mode="cumulative", aggregation="sum", star_policy_key="seed001_threshold", floor_zero=True,
    note="考核内容主要包括基本分(60 分)、先锋分(40 分)和扣分三项。积分上不封顶,扣分扣完为止。",
    items=[
        _i("b1", "认真参加“三会一课”、组织生活会和民主评议党员等活动", "base", part="基本分", source=ATTENDANCE,
           value_points={"present": "3", "absent": "-5"}),
        _i("b2", "按照《党章》规定，按时主动足额缴纳党费（每月）", "base", part="基本分", points="2"),
        _i("b3", "认真学习《党章》和党内政策法规，记录学习笔记（每年）", "base", part="基本分", span=("1", "12"),
           cap="12"),
        _i("b4", "积极参加单位、机关支部和工会组织的各类活动", "base", part="基本分", points="3"),
        _i("b5", "撰写思想汇报、心得体会和党性分析材料", "base", part="基本分", points="3", declare=True, evidence=True),
        _i("b6", "参加脱贫攻坚活动，蹲点驻村开展帮扶", "base", part="基本分", points="5", declare=True, evidence=True),
        _i("b7", "开展批评和自我批评，作出公开承诺", "base", part="基本分", points="5"),
        _i("b8", "参加在职党员进社区、结对帮扶等志愿服务，捐款捐物", "base", part="基本分", points="5", declare=True,
           evidence=True),
        _i("p1", "参加交流发言、演讲比赛、征文比赛等活动", "bonus", part="先锋分", points="5", declare=True),
        _i("p2", "全年无违纪违法行为和违反效能建设规定的行为", "bonus", part="先锋分", points="5", cap="5"),
        _i("p3", "向党组织提出合理化意见建议并被采纳", "bonus", part="先锋分", points="5", declare=True, evidence=True),
        _i("p4", "受到表彰奖励（本单位5分、市级7分、省级10分）", "bonus", part="先锋分", span=("5", "10"), declare=True,
           evidence=True),
        _i("p5", "带头到党校、所在支部、联系点等基层单位讲党课", "bonus", part="先锋分", points="5", declare=True),
        _i("p6", "积极参与党支部安排的日常工作", "bonus", part="先锋分", points="5"),
        _i("p7", "其他加分情形（党员申报后由支委会研究决定）", "bonus", part="先锋分", declare=True, evidence=True),
        _i("d1", "无正当理由缺席组织生活，不按时足额交纳党费", "deduction", points="5"),
        _i("d2", "学习笔记不认真、不完整", "deduction", points="3"),
        _i("d3", "工作中出现失误，受到提醒约谈、诫勉谈话、通报批评", "deduction", span=("3", "5")),
        _i("d4", "违纪受到纪律处分、行政处分或者问责", "deduction", points="10"),
        _i("d5", "其他扣分情形（由支委会研究决定）", "deduction"),
    ],
)

COMMUNITY = Template(
    code="seed001_community",
    title="社区党员积分制管理（基础70+党员评议20+群众评议10+贡献≤20）",
    source="001 城市社区党员积分制管理 三（一）至（四）",
    mode="cumulative", aggregation="sum", star_policy_key="seed001_threshold", floor_zero=True,
    part_caps={"基础积分": "70", "党员评议积分": "20", "群众评议积分": "10", "bonus": "20"},
    note="基础积分(70 分)达不到要求的予以扣分,扣完为止；党员评议积分(20 分)每次评议各占 10 分；群众评议积分(10 分)每次"
         "评议各占 5 分；贡献加分(最高 20 分)。",
    items=[
        _i("b0", "年度基础积分（年初记满分，达不到要求的予以扣分）", "base", part="基础积分", points="70", cap="70"),
        _i("b1", "参加“三会一课”、组织生活会和集中学习培训", "base", part="基础积分", source=ATTENDANCE,
           value_points={"absent": "-2", "leave_private": "-0.5"}),
        _i("b2", "未按时足额交纳党费、未执行党组织决议", "deduction", span=("1", "5")),
        _i("e1", "党员评议（每次优秀10、合格8、基本合格6）", "base", part="党员评议积分", clerk=False,
           source=DEMOCRATIC_EVALUATION, cap="20",
           value_points={"优秀": "10", "合格": "8", "基本合格": "6", "不合格": "0"}),
        _i("e2", "群众评议（每次优秀5、合格4、基本合格3）", "base", part="群众评议积分", span=("3", "5"), cap="10"),
        _i("c1", "上级安排工作任务时主动担当、成绩突出", "bonus", span=("1", "5"), declare=True, suggest=True),
        _i("c2", "利用自身优势资源解决社区难题", "bonus", span=("1", "5"), declare=True, suggest=True, evidence=True),
        _i("c3", "组织参与文学、艺术、体育等群体活动", "bonus", span=("1", "3"), declare=True),
        _i("c4", "参与志愿活动、义务劳动和社会公益活动", "bonus", span=("1", "3"), declare=True, suggest=True,
           evidence=True),
        _i("c5", "参与处理、化解信访问题或矛盾纠纷", "bonus", span=("1", "5"), declare=True, suggest=True),
        _i("c6", "获得街道及以上个人荣誉称号", "bonus", span=("2", "5"), declare=True, evidence=True),
        _i("v1", "连续 6 个月不参加组织生活、不交纳党费或不做党所分配的工作", "veto", confirm="general_meeting"),
        _i("v2", "组织参与群体性事件等严重违反党的纪律和有关规定的行为", "veto", confirm="general_meeting"),
    ],
)

_Q = "quarter"
COMPANY = Template(
    code="seed001_company",
    title="公司党员积分制管理（日常行为90+创新创业10，季度平均）",
    source="001 公司党员积分制管理实施细则 四、四（五）“党员年度积分=党员季度积分之和÷4”",
    mode="percent", aggregation="quarter_average", star_policy_key="seed001_threshold", total_cap="100",
    floor_zero=True,
    part_caps={"政治素质": "10", "组织生活": "30", "廉洁自律": "10", "履职尽责": "12", "发挥作用": "28",
               "bonus": "10"},
    note="实行满分百分制，分为日常行为积分(90 分)和创新创业分(10 分)；出现一票否决情形的，一律取消期间的所有积分。",
    items=[
        _i("z1", "认真学习党的路线方针政策和党的基本知识", "base", part="政治素质", points="3", cap="3", cap_period=_Q),
        _i("z2", "贯彻落实党中央和上级党委的各项决策部署", "base", part="政治素质", points="3", cap="3", cap_period=_Q),
        _i("z3", "个人利益服从党和人民的利益，服从组织分配", "base", part="政治素质", points="4", cap="4", cap_period=_Q),
        _i("o1", "按时参加“三会一课”、主题党日等会议、活动及培训", "base", part="组织生活", points="10", cap="10",
           cap_period=_Q),
        _i("o2", "认真参加组织生活会和民主评议党员工作", "base", part="组织生活", points="5", cap="5", cap_period=_Q),
        _i("o3", "学习强国 APP 每季度积分不低于 1944 分", "base", part="组织生活", points="5", cap="5", cap_period=_Q,
           declare=True, evidence=True),
        _i("o4", "按时提交心得体会或思想汇报", "base", part="组织生活", points="5", cap="5", cap_period=_Q),
        _i("o5", "按时、足额交纳党费", "base", part="组织生活", points="5", cap="5", cap_period=_Q),
        _i("l1", "严守党的政治纪律和政治规矩，廉洁奉公", "base", part="廉洁自律", points="3", cap="3", cap_period=_Q),
        _i("l2", "遵守公司各项规章制度和工作纪律", "base", part="廉洁自律", points="4", cap="4", cap_period=_Q),
        _i("l3", "践行社会主义核心价值观", "base", part="廉洁自律", points="3", cap="3", cap_period=_Q),
        _i("r1", "较好完成本职工作任务（结合个人绩效考核）", "base", part="履职尽责", span=("1", "5"), cap="5",
           cap_period=_Q),
        _i("r2", "团结意识强，大局意识强，注重团队配合", "base", part="履职尽责", points="3", cap="3", cap_period=_Q),
        _i("r3", "工作作风扎实，担当意识强", "base", part="履职尽责", span=("1", "4"), cap="4", cap_period=_Q),
        _i("f1", "带头学习提高，主动佩戴党徽", "base", part="发挥作用", points="4", cap="4", cap_period=_Q),
        _i("f2", "带头争创佳绩，在急难险重任务中起先锋模范作用", "base", part="发挥作用", span=("1", "10"), cap="10",
           cap_period=_Q, declare=True, evidence=True),
        _i("f3", "带头服务群众，参加公益活动", "base", part="发挥作用", span=("1", "4"), cap="4", cap_period=_Q,
           declare=True),
        _i("f4", "带头遵纪守法，模范执行党组织决议", "base", part="发挥作用", points="5", cap="5", cap_period=_Q),
        _i("f5", "带头落实企业文化理念，弘扬正能量", "base", part="发挥作用", points="5", cap="5", cap_period=_Q),
        _i("c1", "受到表彰（股份公司3分、集团2分、西南公司1分，上限5分）", "bonus", span=("1", "3"), cap="5",
           cap_period=_Q, declare=True, evidence=True),
        _i("c2", "工作创新突出，发表文章或取得专利（上限5分）", "bonus", span=("1", "5"), cap="5", cap_period=_Q,
           declare=True, evidence=True),
        _i("v1", "无正当理由连续 6 个月不参加组织活动、不缴纳党费或不完成分配的工作", "veto", confirm="general_meeting"),
        _i("v2", "违反安全生产有关规定，造成重大事故", "veto", confirm="general_meeting"),
        _i("v3", "受到撤销党内职务、留党察看、开除党籍等党纪政务处分", "veto", confirm="general_meeting"),
    ],
)

RULES = Template(
    code="seed001_rules",
    title="党员积分管理、评星定级（基本分100+加减分，第十六、十七条定星）",
    source="001 积分管理评星定级办法 第八、九、十一、十六、十七条",
    mode="cumulative", aggregation="sum", star_policy_key="seed001_threshold", floor_zero=True,
    part_caps={"过好组织生活": "35", "参加学习教育": "25", "执行管理制度": "20", "发挥先锋模范作用": "20"},
    note="基本分 100 分，其中过好组织生活 35 分、参加学习教育 25 分、执行管理制度 20 分、发挥先锋模范作用 20 分；"
         "因公请假 6 次及以下的不扣分，6 次以上每次扣 2 分；因私请假 4 次及以下的每次扣 1 分，4 次以上每次扣 2 分。",
    items=[
        _i("o0", "过好组织生活（年初记满分）", "base", part="过好组织生活", points="35", cap="35"),
        _i("o1", "未参加“三会一课”和“党员活动日”（按请假情况扣分）", "base", part="过好组织生活", clerk=False,
           source=ATTENDANCE,
           value_points={"leave_official": [[6, "0"], [None, "-2"]], "leave_private": [[4, "-1"], [None, "-2"]],
                         "absent": "-3"}),
        _i("s0", "参加学习教育（年初记满分）", "base", part="参加学习教育", points="25", cap="25"),
        _i("s1", "未完成学习教育任务", "deduction", span=("1", "5")),
        _i("m0", "执行管理制度（年初记满分）", "base", part="执行管理制度", points="20", cap="20"),
        _i("m1", "未执行管理制度", "deduction", span=("1", "5")),
        _i("f0", "发挥先锋模范作用", "base", part="发挥先锋模范作用", span=("1", "10"), declare=True, suggest=True,
           evidence=True),
        _i("a1", "受到表彰奖励、个人信用等级良好等加分事项", "bonus", span=("1", "5"), declare=True, evidence=True),
        _i("a2", "受到处分、个人信用不良等减分事项", "deduction", span=("1", "10")),
        _i("v1", "严重违纪违法，积分清零", "veto", confirm="general_meeting"),
    ],
)

STAR_RATING = Template(
    code="seed001_star_rating",
    title="党员星级评定、量化考核（基础分60+评星分40）",
    source="001 党员星级评定、量化考核管理工作实施办法 四、五（二）",
    mode="percent", aggregation="sum", star_policy_key="seed001_star_rating", total_cap="100", floor_zero=True,
    part_caps={"base": "60", "bonus": "40"},
    note="考核总分为 100 分，其中基础分 60 分，评星分 40 分；共性分低于 50 分的取消评星资格；三星级起评，总分不低于 70 分。",
    items=[
        _i("b1", "理想信念、宗旨观念", "base", span=("1", "10"), cap="10"),
        _i("b2", "组织纪律（参加组织生活）", "base", source=ATTENDANCE, cap="10",
           value_points={"present": "1", "absent": "-2"}),
        _i("b3", "工作作风、生活作风", "base", span=("1", "20"), cap="20"),
        _i("b4", "廉洁自律", "base", span=("1", "20"), cap="20"),
        _i("s1", "履行党员基本职责义务、专业技术、业务钻研", "bonus", span=("1", "20"), cap="20", declare=True),
        _i("s2", "在“走帮服”连心活动、志愿服务活动中发挥先锋模范作用", "bonus", span=("1", "20"), cap="20",
           declare=True, suggest=True, evidence=True),
        _i("d1", "违反组织纪律、造成不良影响", "deduction", span=("1", "10")),
    ],
)

_INDICES = ["思想品德", "政治生活", "遵章守纪", "业务能力", "创新创效", "结对帮扶", "落实执行", "担当奉献",
            "党员互评", "群众测评"]
QUANTIFIED = Template(
    code="seed001_quantified",
    title="党员量化定级（十大指数，百分制）",
    source="001 2022 年基层党支部党员量化定级工作方案 三、五",
    mode="percent", aggregation="sum", star_policy_key="seed001_quantified", total_cap="100", floor_zero=True,
    note="划分十大指数，制定评分标准，实施百分制考核；出现一票否决情形的，直接被评为“一星”党员。",
    veto_zeroes=False,
    items=[
        *[_i(f"x{n}", f"{name}指数", "base", span=("1", "10"), cap="10") for n, name in enumerate(_INDICES, 1)],
        _i("v1", "没有正当理由连续 6 个月不参加党内组织生活、不交纳党费或不做党组织所分配工作", "veto",
           confirm="general_meeting"),
        _i("v2", "触犯国家法律法规，被司法机关立案侦查；被纪检机关立案调查", "veto", confirm="general_meeting"),
    ],
)

TEMPLATES: dict[str, Template] = {t.code: t for t in (JIAOZUO, DISTRICT, ORGAN, COMMUNITY, COMPANY, RULES,
                                                      STAR_RATING, QUANTIFIED)}


def template_choices() -> list[tuple[str, str]]:
    return [(t.code, t.title) for t in TEMPLATES.values()]


def decimal_or_none(value: str | None) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))
