"""Rules for changes of a member's situation, as pure functions over plain values (no ORM, no I/O).

Sources (cited by file name, DESIGN §3.2):
* seed 001 "xx 镇农村党员管理制度(2)" 第十一条 (outflow, reports) and 第十四、十五条 (disposal of
  unqualified members and its procedure); seed 001 "xx 县农村流动党员管理制度(3)" (transfer vs 活动证);
* seed 000 and seed 001 第七条 (exemption from scoring: own application, branch decision, filed upward);
* the Party Constitution (党章) where the seeds refer to it: one-year probation, an extension of at most
  one year, and a vote needs more than half of the members entitled to vote.

Each refusal is a `RuleViolation(code, Chinese message, field=...)`; the field is the form field it concerns.
"""

from dataclasses import dataclass
from datetime import date

from partyadmin.errors import RuleViolation
from partyadmin.workdays import add_days, add_months

STATUS_PROBATIONARY = "probationary"
STATUS_FULL = "full"

# --- transfers (组织关系转接) ---------------------------------------------------------------------

LETTER_VALIDITY_DEFAULT_DAYS = 30  # policy default; 介绍信 "有效期30天" is the usual print
LETTER_VALIDITY_MAX_DAYS = 90
REASON_MAX = 200


def check_transfer_target(*, from_id: int, to_id: int, to_is_branch: bool, to_is_active: bool) -> None:
    """A transfer inside the system goes to another active branch (党员只能编入党支部)."""
    if to_id == from_id:
        raise RuleViolation("transfer.same_branch", "接收党支部不能是党员现在所在的党支部。", field="to_organization")
    if not to_is_branch or not to_is_active:
        raise RuleViolation("transfer.not_a_branch", "接收组织须为有效的党支部。", field="to_organization")


def check_reason(reason: str, *, field: str = "reason", what: str = "转接原因") -> str:
    text = (reason or "").strip()
    if not text:
        raise RuleViolation(f"transfer.{field}_required", f"请填写{what}。", field=field)
    return text[:REASON_MAX]


def check_not_own_transfer(*, requested_by_id: int | None, acting_user_id: int | None) -> None:
    """The receiving branch must accept: the officer who asked for the transfer cannot also receive it."""
    if requested_by_id is not None and requested_by_id == acting_user_id:
        raise RuleViolation(
            "transfer.own_request", "转接申请由您提出，须由接收党支部的负责人办理接收。",
        )


def letter_valid_until(issued_on: date, days: int) -> date:
    """The last day of a letter valid for `days` calendar days, the day of issue counting as the first."""
    if not 1 <= days <= LETTER_VALIDITY_MAX_DAYS:
        raise RuleViolation("transfer.validity", f"介绍信有效期须在1至{LETTER_VALIDITY_MAX_DAYS}天之间。",
                            field="validity_days")
    return add_days(issued_on, days - 1)


def letter_number(year: int, sequence: int) -> str:
    """The letter's number as printed: year and a per-county running number (（2026）第 0012 号)."""
    return f"（{year}）第 {sequence:04d} 号"


def age_on(birth_date: date, day: date) -> int:
    """Full years of age on `day`."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


# --- floating members (流动党员) ------------------------------------------------------------------

TRANSFER_AFTER_MONTHS = 6  # "党员外出时间较长的(6 个月以上),且工作地点固定…一般应将组织关系转入工作单位"
CERTIFICATE_FROM_MONTHS = 3  # "党员外出时间在 3 个月以上 6 个月以下的…领取流动党员活动证"
REPORTS_PER_YEAR = 2  # "每年至少向原所在村党组织汇报两次"
DIRECTION_OUT = "flow_out"
DIRECTION_IN = "flow_in"

ADVICE_TRANSFER = "transfer"
ADVICE_CERTIFICATE = "certificate"
ADVICE_REPORT = "report"

ADVICE_TEXT = {
    ADVICE_TRANSFER: "外出6个月以上且地点固定：一般应将组织关系转入工作单位或所在地党组织（开具组织关系介绍信）。",
    ADVICE_CERTIFICATE: "外出3至6个月（或地点不固定）：外出前报告外出事由、时间、地点及联系方法，领取流动党员活动证。",
    ADVICE_REPORT: "每年至少向原所在党组织汇报两次外出期间的思想、工作和参加党的组织生活等情况。",
}


def months_between(start: date, end: date) -> int:
    """Whole calendar months from `start` to `end` (a month counts once its anniversary day is reached)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return max(months, 0)


def check_flow(*, direction: str, other_organization: str, started_on: date, ends_on: date | None,
               today: date) -> None:
    if direction not in (DIRECTION_OUT, DIRECTION_IN):
        raise RuleViolation("flow.direction", "请选择流出或流入。", field="direction")
    if not (other_organization or "").strip():
        raise RuleViolation("flow.other_organization_required",
                            "请填写流入地（或流出地）党组织。", field="other_organization")
    if started_on > today:
        raise RuleViolation("flow.start_in_future", "外出（流入）日期不能晚于今天。", field="started_on")
    if ends_on is not None and ends_on <= started_on:
        raise RuleViolation("flow.end_before_start", "预计返回日期须晚于外出日期。", field="ends_on")


def flow_advice(*, direction: str, started_on: date, ends_on: date | None, fixed_place: bool) -> list[str]:
    """What the seed asks of an outflow of this length (seed 001 第十一条; 流动党员管理制度(3) 二).

    "外出时间六个月以上且地点比较固定的,应转移党员正式组织关系…外出时间较短的(六个月以内)或组织
    关系暂无法转移的,使用流动党员活动证。" An open-ended outflow counts as six months or more.
    """
    if direction != DIRECTION_OUT:
        return []
    months = None if ends_on is None else months_between(started_on, ends_on)
    advice = []
    if fixed_place and (months is None or months >= TRANSFER_AFTER_MONTHS):
        advice.append(ADVICE_TRANSFER)
    elif months is None or months >= CERTIFICATE_FROM_MONTHS:
        advice.append(ADVICE_CERTIFICATE)
    advice.append(ADVICE_REPORT)
    return advice


def transfer_prompt_due(*, direction: str, started_on: date, fixed_place: bool, today: date) -> bool:
    """An outflow with a fixed place that has lasted six months: time to transfer the relationship."""
    return (direction == DIRECTION_OUT and fixed_place
            and today >= add_months(started_on, TRANSFER_AFTER_MONTHS))


@dataclass(frozen=True)
class HalfYear:
    year: int
    half: int  # 1 = January–June, 2 = July–December

    @property
    def starts_on(self) -> date:
        return date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def ends_on(self) -> date:
        return date(self.year, 6, 30) if self.half == 1 else date(self.year, 12, 31)

    @property
    def reminds_from(self) -> date:
        """The first day of the half's last month: June 1 or December 1."""
        return date(self.year, 6 if self.half == 1 else 12, 1)

    @property
    def key(self) -> str:
        return f"{self.year}H{self.half}"

    @property
    def label(self) -> str:
        return f"{self.year}年{'上' if self.half == 1 else '下'}半年"


def half_year_of(day: date) -> HalfYear:
    return HalfYear(day.year, 1 if day.month <= 6 else 2)


def report_reminder_due(*, direction: str, started_on: date, today: date, reported_this_half: bool) -> bool:
    """"每年至少向原所在村党组织汇报两次" (seed 001 第十一条): at least one report in each half-year.

    From the first day of the half's last month (1 June, 1 December), an outflow that started before
    that day and has no report dated in the half is reminded, once per half-year.
    """
    if direction != DIRECTION_OUT or reported_this_half:
        return False
    half = half_year_of(today)
    return started_on < half.reminds_from <= today


def check_report(*, reported_on: date, content: str, started_on: date, today: date) -> str:
    text = (content or "").strip()
    if not text:
        raise RuleViolation("flow.report_content_required", "请填写汇报内容。", field="content")
    if reported_on > today:
        raise RuleViolation("flow.report_in_future", "汇报日期不能晚于今天。", field="reported_on")
    if reported_on < started_on:
        raise RuleViolation("flow.report_before_start", "汇报日期不能早于外出日期。", field="reported_on")
    return text


def check_flow_end(*, returned_on: date, started_on: date, today: date) -> None:
    if returned_on < started_on:
        raise RuleViolation("flow.return_before_start", "返回日期不能早于外出日期。", field="returned_on")
    if returned_on > today:
        raise RuleViolation("flow.return_in_future", "返回日期不能晚于今天。", field="returned_on")


# --- exemption from scoring (免于积分评星) -----------------------------------------------------------

BODY_COMMITTEE = "committee"
BODY_GENERAL_MEETING = "general_meeting"


def check_exemption_reason(*, reason_kind: str, reason: str, kinds: list[str]) -> str:
    """seed 000: "年老体弱、长期患病、行动不便等有特殊情况的党员，经本人申请、党支部研究同意，可不参加"."""
    if reason_kind not in kinds:
        raise RuleViolation("exemption.reason_kind", "请选择申请原因。", field="reason_kind")
    text = (reason or "").strip()
    if not text:
        raise RuleViolation("exemption.reason_required", "请写明具体情况（如年龄、病情、行动能力）。", field="reason")
    return text[:REASON_MAX]


def check_decision_body(*, body: str, has_committee: bool) -> None:
    """The branch decides by its committee, or by the general meeting; a branch without a committee
    decides by the general meeting (seed 000 "不设支部委员会的由支部大会")."""
    if body not in (BODY_COMMITTEE, BODY_GENERAL_MEETING):
        raise RuleViolation("decision.body", "请选择支部委员会或支部党员大会。", field="body")
    if body == BODY_COMMITTEE and not has_committee:
        raise RuleViolation("decision.no_committee", "该党支部不设支部委员会，应由支部党员大会研究决定。", field="body")


def check_decided_on(*, decided_on: date, after: date, today: date, field: str = "decided_on") -> None:
    if decided_on > today:
        raise RuleViolation("decision.in_future", "日期不能晚于今天。", field=field)
    if decided_on < after:
        raise RuleViolation("decision.too_early", f"日期不能早于 {after:%Y年%m月%d日}。", field=field)


# --- disposal of unqualified members (处置不合格党员) ---------------------------------------------------

MEASURE_RECTIFY = "rectify_deadline"  # 限期改正
MEASURE_PERSUADE = "persuade_to_quit"  # 劝退
MEASURE_REMOVE = "remove"  # 除名
MEASURES = (MEASURE_RECTIFY, MEASURE_PERSUADE, MEASURE_REMOVE)

RECTIFY_MONTHS = 12  # "限期改正的时间为一年"
PROBATION_EXTENSION_MAX_YEARS = 1  # 党章第七条: "延长预备期，但不能超过一年"

# The procedure of seed 001 第十五条, in order. Each service moves a case one step on.
STEP_FINDING = 1  # (1) 支委会…作出初步认定
STEP_INVESTIGATED = 2  # (2) 调查核实材料, 初步处置意见
STEP_PRE_REVIEW = 3  # (3) 报镇党委预审 (劝退、除名: 再报县（市）委组织部门预审)
STEP_PRE_REVIEWED = 4  # 经预审同意
STEP_VOTED = 5  # (4) 支部大会讨论、表决
STEP_APPROVAL = 6  # (5) 报批
STEP_APPROVED = 7  # 审批同意
STEP_ANNOUNCED = 8  # 通知本人并以适当方式宣布

STEP_LABELS = {
    STEP_FINDING: "支委会初步认定",
    STEP_INVESTIGATED: "调查核实",
    STEP_PRE_REVIEW: "上级预审中",
    STEP_PRE_REVIEWED: "预审同意",
    STEP_VOTED: "支部大会表决通过",
    STEP_APPROVAL: "上级审批中",
    STEP_APPROVED: "审批同意",
    STEP_ANNOUNCED: "已通知本人并宣布",
}

# What each step needs before it (the step the case must be at).
REQUIRED_STEP = {
    "investigate": STEP_FINDING,
    "pre_review": STEP_INVESTIGATED,
    "vote": STEP_PRE_REVIEWED,
    "approval": STEP_VOTED,
    "announce": STEP_APPROVED,
}
ACTION_LABELS = {
    "investigate": "调查核实",
    "pre_review": "报上级预审",
    "vote": "支部大会表决",
    "approval": "报上级审批",
    "announce": "通知本人并宣布",
}


def check_step(*, current: int, action: str) -> None:
    """Each step in its turn (seed 001 第十五条 "对党员的组织处理一般应按以下程序进行")."""
    expected = REQUIRED_STEP[action]
    if current != expected:
        raise RuleViolation(
            "disposal.out_of_order",
            f"处置程序须依次进行：当前为“{STEP_LABELS.get(current, '—')}”，"
            f"须在“{STEP_LABELS[expected]}”之后才能{ACTION_LABELS[action]}。",
        )


def needs_county(measure: str) -> bool:
    """"对拟作出劝退、除名处置的,由镇党委报市委组织部门预审"; "对作出劝退、除名处置的,由镇党委集体研究
    提出审批意见,报市委组织部门审查批准" (seed 001 第十五条): 限期改正 stops at the township."""
    return measure in (MEASURE_PERSUADE, MEASURE_REMOVE)


def check_measure(measure: str) -> None:
    if measure not in MEASURES:
        raise RuleViolation("disposal.measure", "请选择处置方式：限期改正、劝退或除名。", field="measure")


def check_probation_extension(*, extend: bool, measure: str, member_status: str) -> None:
    """"限期改正的时间为一年,预备党员可同时作出延长预备期处理" (seed 001 第十四条)."""
    if not extend:
        return
    if measure != MEASURE_RECTIFY:
        raise RuleViolation("disposal.extension_measure", "只有限期改正可同时延长预备期。", field="extend_probation")
    if member_status != STATUS_PROBATIONARY:
        raise RuleViolation("disposal.extension_full_member", "只有预备党员可以延长预备期。", field="extend_probation")


LAPSE_DUES = "dues"
LAPSE_LIFE = "life"
LAPSE_WORK = "work"
LAPSE_GROUNDS = {
    LAPSE_LIFE: "没有正当理由，连续6个月不参加党的组织生活",
    LAPSE_DUES: "没有正当理由，连续6个月不交纳党费",
    LAPSE_WORK: "没有正当理由，连续6个月不做党所分配的工作",
}


def check_self_lapse(*, grounds: list[str], measure: str, education: str) -> None:
    """"对没有正当理由,连续 6 个月不参加党的组织生活的;没有正当理由,连续 6 个月不交纳党费的;没有正当理由,
    连续 6 个月不做党所分配的工作的,应客观分析原因并及时批评教育,经批评教育仍不改正的,视为自动脱党,
    支部大会应当讨论作出除名处理决定" (seed 001 第十四条)."""
    if not grounds:
        return
    unknown = set(grounds) - set(LAPSE_GROUNDS)
    if unknown:
        raise RuleViolation("disposal.lapse_ground", "自行脱党的情形无效。", field="lapse_grounds")
    if measure != MEASURE_REMOVE:
        raise RuleViolation("disposal.lapse_measure", "视为自行脱党的，应作出除名处理。", field="measure")
    if not (education or "").strip():
        raise RuleViolation("disposal.lapse_education",
                            "自行脱党须先客观分析原因并及时批评教育：请写明批评教育情况。", field="education")


@dataclass(frozen=True)
class Vote:
    eligible: int  # 应到会有表决权的党员
    attended: int  # 实到会有表决权的党员
    in_favour: int
    against: int
    abstained: int

    @property
    def passed(self) -> bool:
        return self.in_favour * 2 > self.eligible


def check_vote(vote: Vote) -> bool:
    """The general meeting votes on the proposed measure (seed 001 第十五条(4) "讨论处置意见并进行表决").

    A general meeting needs more than half of the members entitled to vote present, and a decision
    more than half of them in favour (党章 and 《中国共产党支部工作条例（试行）》; the seed does not restate it).
    Returns whether the measure passed.
    """
    if vote.eligible < 1:
        raise RuleViolation("disposal.vote_eligible", "应到会有表决权的党员人数须大于0。", field="eligible")
    if min(vote.attended, vote.in_favour, vote.against, vote.abstained) < 0:
        raise RuleViolation("disposal.vote_negative", "人数不能为负数。", field="attended")
    if vote.attended > vote.eligible:
        raise RuleViolation("disposal.vote_attended", "实到人数不能多于应到人数。", field="attended")
    if vote.attended * 2 <= vote.eligible:
        raise RuleViolation("disposal.vote_quorum",
                            "有表决权的党员到会未超过半数，不能进行表决。", field="attended")
    if vote.in_favour + vote.against + vote.abstained > vote.attended:
        raise RuleViolation("disposal.vote_total", "赞成、反对、弃权票合计不能多于实到人数。", field="in_favour")
    return vote.passed


def rectify_until(approved_on: date) -> date:
    """The end of the one-year correction period, counted from the approval (seed 001 第十四条)."""
    return add_months(approved_on, RECTIFY_MONTHS)


RECTIFY_REMIND_DAYS = 30


def rectify_reminder(*, until: date, today: date) -> str | None:
    """Which reminder is due for a correction period ending `until`: "near" from 30 days before, "reached"
    from the last day on (the branch must then judge whether the member meets the standard again)."""
    if today >= until:
        return "reached"
    if today >= add_days(until, -RECTIFY_REMIND_DAYS):
        return "near"
    return None


def check_rectification_conclusion(*, until: date, concluded_on: date, today: date) -> None:
    """"限期改正期满,仍不符合党员条件的,要给予劝退处理" (seed 001 第十四条): judged when the year is up."""
    if concluded_on < until:
        raise RuleViolation("disposal.rectify_not_due",
                            f"限期改正期限至 {until:%Y年%m月%d日}，期满后方可作出结论。", field="concluded_on")
    if concluded_on > today:
        raise RuleViolation("decision.in_future", "日期不能晚于今天。", field="concluded_on")


# --- status changes -----------------------------------------------------------------------------------


def anniversary(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def probation_ends_on(*, joined_on: date, extended_until: date | None) -> date:
    """"预备党员的预备期为一年" (党章第七条), or the end of an approved extension."""
    return extended_until or anniversary(joined_on, 1)


def probation_extension_until(joined_on: date) -> date:
    """An extension of the probation runs at most one year past the first (党章第七条)."""
    return anniversary(joined_on, 1 + PROBATION_EXTENSION_MAX_YEARS)


def check_make_full(*, status: str, joined_on: date, probation_ends: date, meeting_on: date, approved_on: date,
                    today: date) -> None:
    """转正: "预备期满…党支部应当及时讨论其能否转为正式党员", then the superior committee approves."""
    if status != STATUS_PROBATIONARY:
        raise RuleViolation("member.not_probationary", "只有预备党员才能办理转正。")
    if meeting_on < probation_ends:
        raise RuleViolation("member.probation_not_over",
                            f"预备期至 {probation_ends:%Y年%m月%d日} 期满，支部大会讨论转正须在期满之后。",
                            field="meeting_on")
    if approved_on < meeting_on:
        raise RuleViolation("member.approval_before_meeting", "上级党委审批日期不能早于支部大会日期。",
                            field="approved_on")
    if approved_on > today or meeting_on > today:
        raise RuleViolation("decision.in_future", "日期不能晚于今天。", field="approved_on")
    if joined_on >= probation_ends:
        raise RuleViolation("member.probation_invalid", "预备期满日期有误。", field="meeting_on")


def check_death(*, died_on: date, joined_on: date, today: date) -> None:
    if died_on > today:
        raise RuleViolation("member.death_in_future", "去世日期不能晚于今天。", field="died_on")
    if died_on < joined_on:
        raise RuleViolation("member.death_before_joining", "去世日期不能早于入党日期。", field="died_on")
