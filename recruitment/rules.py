"""The admission rules (双推双评三全程) as pure functions over plain values.

Sources: seed 000 (焦组〔2018〕45号, 《关于实行"双推双评三全程"进一步规范发展党员工作的实施意见》), seed 003
(金华, 《关于加强新形势下发展党员和党员管理工作的若干意见》) and the national 《中国共产党发展党员工作细则》
(five stages, twenty-five steps) that both point to. Each check raises `RuleViolation` with the rule's
Chinese message; nothing here touches the database.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from membership.changes.rules import age_on
from partyadmin.errors import RuleViolation
from partyadmin.workdays import add_months

# --- stages and steps (DESIGN §4 table) ---------------------------------------------------------


class Stage(StrEnum):
    APPLICANT = "applicant"
    ACTIVIST = "activist"
    CANDIDATE = "candidate"
    PROBATIONARY = "probationary"
    FULL = "full"


STAGE_LABELS: dict[str, str] = {
    Stage.APPLICANT: "入党申请人",
    Stage.ACTIVIST: "入党积极分子",
    Stage.CANDIDATE: "发展对象",
    Stage.PROBATIONARY: "预备党员",
    Stage.FULL: "正式党员",
}

# (number, stage phase label, step title)
STEPS: list[tuple[int, str, str]] = [
    (1, "申请入党", "递交入党申请书"),
    (2, "申请入党", "党组织派人谈话"),
    (3, "入党积极分子的确定和培养教育", "推荐和确定入党积极分子"),
    (4, "入党积极分子的确定和培养教育", "上级党委备案"),
    (5, "入党积极分子的确定和培养教育", "指定培养联系人"),
    (6, "入党积极分子的确定和培养教育", "培养教育考察"),
    (7, "发展对象的确定和考察", "确定发展对象"),
    (8, "发展对象的确定和考察", "报上级党委备案"),
    (9, "发展对象的确定和考察", "确定入党介绍人"),
    (10, "发展对象的确定和考察", "进行政治审查"),
    (11, "发展对象的确定和考察", "开展集中培训"),
    (12, "预备党员的接收", "支部委员会审查"),
    (13, "预备党员的接收", "上级党委预审"),
    (14, "预备党员的接收", "填写入党志愿书"),
    (15, "预备党员的接收", "支部大会讨论"),
    (16, "预备党员的接收", "上级党委派人谈话"),
    (17, "预备党员的接收", "上级党委审批"),
    (18, "预备党员的接收", "再上一级党委组织部门备案"),
    (19, "预备党员的教育考察和转正", "编入党支部和党小组"),
    (20, "预备党员的教育考察和转正", "入党宣誓"),
    (21, "预备党员的教育考察和转正", "继续教育考察"),
    (22, "预备党员的教育考察和转正", "提出转正申请"),
    (23, "预备党员的教育考察和转正", "支部大会讨论"),
    (24, "预备党员的教育考察和转正", "上级党委审批"),
    (25, "预备党员的教育考察和转正", "材料归档"),
]
STEP_TITLES: dict[int, str] = {number: title for number, _, title in STEPS}
STEP_PHASES: dict[int, str] = {number: phase for number, phase, _ in STEPS}
LAST_STEP = 25

# The stage a person is in once a step is completed (the stage changes when the superior answers).
STAGE_AFTER_STEP: dict[int, str] = {4: Stage.ACTIVIST, 8: Stage.CANDIDATE, 17: Stage.PROBATIONARY, 24: Stage.FULL}


def stage_after(completed_step: int) -> str:
    """The stage of a file whose steps up to `completed_step` are complete."""
    stage = Stage.APPLICANT
    for number, reached in sorted(STAGE_AFTER_STEP.items()):
        if completed_step >= number:
            stage = reached
    return stage


def check_current_step(*, current: int, wanted: int) -> None:
    """Nothing jumps a step ("程序不少、环节不漏", seed 000 一(三)): an action belongs to the current step."""
    if current != wanted:
        if current > wanted:
            raise RuleViolation("recruitment.step_done", f"第{wanted}步“{STEP_TITLES[wanted]}”已经办理完毕。")
        raise RuleViolation(
            "recruitment.step_order",
            f"须先完成第{current}步“{STEP_TITLES[current]}”，才能办理第{wanted}步“{STEP_TITLES[wanted]}”。",
        )


# --- deadlines ------------------------------------------------------------------------------------


class DeadlineStatus(StrEnum):
    NONE = ""
    NORMAL = "normal"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


DEADLINE_LABELS: dict[str, str] = {
    DeadlineStatus.NONE: "",
    DeadlineStatus.NORMAL: "正常",
    DeadlineStatus.DUE_SOON: "即将到期",
    DeadlineStatus.OVERDUE: "已超期",
}


def deadline_status(*, due_on: date | None, today: date, warn_days: int, done: bool = False) -> str:
    """正常 / 即将到期 (within `warn_days` of the due date) / 已超期 (after the due date); none without a limit."""
    if due_on is None or done:
        return DeadlineStatus.NONE
    if today > due_on:
        return DeadlineStatus.OVERDUE
    if (due_on - today).days <= warn_days:
        return DeadlineStatus.DUE_SOON
    return DeadlineStatus.NORMAL


# --- stage 1: applicant -----------------------------------------------------------------------------

MIN_AGE = 18


def check_applicant_age(*, birth_date: date, applied_on: date) -> None:
    """"推荐对象必须是年满18周岁、已递交入党申请书" (seed 000 二(一)1(1)); 党章第一条: 年满十八岁."""
    if age_on(birth_date, applied_on) < MIN_AGE:
        raise RuleViolation("recruitment.too_young", "递交入党申请书时须年满18周岁。", field="applied_on")


def check_not_future(day: date, *, today: date, field: str = "on") -> None:
    if day > today:
        raise RuleViolation("recruitment.date_in_future", "日期不能晚于今天。", field=field)


def check_not_before(day: date, earlier: date, *, what: str, field: str = "on") -> None:
    if day < earlier:
        raise RuleViolation("recruitment.date_order", f"日期不能早于{what}（{earlier:%Y年%m月%d日}）。", field=field)


def talk_due_on(applied_on: date, *, months: int = 1) -> date:
    """《细则》第八条: 党组织应当在一个月内派人同入党申请人谈话."""
    return add_months(applied_on, months)


def check_talk(*, applied_on: date, talked_on: date, months: int = 1) -> None:
    """The talk within one month of the application, to the day (2024-01-31 → 2024-02-29)."""
    check_not_before(talked_on, applied_on, what="递交入党申请书日期", field="talked_on")
    if talked_on > talk_due_on(applied_on, months=months):
        raise RuleViolation(
            "recruitment.talk_late",
            f"谈话须在收到入党申请书后{months}个月内进行（至 {talk_due_on(applied_on, months=months):%Y年%m月%d日}）；"
            "已超期的请如实记录并说明原因。",
            field="talked_on",
        )


# --- stage 2: activist via 双推 ---------------------------------------------------------------------


def more_than_half(count: int, total: int) -> bool:
    """"半数以上" read as more than half: exactly half is not enough."""
    return total > 0 and count * 2 > total


def check_member_recommendation(*, agree: int, branch_members: int) -> None:
    """"被推荐人应当获得本支部半数以上党员的同意" (seed 000 二(一)1(2)), against the branch's members that day."""
    if agree < 0 or agree > branch_members:
        raise RuleViolation("recruitment.bad_count", "同意人数不能超过支部党员人数。", field="agree")
    if not more_than_half(agree, branch_members):
        raise RuleViolation(
            "recruitment.recommendation_short",
            f"党员推荐须获得本支部半数以上党员同意：支部党员 {branch_members} 名，同意 {agree} 名。",
            field="agree",
        )


def needs_mass_org_recommendation(*, is_league_member: bool, is_union_member: bool, is_woman: bool) -> bool:
    """"入党申请人是共青团员、工会会员或妇女的，还需经过群团组织推优" (seed 000 二(一))."""
    return is_league_member or is_union_member or is_woman


def check_designation(
    *,
    talk_done: bool,
    recommended: bool,
    mass_org_needed: bool,
    mass_org_done: bool,
    mass_meeting_required: bool,
    mass_meeting_on: date | None,
    decided_on: date,
    locked_until: date | None,
    minutes: str,
) -> None:
    """支部委员会研究确定入党积极分子 (seed 000 二(一)3), with seed 003 item 2 when the tenant sets it."""
    if not talk_done:
        raise RuleViolation("recruitment.talk_missing", "党组织派人谈话后，才能推荐为入党积极分子。")
    if locked_until is not None and decided_on < locked_until:
        raise RuleViolation(
            "recruitment.relock",
            f"该同志被取消入党积极分子资格，半年内不得再次确定为入党积极分子（{locked_until:%Y年%m月%d日}起可再次确定）。",
            field="decided_on",
        )
    if not recommended:
        raise RuleViolation("recruitment.not_recommended", "须经党员推荐并获得本支部半数以上党员同意。")
    if mass_org_needed and not mass_org_done:
        raise RuleViolation(
            "recruitment.mass_org_missing", "入党申请人是共青团员、工会会员或妇女的，还需经过群团组织推优。",
        )
    if mass_meeting_required and (mass_meeting_on is None or mass_meeting_on > decided_on
                                  or mass_meeting_on.year != decided_on.year):
        raise RuleViolation(
            "recruitment.mass_meeting_missing",
            "本地规定：基层党支部每年至少召开一次群众推优会，未经群众推荐，不能列为入党积极分子。",
        )
    if not minutes.strip():
        raise RuleViolation("recruitment.minutes_missing", "请填写会议记录（须形成书面会议记录）。", field="minutes")


# --- stage 2→3: training and 双评 -----------------------------------------------------------------

EVALUATION_ITEMS: dict[str, str] = {
    "overall": "综合评价",
    "political": "政治表现",
    "moral": "道德品行",
    "lawful": "遵纪守法",
    "work": "工作表现",
    "commitment": "履行承诺",
}
GRADES: dict[str, str] = {"excellent": "优秀", "fair": "一般", "poor": "差"}


class Outcome(StrEnum):
    PROPOSE = "propose"
    CONTINUE = "continue"
    CANCEL = "cancel"


OUTCOME_LABELS: dict[str, str] = {
    Outcome.PROPOSE: "可列为发展对象人选",
    Outcome.CONTINUE: "继续培养教育",
    Outcome.CANCEL: "取消入党积极分子资格",
}


def training_ready_on(activist_on: date, *, months: int = 12) -> date:
    """"经过一年以上教育培养和考察" (seed 000 二(二)1): the first day an evaluation may be held."""
    return add_months(activist_on, months)


def check_training_period(*, activist_on: date, held_on: date, months: int = 12) -> None:
    ready = training_ready_on(activist_on, months=months)
    if held_on < ready:
        raise RuleViolation(
            "recruitment.training_short",
            f"入党积极分子须经过一年以上教育培养和考察（{ready:%Y年%m月%d日}起方可评议）。",
            field="held_on",
        )


@dataclass(frozen=True)
class Attendance:
    ok: bool
    warning: str


def check_evaluation_attendance(*, branch_members: int, members_present: int, masses_present: int) -> Attendance:
    """"参加评议的党员应超过支部党员总数的半数，参加评议的群众一般不应低于到会党员总数的2/3" (seed 000
    二(二)2(1)): too few members refuses; too few masses ("一般") warns."""
    if members_present > branch_members:
        raise RuleViolation("recruitment.bad_count", "到会党员不能多于支部党员总数。", field="members_present")
    if not more_than_half(members_present, branch_members):
        raise RuleViolation(
            "recruitment.quorum",
            f"参加评议的党员应超过支部党员总数的半数：支部党员 {branch_members} 名，到会 {members_present} 名。",
            field="members_present",
        )
    if masses_present * 3 < members_present * 2:
        return Attendance(True, f"参加评议的群众（{masses_present} 名）少于到会党员（{members_present} 名）的2/3。")
    return Attendance(True, "")


Tallies = Mapping[str, Mapping[str, int]]


def check_tallies(tallies: Tallies) -> int:
    """Every item counted on the same number of forms; returns that number."""
    totals = set()
    for item in EVALUATION_ITEMS:
        row = tallies.get(item)
        if row is None:
            raise RuleViolation("recruitment.tally_missing", f"请填写“{EVALUATION_ITEMS[item]}”的评议票数。",
                                field="tallies")
        counts = [int(row.get(grade, 0)) for grade in GRADES]
        if any(count < 0 for count in counts):
            raise RuleViolation("recruitment.bad_count", "票数不能为负数。", field="tallies")
        totals.add(sum(counts))
    if len(totals) != 1 or 0 in totals:
        raise RuleViolation("recruitment.tally_mismatch", "各评议项目的票数合计须相同，且等于收回的评议表份数。",
                            field="tallies")
    return totals.pop()


def evaluation_outcome(tallies: Tallies) -> str:
    """seed 000 二(二)3: "综合评价'优秀'过半，且单项被评为'差'的票数不超过20%的…可列为发展对象人选 …
    对于综合评价'差'票超过50%的，要取消入党积极分子资格"; otherwise keep training."""
    forms = check_tallies(tallies)
    overall = tallies["overall"]
    if int(overall.get("poor", 0)) * 2 > forms:
        return Outcome.CANCEL
    excellent_majority = more_than_half(int(overall.get("excellent", 0)), forms)
    poor_within = all(int(tallies[item].get("poor", 0)) * 5 <= forms for item in EVALUATION_ITEMS)
    if excellent_majority and poor_within:
        return Outcome.PROPOSE
    return Outcome.CONTINUE


RELOCK_MONTHS = 6


def relock_until(cancelled_on: date, *, months: int = RELOCK_MONTHS) -> date:
    """"半年内不得再次确定为入党积极分子": the first day a new designation is allowed."""
    return add_months(cancelled_on, months)


def check_introducers(*, introducers: list[tuple[str, str]]) -> None:
    """《细则》第十五条: 发展对象应当有两名正式党员作入党介绍人. `introducers` = [(name, status)]."""
    if len(introducers) != 2 or len({name for name, _ in introducers}) != 2:
        raise RuleViolation("recruitment.introducers_two", "入党介绍人须为两名。", field="introducers")
    for name, status in introducers:
        if status != "full":
            raise RuleViolation("recruitment.introducer_not_full", f"{name}不是正式党员，不能作入党介绍人。",
                                field="introducers")


def check_political_review(*, conclusion: str, qualified: bool | None, is_floating: bool,
                           household_opinion: str, residence_opinion: str) -> None:
    """seed 000 二(二)4: "政治审查情况应当形成结论性材料"; for floating people "还应当征求其户籍所在地和
    居住地基层党组织的意见"."""
    if not conclusion.strip() or qualified is None:
        raise RuleViolation("recruitment.review_conclusion", "政治审查须形成结论性材料。", field="conclusion")
    if is_floating and (not household_opinion.strip() or not residence_opinion.strip()):
        raise RuleViolation(
            "recruitment.floating_opinions", "对流动人员进行政治审查，还应征求其户籍所在地和居住地基层党组织的意见。",
            field="household_opinion",
        )


def check_concentrated_training(*, days: int, hours: int, min_days: int = 3, min_hours: int = 24) -> None:
    """《细则》第二十条: 集中培训时间一般不少于三天（或不少于二十四个学时）."""
    if days < min_days and hours < min_hours:
        raise RuleViolation(
            "recruitment.training_hours",
            f"集中培训时间一般不少于{min_days}天（或不少于{min_hours}个学时）。", field="days",
        )


# --- stage 4: admission -------------------------------------------------------------------------------


def check_vote(*, entitled: int, present: int, for_votes: int, against: int, abstain: int) -> None:
    """支部大会表决: "赞成人数超过应到会有表决权的正式党员的半数" (《细则》第二十二条); 预备党员没有表决权."""
    if present > entitled:
        raise RuleViolation("recruitment.bad_count", "到会有表决权的正式党员不能多于应到会人数。", field="present")
    if for_votes + against + abstain > present:
        raise RuleViolation("recruitment.bad_count", "票数合计不能多于到会有表决权的正式党员人数。", field="for_votes")
    if not more_than_half(present, entitled):
        raise RuleViolation("recruitment.vote_quorum", "到会有表决权的正式党员须超过应到会人数的半数。",
                            field="present")


def vote_passed(*, entitled: int, for_votes: int) -> bool:
    return more_than_half(for_votes, entitled)


def check_graduation_window(*, is_student: bool, graduates_on: date | None, meeting_on: date, months: int) -> None:
    """seed 003 item 12: "学生在毕业前3个月，一般不办理接收预备党员的手续" (a tenant policy; 0 = off)."""
    if not is_student or not months or graduates_on is None:
        return
    if add_months(graduates_on, -months) <= meeting_on <= graduates_on:
        raise RuleViolation(
            "recruitment.graduation_window",
            f"本地规定：学生在毕业前{months}个月，一般不办理接收预备党员的手续（毕业日期 {graduates_on:%Y年%m月%d日}）。",
            field="held_on",
        )


APPROVAL_MONTHS = 3
APPROVAL_MAX_MONTHS = 6


def approval_due_on(meeting_on: date, *, months: int = APPROVAL_MONTHS) -> date:
    """《细则》第二十九条: 上级党委…应当在三个月内审批."""
    return add_months(meeting_on, months)


def check_approval_extension(*, meeting_on: date, until: date, max_months: int = APPROVAL_MAX_MONTHS) -> None:
    """"特殊情况可以适当延长审批时间，但不得超过六个月"."""
    latest = add_months(meeting_on, max_months)
    if until > latest:
        raise RuleViolation("recruitment.approval_extension",
                            f"审批时间最长不得超过{max_months}个月（至 {latest:%Y年%m月%d日}）。", field="until")


PROBATION_MONTHS = 12


def probation_ends_on(joined_on: date, *, extended_months: int = 0) -> date:
    """"预备党员的预备期为一年" (党章第七条), plus an extension (at most one year)."""
    return add_months(joined_on, PROBATION_MONTHS + extended_months)


def check_probation_extension(*, extended_months_before: int, months: int) -> None:
    """党章第七条: 延长预备期，最长不超过一年."""
    if months < 1 or extended_months_before + months > 12:
        raise RuleViolation("recruitment.extension_max", "延长预备期最长不超过一年。", field="months")


def check_conversion_meeting(*, probation_ends: date, held_on: date) -> None:
    """预备期满后支部大会讨论转正."""
    if held_on < probation_ends:
        raise RuleViolation(
            "recruitment.probation_not_over",
            f"预备期至 {probation_ends:%Y年%m月%d日} 期满，支部大会讨论转正须在期满之后。", field="held_on",
        )


# --- quarterly reports and half-year examinations (seed 000 二(一)5) ------------------------------------


def report_due_on(*, since: date, months: int = 3) -> date:
    """"培养联系人一般每季度向党支部汇报一次" — due three months after the last report (or designation)."""
    return add_months(since, months)


def examination_due_on(*, since: date, months: int = 6) -> date:
    """"党支部每半年对入党积极分子进行一次考察"."""
    return add_months(since, months)
