"""Changes of a member's situation (DESIGN §3.2): transfers, floating, exemption from scoring, disposal of
unqualified members, and the status changes that take a member out of the register (or make them full).

Imported at the bottom of `membership.models`, so these tables belong to the `membership` app. Every row
carries the branch it belongs to (`organization`, the tenant) and its county (the shard key). Nothing here
is ever deleted: a member who leaves the register is marked inactive and the reason is a `StatusChange`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from partyadmin.models import TimeStampedModel

from . import rules

USER = settings.AUTH_USER_MODEL


# --- transfers (组织关系转接) -----------------------------------------------------------------------

class TransferKind(models.TextChoices):
    INTERNAL = "internal", "系统内转接"
    OUTSIDE = "outside", "转出本系统（介绍信）"


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", "待接收"
    ACCEPTED = "accepted", "已接收"
    REFUSED = "refused", "已拒收"
    CANCELLED = "cancelled", "已撤回"
    ISSUED = "issued", "已开具介绍信"
    RECEIPTED = "receipted", "回执已返回"
    VOIDED = "voided", "介绍信已作废"


OPEN_TRANSFER_STATUSES = (TransferStatus.REQUESTED, TransferStatus.ISSUED)


class Transfer(TimeStampedModel):
    """One transfer of a member's organizational relationship: to another branch of the system (the
    receiving branch accepts or refuses), or out of the system with an introduction letter (介绍信)."""

    member = models.ForeignKey("membership.Member", verbose_name="党员", on_delete=models.PROTECT,
                               related_name="transfers")
    kind = models.CharField("转接方式", max_length=10, choices=TransferKind.choices)
    status = models.CharField("状态", max_length=10, choices=TransferStatus.choices)
    from_organization = models.ForeignKey("branches.Organization", verbose_name="转出党支部",
                                          on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("branches.Organization", verbose_name="转出县（市、区）", on_delete=models.PROTECT,
                               related_name="+")
    to_organization = models.ForeignKey("branches.Organization", verbose_name="接收党支部", on_delete=models.PROTECT,
                                        null=True, blank=True, related_name="+")
    to_county = models.ForeignKey("branches.Organization", verbose_name="接收县（市、区）", on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    destination = models.CharField("接收党组织", max_length=200)
    reason = models.CharField("转接原因", max_length=200)
    member_status = models.CharField("党员类别", max_length=16, help_text="提出转接时的正式/预备")
    requested_on = models.DateField("提出日期")
    requested_by = models.ForeignKey(USER, verbose_name="经办人", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    decided_on = models.DateField("办理日期", null=True, blank=True)
    decided_by = models.ForeignKey(USER, verbose_name="办理人", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    refusal_reason = models.CharField("拒收理由", max_length=200, blank=True)
    letter_year = models.PositiveSmallIntegerField("介绍信年度", null=True, blank=True)
    letter_sequence = models.PositiveIntegerField("介绍信编号", null=True, blank=True)
    letter_valid_until = models.DateField("介绍信有效期至", null=True, blank=True)
    dues_paid_until = models.DateField("党费交至", null=True, blank=True, help_text="所交最后一个月的1日")
    receipt_on = models.DateField("回执返回日期", null=True, blank=True)
    void_reason = models.CharField("作废原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "组织关系转接"
        verbose_name_plural = "组织关系转接"
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(status__in=["requested", "issued"]),
                                    name="transfer_one_open_per_member"),
            models.UniqueConstraint(fields=["county", "letter_year", "letter_sequence"],
                                    condition=Q(letter_sequence__isnull=False), name="transfer_letter_number_unique"),
            models.CheckConstraint(condition=~Q(kind="internal") | Q(to_organization__isnull=False),
                                   name="transfer_internal_has_receiver"),
        ]
        indexes = [
            models.Index(fields=["from_organization", "status"]),
            models.Index(fields=["to_organization", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.member} 转往 {self.destination}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TRANSFER_STATUSES

    @property
    def letter_number(self) -> str:
        if self.letter_year is None or self.letter_sequence is None:
            return ""
        return rules.letter_number(self.letter_year, self.letter_sequence)


# --- floating members (流动党员) ---------------------------------------------------------------------

class FlowDirection(models.TextChoices):
    OUT = rules.DIRECTION_OUT, "流出"
    IN = rules.DIRECTION_IN, "流入"


class FlowRecord(TimeStampedModel):
    """A period a member spends away from the branch (流出) or with it from elsewhere (流入)."""

    member = models.ForeignKey("membership.Member", verbose_name="党员", on_delete=models.PROTECT,
                               related_name="flow_records")
    organization = models.ForeignKey("branches.Organization", verbose_name="党支部", on_delete=models.PROTECT,
                                     related_name="+")
    county = models.ForeignKey("branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT,
                               related_name="+")
    direction = models.CharField("流向", max_length=10, choices=FlowDirection.choices)
    other_organization = models.CharField("流入地（流出地）党组织", max_length=100)
    place = models.CharField("外出地点", max_length=100, blank=True)
    certificate_no = models.CharField("流动党员活动证号", max_length=40, blank=True)
    started_on = models.DateField("外出（流入）日期")
    ends_on = models.DateField("预计返回日期", null=True, blank=True)
    fixed_place = models.BooleanField("地点固定", default=False)
    contact = models.CharField("在外联系方式", max_length=100, blank=True)
    returned_on = models.DateField("结束日期", null=True, blank=True)
    end_note = models.CharField("结束说明", max_length=200, blank=True)
    created_by = models.ForeignKey(USER, verbose_name="登记人", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    class Meta:
        verbose_name = "流动党员登记"
        verbose_name_plural = "流动党员登记"
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(returned_on__isnull=True),
                                    name="flow_one_open_per_member"),
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gt=models.F("started_on")),
                                   name="flow_ends_after_start"),
        ]
        indexes = [models.Index(fields=["organization", "returned_on"])]

    def __str__(self) -> str:
        return f"{self.member} {self.get_direction_display()} {self.other_organization}"

    @property
    def is_open(self) -> bool:
        return self.returned_on is None


class FlowReport(models.Model):
    """One report of a floating member to the home branch ("每年至少…汇报两次")."""

    flow = models.ForeignKey(FlowRecord, verbose_name="流动登记", on_delete=models.PROTECT, related_name="reports")
    reported_on = models.DateField("汇报日期")
    content = models.TextField("汇报内容")
    recorded_by = models.ForeignKey(USER, verbose_name="登记人", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "流动党员汇报"
        verbose_name_plural = "流动党员汇报"
        indexes = [models.Index(fields=["flow", "reported_on"])]

    def __str__(self) -> str:
        return f"{self.flow.member} {self.reported_on:%Y-%m-%d} 汇报"


# --- exemption from scoring (免于积分评星) -------------------------------------------------------------

class ExemptionReason(models.TextChoices):
    ELDERLY = "elderly", "年老体弱"
    ILLNESS = "illness", "长期患病"
    MOBILITY = "mobility", "行动不便"
    OTHER = "other", "其他特殊情况"


class ApplicationSource(models.TextChoices):
    SELF = "self", "本人申请"
    SECRETARY = "secretary", "党支部代为登记"


class DecisionBody(models.TextChoices):
    COMMITTEE = rules.BODY_COMMITTEE, "支部委员会"
    GENERAL_MEETING = rules.BODY_GENERAL_MEETING, "支部党员大会"


class ExemptionStatus(models.TextChoices):
    APPLIED = "applied", "待支部研究"
    REJECTED = "rejected", "支部不同意"
    FILED = "filed", "已报上级备案"
    RETURNED = "returned", "备案被退回"
    APPROVED = "approved", "已备案，免于积分评星"
    ENDED = "ended", "已恢复积分评星"


class Exemption(TimeStampedModel):
    """An application to be left out of points and stars (年老体弱等), the branch's decision and the
    filing with the superior committee (seed 001 第七条 "报上级党(工)委…备案")."""

    member = models.ForeignKey("membership.Member", verbose_name="党员", on_delete=models.PROTECT,
                               related_name="exemptions")
    organization = models.ForeignKey("branches.Organization", verbose_name="党支部", on_delete=models.PROTECT,
                                     related_name="+")
    county = models.ForeignKey("branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT,
                               related_name="+")
    status = models.CharField("状态", max_length=10, choices=ExemptionStatus.choices, default=ExemptionStatus.APPLIED)
    reason_kind = models.CharField("申请原因", max_length=10, choices=ExemptionReason.choices)
    reason = models.CharField("具体情况", max_length=200)
    source = models.CharField("申请方式", max_length=10, choices=ApplicationSource.choices)
    applied_on = models.DateField("申请日期")
    applied_by = models.ForeignKey(USER, verbose_name="登记人", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    body = models.CharField("研究机构", max_length=16, choices=DecisionBody.choices, blank=True)
    decided_on = models.DateField("研究日期", null=True, blank=True)
    decision_note = models.CharField("研究意见", max_length=500, blank=True)
    decided_by = models.ForeignKey(USER, verbose_name="经办人", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    filing_id = models.PositiveIntegerField("备案编号", null=True, blank=True)
    filing_opinion = models.CharField("备案意见", max_length=500, blank=True)
    effective_on = models.DateField("备案通过日期", null=True, blank=True)
    ended_on = models.DateField("恢复日期", null=True, blank=True)
    end_reason = models.CharField("恢复原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "免于积分评星申请"
        verbose_name_plural = "免于积分评星申请"
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(status__in=["applied", "filed", "returned"]),
                                    name="exemption_one_pending_per_member"),
        ]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return f"{self.member} 免于积分评星（{self.get_reason_kind_display()}）"

    @property
    def label(self) -> str:
        return f"{self.get_reason_kind_display()}：{self.reason}"


# --- disposal of unqualified members (处置不合格党员) -------------------------------------------------------

class Measure(models.TextChoices):
    RECTIFY = rules.MEASURE_RECTIFY, "限期改正"
    PERSUADE = rules.MEASURE_PERSUADE, "劝退"
    REMOVE = rules.MEASURE_REMOVE, "除名"


class DisposalStep(models.IntegerChoices):
    FINDING = rules.STEP_FINDING, rules.STEP_LABELS[rules.STEP_FINDING]
    INVESTIGATED = rules.STEP_INVESTIGATED, rules.STEP_LABELS[rules.STEP_INVESTIGATED]
    PRE_REVIEW = rules.STEP_PRE_REVIEW, rules.STEP_LABELS[rules.STEP_PRE_REVIEW]
    PRE_REVIEWED = rules.STEP_PRE_REVIEWED, rules.STEP_LABELS[rules.STEP_PRE_REVIEWED]
    VOTED = rules.STEP_VOTED, rules.STEP_LABELS[rules.STEP_VOTED]
    APPROVAL = rules.STEP_APPROVAL, rules.STEP_LABELS[rules.STEP_APPROVAL]
    APPROVED = rules.STEP_APPROVED, rules.STEP_LABELS[rules.STEP_APPROVED]
    ANNOUNCED = rules.STEP_ANNOUNCED, rules.STEP_LABELS[rules.STEP_ANNOUNCED]


class DisposalOutcome(models.TextChoices):
    OPEN = "", "办理中"
    NOT_ADOPTED = "not_adopted", "支部大会未通过"
    WITHDRAWN = "withdrawn", "已撤销"
    CORRECTED = "corrected", "限期改正期满，已改正"
    NOT_CORRECTED = "not_corrected", "限期改正期满仍不合格，转劝退"
    QUIT = "quit", "劝退后本人退党"
    REFUSED_TO_QUIT = "refused_to_quit", "劝而不退，转除名"
    REMOVED = "removed", "已除名"


class AnnouncementMethod(models.TextChoices):
    GENERAL_MEETING = "general_meeting", "在支部党员大会上宣布"
    NOTICE = "notice", "书面通知并在党内通报"


class DisposalCase(TimeStampedModel):
    """One disposal case and the dates of its steps (seed 001 第十四、十五条)."""

    member = models.ForeignKey("membership.Member", verbose_name="党员", on_delete=models.PROTECT,
                               related_name="disposal_cases")
    organization = models.ForeignKey("branches.Organization", verbose_name="党支部", on_delete=models.PROTECT,
                                     related_name="+")
    county = models.ForeignKey("branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT,
                               related_name="+")
    measure = models.CharField("处置方式", max_length=20, choices=Measure.choices)
    step = models.PositiveSmallIntegerField("程序步骤", choices=DisposalStep.choices, default=DisposalStep.FINDING)
    outcome = models.CharField("结果", max_length=20, choices=DisposalOutcome.choices, default=DisposalOutcome.OPEN,
                               blank=True)
    member_status = models.CharField("党员类别", max_length=16, help_text="立案时的正式/预备")
    follows = models.ForeignKey("self", verbose_name="前序处置", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    # (1) the committee's preliminary finding
    finding_on = models.DateField("支委会认定日期")
    finding = models.TextField("不合格表现及初步认定")
    lapse_grounds = models.JSONField("自行脱党情形", default=list, blank=True)
    education = models.TextField("批评教育情况", blank=True)
    lapse_reference = models.CharField("党费连续欠交提示", max_length=40, blank=True)
    extend_probation = models.BooleanField("同时延长预备期", default=False)
    # (2) investigation
    investigated_on = models.DateField("调查核实日期", null=True, blank=True)
    investigation = models.TextField("调查核实情况", blank=True)
    proposal = models.TextField("初步处置意见", blank=True)
    # (3) pre-review, (5) approval: the filings (audit.filings) and their latest opinion
    pre_review_filing_id = models.PositiveIntegerField("预审报送编号", null=True, blank=True)
    pre_review_county_filing_id = models.PositiveIntegerField("县级预审报送编号", null=True, blank=True)
    pre_reviewed_on = models.DateField("预审同意日期", null=True, blank=True)
    approval_filing_id = models.PositiveIntegerField("审批报送编号", null=True, blank=True)
    approval_county_filing_id = models.PositiveIntegerField("县级审批报送编号", null=True, blank=True)
    approved_on = models.DateField("批准日期", null=True, blank=True)
    filing_opinion = models.CharField("上级意见", max_length=500, blank=True)
    filing_returned = models.BooleanField("上级退回", default=False)
    # (4) the general meeting
    meeting_on = models.DateField("支部大会日期", null=True, blank=True)
    votes_eligible = models.PositiveSmallIntegerField("应到有表决权党员", null=True, blank=True)
    votes_attended = models.PositiveSmallIntegerField("实到有表决权党员", null=True, blank=True)
    votes_for = models.PositiveSmallIntegerField("赞成", null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField("反对", null=True, blank=True)
    votes_abstained = models.PositiveSmallIntegerField("弃权", null=True, blank=True)
    member_statement = models.TextField("本人意见（申辩）", blank=True)
    # effects
    rectify_until = models.DateField("限期改正期限", null=True, blank=True)
    probation_extended_until = models.DateField("预备期延长至", null=True, blank=True)
    announced_on = models.DateField("宣布日期", null=True, blank=True)
    announcement_method = models.CharField("宣布方式", max_length=20, choices=AnnouncementMethod.choices, blank=True)
    member_notified_on = models.DateField("通知本人日期", null=True, blank=True)
    publicity_window_id = models.PositiveIntegerField("公告编号", null=True, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    closing_note = models.CharField("办结说明", max_length=500, blank=True)
    opened_by = models.ForeignKey(USER, verbose_name="立案人", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")

    class Meta:
        verbose_name = "不合格党员处置"
        verbose_name_plural = "不合格党员处置"
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(closed_on__isnull=True),
                                    name="disposal_one_open_per_member"),
            models.CheckConstraint(condition=Q(step__gte=1, step__lte=8), name="disposal_step_known"),
        ]
        indexes = [models.Index(fields=["organization", "closed_on"]), models.Index(fields=["rectify_until"])]

    def __str__(self) -> str:
        return f"{self.member} {self.get_measure_display()}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    @property
    def is_self_lapse(self) -> bool:
        return bool(self.lapse_grounds)

    @property
    def lapse_ground_labels(self) -> list[str]:
        return [rules.LAPSE_GROUNDS[g] for g in self.lapse_grounds if g in rules.LAPSE_GROUNDS]

    @property
    def needs_county(self) -> bool:
        return rules.needs_county(self.measure)


# --- status changes ----------------------------------------------------------------------------------------

class StatusChangeKind(models.TextChoices):
    MADE_FULL = "made_full", "转为正式党员"
    DECEASED = "deceased", "去世"
    TRANSFERRED_IN = "transferred_in", "组织关系转入"
    TRANSFERRED_OUT = "transferred_out", "组织关系转出"
    REMOVED = "removed", "除名"
    QUIT = "quit", "劝退退党"
    REINSTATED = "reinstated", "恢复在册（介绍信作废）"


LEAVING_KINDS = (StatusChangeKind.DECEASED, StatusChangeKind.TRANSFERRED_OUT, StatusChangeKind.REMOVED,
                 StatusChangeKind.QUIT)


class StatusChange(models.Model):
    """A change of a member's standing in the register, with its date: the history on the member page and
    the reason a member is no longer in the register (the row itself is never deleted)."""

    member = models.ForeignKey("membership.Member", verbose_name="党员", on_delete=models.PROTECT,
                               related_name="status_changes")
    organization = models.ForeignKey("branches.Organization", verbose_name="党支部", on_delete=models.PROTECT,
                                     related_name="+")
    county = models.ForeignKey("branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT,
                               related_name="+")
    kind = models.CharField("变动", max_length=16, choices=StatusChangeKind.choices)
    effective_on = models.DateField("日期")
    details = models.CharField("说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey(USER, verbose_name="登记人", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "党员状态变动"
        verbose_name_plural = "党员状态变动"
        indexes = [models.Index(fields=["organization", "kind", "effective_on"]),
                   models.Index(fields=["member", "effective_on"])]

    def __str__(self) -> str:
        return f"{self.member} {self.get_kind_display()} {self.effective_on:%Y-%m-%d}"
