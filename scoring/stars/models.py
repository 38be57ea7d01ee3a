"""Ranking and stars (DESIGN §6.4–§6.6): frozen quarterly results, the year-end star proposal and the
general meeting's decision, the consequences that follow, and the yearly democratic evaluation.

The policy a proposal applied is copied onto it (`StarProposal.policy`), so that a later edit of the
scheme never changes how a past year reads.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from partyadmin.models import TimeStampedModel

from . import rules


class QuarterFreeze(models.Model):
    """One branch's quarter, frozen once: the marker that makes the quarterly job idempotent."""

    organization = models.ForeignKey("branches.Organization", verbose_name="党支部", on_delete=models.PROTECT,
                                     related_name="+")
    county = models.ForeignKey("branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    frozen_at = models.DateTimeField("冻结时间")
    people = models.PositiveIntegerField("人数", default=0)
    analysis = models.JSONField("综合分析", default=dict, blank=True)
    publicity_id = models.PositiveIntegerField("公示编号", null=True, blank=True)

    class Meta:
        verbose_name = "季度积分冻结"
        verbose_name_plural = "季度积分冻结"
        ordering = ["-year", "-quarter", "organization"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year", "quarter"], name="stars_quarter_freeze_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organization}{rules.Quarter(self.year, self.quarter).label}"

    @property
    def label(self) -> str:
        return rules.Quarter(self.year, self.quarter).label


class QuarterResult(models.Model):
    """A person's frozen quarter: total, parts and rank in the branch (never changed after freezing)."""

    freeze = models.ForeignKey(QuarterFreeze, verbose_name="冻结批次", on_delete=models.CASCADE,
                               related_name="results")
    organization = models.ForeignKey("branches.Organization", verbose_name="党支部", on_delete=models.PROTECT,
                                     related_name="+")
    person = models.ForeignKey("membership.Person", verbose_name="人员", on_delete=models.PROTECT,
                               related_name="quarter_results")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    base = models.DecimalField("基础积分", max_digits=9, decimal_places=2, default=0)
    bonus = models.DecimalField("贡献加分", max_digits=9, decimal_places=2, default=0)
    deduction = models.DecimalField("违规扣分", max_digits=9, decimal_places=2, default=0)
    vetoed = models.BooleanField("一票否决", default=False)
    total = models.DecimalField("季度积分", max_digits=9, decimal_places=2, default=0)
    rank = models.PositiveIntegerField("名次")
    is_member = models.BooleanField("本支部党员", default=True)

    class Meta:
        verbose_name = "季度积分"
        verbose_name_plural = "季度积分"
        ordering = ["freeze", "rank", "person_id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "person", "year", "quarter"],
                                    name="stars_quarter_result_once"),
        ]
        indexes = [models.Index(fields=["person", "year"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.year}Q{self.quarter} {self.total}"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", "待党员大会决定"
    DECIDED = "decided", "党员大会已决定"
    PUBLICIZED = "publicized", "公示中"
    FINAL = "final", "已确定"


class StarProposal(TimeStampedModel):
    """A branch's year-end star rating: the system's proposal, then the meeting's decision."""

    organization = models.ForeignKey("branches.Organization", verbose_name="党支部", on_delete=models.PROTECT,
                                     related_name="+")
    county = models.ForeignKey("branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    scheme_id = models.PositiveIntegerField("积分方案编号", null=True, blank=True)
    year = models.PositiveSmallIntegerField("年度")
    policy = models.JSONField("定星规则")
    raised = models.BooleanField("五星党组织提高比例", default=False)
    status = models.CharField("状态", max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED)
    participants = models.PositiveIntegerField("参评人数", default=0)
    quotas = models.JSONField("名额", default=list, blank=True)
    warnings = models.JSONField("提示", default=list, blank=True)
    computed_at = models.DateTimeField("计算时间", null=True, blank=True)
    meeting_on = models.DateField("党员大会日期", null=True, blank=True)
    decision_note = models.TextField("决定说明", blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    publicity_id = models.PositiveIntegerField("公示编号", null=True, blank=True)
    finalized_at = models.DateTimeField("确定时间", null=True, blank=True)

    class Meta:
        verbose_name = "年度定星"
        verbose_name_plural = "年度定星"
        ordering = ["-year", "organization"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="stars_proposal_once"),
        ]
        indexes = [models.Index(fields=["county", "year", "status"])]

    def __str__(self) -> str:
        return f"{self.organization}{self.year}年度定星"

    @property
    def star_policy(self) -> rules.StarPolicy:
        return rules.parse_policy(self.policy)


class StarRow(models.Model):
    proposal = models.ForeignKey(StarProposal, verbose_name="年度定星", on_delete=models.CASCADE,
                                 related_name="rows")
    organization = models.ForeignKey("branches.Organization", verbose_name="党支部", on_delete=models.PROTECT,
                                     related_name="+")
    person = models.ForeignKey("membership.Person", verbose_name="人员", on_delete=models.PROTECT,
                               related_name="star_rows")
    year = models.PositiveSmallIntegerField("年度")
    base = models.DecimalField("基础积分", max_digits=9, decimal_places=2, default=0)
    bonus = models.DecimalField("贡献加分", max_digits=9, decimal_places=2, default=0)
    deduction = models.DecimalField("违规扣分", max_digits=9, decimal_places=2, default=0)
    vetoed = models.BooleanField("一票否决", default=False)
    total = models.DecimalField("年度积分", max_digits=9, decimal_places=2, default=0)
    branch_rank = models.PositiveIntegerField("支部排名", default=0)
    rank = models.PositiveIntegerField("参评排名", null=True, blank=True)
    exclusion = models.CharField("不参评原因", max_length=20, blank=True)
    is_member = models.BooleanField("本支部党员", default=True)
    is_probationary = models.BooleanField("预备党员", default=False)
    is_secretary = models.BooleanField("支部书记", default=False)
    proposed_level = models.SmallIntegerField("建议等次", null=True, blank=True)
    tie = models.BooleanField("名额边界并列", default=False)
    notes = models.JSONField("说明", default=list, blank=True)
    level = models.SmallIntegerField("确定等次", null=True, blank=True)
    reason = models.CharField("调整理由", max_length=300, blank=True)

    class Meta:
        verbose_name = "定星结果"
        verbose_name_plural = "定星结果"
        ordering = ["proposal", "branch_rank", "person_id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "person"], name="stars_row_once"),
        ]
        indexes = [models.Index(fields=["person", "year"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.year} {self.level}"


class ConsequenceKind(models.TextChoices):
    SECRETARY_INTERVIEW = rules.SECRETARY_INTERVIEW, "上级党组织约谈支部书记"
    TALK = rules.TALK, "警示教育，支部书记谈话"
    KEY_MANAGEMENT = rules.KEY_MANAGEMENT, "列为重点管理对象，限期改正"
    DISPOSAL = rules.DISPOSAL, "按不合格党员处置"
    EXTEND_PROBATION = rules.EXTEND_PROBATION, "延长预备期"
    CANCEL_ACTIVIST = rules.CANCEL_ACTIVIST, "取消入党积极分子资格"


class ConsequenceStatus(models.TextChoices):
    OPEN = "open", "待办"
    DONE = "done", "已办结"


class Consequence(TimeStampedModel):
    """A tracked follow-up of a final star result (seed 000 四、结果运用), with an owner and a due date."""

    person = models.ForeignKey("membership.Person", verbose_name="人员", on_delete=models.PROTECT,
                               related_name="star_consequences")
    organization = models.ForeignKey("branches.Organization", verbose_name="党支部", on_delete=models.PROTECT,
                                     related_name="+")
    county = models.ForeignKey("branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    proposal = models.ForeignKey(StarProposal, verbose_name="年度定星", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="consequences")
    kind = models.CharField("后续措施", max_length=24, choices=ConsequenceKind.choices)
    year = models.PositiveSmallIntegerField("年度")
    star_level = models.SmallIntegerField("星级", null=True, blank=True)
    star_label = models.CharField("等次", max_length=20, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="责任人", on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+")
    owner_label = models.CharField("责任方", max_length=60, blank=True)
    due_on = models.DateField("办结期限")
    status = models.CharField("状态", max_length=8, choices=ConsequenceStatus.choices, default=ConsequenceStatus.OPEN)
    resolved_note = models.TextField("办理情况", blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办结人", on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    resolved_at = models.DateTimeField("办结时间", null=True, blank=True)
    link = models.CharField("相关办理", max_length=200, blank=True)

    class Meta:
        verbose_name = "定星后续措施"
        verbose_name_plural = "定星后续措施"
        ordering = ["status", "due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["person", "organization", "kind", "year"], name="stars_consequence_once"),
        ]
        indexes = [models.Index(fields=["organization", "status"]), models.Index(fields=["person", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.person}"


class EvaluationStatus(models.TextChoices):
    OPEN = "open", "评议中"
    CLOSED = "closed", "已完成"


class DemocraticEvaluation(TimeStampedModel):
    """A branch's yearly democratic evaluation of members (民主评议党员)."""

    organization = models.ForeignKey("branches.Organization", verbose_name="党支部", on_delete=models.PROTECT,
                                     related_name="+")
    county = models.ForeignKey("branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    held_on = models.DateField("评议日期")
    status = models.CharField("状态", max_length=8, choices=EvaluationStatus.choices, default=EvaluationStatus.OPEN)
    note = models.TextField("说明", blank=True)
    closed_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "民主评议党员"
        verbose_name_plural = "民主评议党员"
        ordering = ["-year", "organization"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="stars_evaluation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organization}{self.year}年度民主评议"


class EvaluationResult(models.Model):
    """One member's tallies (self-assessment, members' votes, masses' anonymous forms) and grade."""

    evaluation = models.ForeignKey(DemocraticEvaluation, verbose_name="民主评议", on_delete=models.CASCADE,
                                   related_name="results")
    person = models.ForeignKey("membership.Person", verbose_name="党员", on_delete=models.PROTECT,
                               related_name="evaluation_results")
    self_grade = models.CharField("个人自评", max_length=8, blank=True)
    excellent = models.PositiveIntegerField("优秀票", default=0)
    qualified = models.PositiveIntegerField("合格票", default=0)
    basic = models.PositiveIntegerField("基本合格票", default=0)
    unqualified = models.PositiveIntegerField("不合格票", default=0)
    mass_good = models.PositiveIntegerField("群众评“好”", default=0)
    mass_fair = models.PositiveIntegerField("群众评“一般”", default=0)
    mass_poor = models.PositiveIntegerField("群众评“差”", default=0)
    grade = models.CharField("评议等次", max_length=8, blank=True)
    grade_reason = models.CharField("等次依据", max_length=60, blank=True)
    entry_id = models.PositiveIntegerField("积分记录编号", null=True, blank=True)

    class Meta:
        verbose_name = "民主评议结果"
        verbose_name_plural = "民主评议结果"
        ordering = ["evaluation", "person_id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "person"], name="stars_evaluation_result_once"),
            models.CheckConstraint(condition=Q(grade__in=["", *rules.EVALUATION_GRADES]),
                                   name="stars_evaluation_grade_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.grade}"

    @property
    def member_votes(self) -> dict[str, int]:
        return {"优秀": self.excellent, "合格": self.qualified, "基本合格": self.basic, "不合格": self.unqualified}

    @property
    def mass_opinions(self) -> dict[str, int]:
        return {"好": self.mass_good, "一般": self.mass_fair, "差": self.mass_poor}
