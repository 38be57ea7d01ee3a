"""Accountability cases (全程责任追究; seed 000 二(三)3, DESIGN §4.5).

"按照“谁介绍谁负责、谁培养谁负责、谁考察谁负责、谁审批谁负责”，实行责任倒查". The subject is generic
(type, id, label), like an audit event: the process and step where the violation happened.
"""

from datetime import date

from django.conf import settings
from django.db import models


class ViolationType(models.TextChoices):
    """责任追究范围 (seed 000 二(三)3(2)), in the seed's words."""

    STANDARDS = "standards", "不坚持标准"
    PROCEDURE = "procedure", "不履行程序"
    TIME_LIMITS = "time_limits", "超过办理和审批时限"
    NEGLIGENT_TRAINING = "negligent_training", "培养考察失职"
    NEGLIGENT_REVIEW = "negligent_review", "审查把关不严"
    SLOW_REPORTS = "slow_reports", "对群众反映的问题查处不及时"
    OTHER = "other", "其他"


class Outcome(models.TextChoices):
    """责任追究形式 (seed 000 二(三)3(3))."""

    ADMONITION_TALK = "admonition_talk", "诫勉谈话"
    CRITICISM = "criticism", "批评教育"
    WRITTEN_SELF_CRITICISM = "written_self_criticism", "责令作出书面检查"
    PARTY_DISCIPLINE = "party_discipline", "党纪处分"
    NOT_PURSUED = "not_pursued", "不予追究"


class CaseStatus(models.TextChoices):
    OPEN = "open", "办理中"
    CLOSED = "closed", "已办结"


class AccountabilityCase(models.Model):
    county = models.ForeignKey("branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT,
                               related_name="+")
    township = models.ForeignKey("branches.Organization", verbose_name="所属乡镇（街道）", on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+")
    organization = models.ForeignKey("branches.Organization", verbose_name="发生问题的党组织",
                                     on_delete=models.PROTECT, related_name="accountability_cases")
    subject_type = models.CharField("事项类型", max_length=64, blank=True)
    subject_id = models.CharField("事项编号", max_length=64, blank=True)
    subject_label = models.CharField("涉及事项", max_length=200)
    violation_type = models.CharField("问题类型", max_length=24, choices=ViolationType.choices)
    description = models.TextField("问题描述")
    discovered_on = models.DateField("发现日期")
    due_on = models.DateField("办理期限")
    extended_until = models.DateField("经批准延长至", null=True, blank=True)
    extension_reason = models.CharField("延长理由", max_length=300, blank=True)
    extension_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="延长批准人",
                                              on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    extension_approved_at = models.DateTimeField("延长批准时间", null=True, blank=True)
    status = models.CharField("状态", max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    outcome = models.CharField("处理结果", max_length=24, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField("处理意见", blank=True)
    admission_not_recognized = models.BooleanField("违规吸收入党不予承认", default=False)
    announced_on = models.DateField("支部大会公布日期", null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="立案人", on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    opened_at = models.DateTimeField("立案时间")
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办结人", on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    overdue_since = models.DateField("超期日期", null=True, blank=True)

    class Meta:
        verbose_name = "责任追究案件"
        verbose_name_plural = "责任追究案件"
        indexes = [
            models.Index(fields=["county", "status", "due_on"]),
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["subject_type", "subject_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(extended_until__isnull=True) | models.Q(extended_until__gt=models.F("due_on")),
                name="case_extension_after_due",
            ),
            models.CheckConstraint(
                condition=models.Q(status="open") | ~models.Q(outcome=""), name="case_closed_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"责任追究：{self.subject_label}"

    @property
    def deadline(self) -> date:
        return self.extended_until or self.due_on

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN


class PartyRole(models.TextChoices):
    """责任追究对象 (seed 000 二(三)3(1)): "负有责任的党组织及其书记、副书记和组织委员、谈话考察人、入党
    介绍人、培养联系人，以及涉及政治审查等方面的审核人员和其他相关人员"; and 谁审批谁负责."""

    ORGANIZATION = "organization", "党组织"
    SECRETARY = "secretary", "书记"
    DEPUTY = "deputy", "副书记"
    ORGANIZATION_MEMBER = "organization_member", "组织委员"
    TALK_EXAMINER = "talk_examiner", "谈话考察人"
    INTRODUCER = "introducer", "入党介绍人"
    CONTACT_PERSON = "contact_person", "培养联系人"
    REVIEWER = "reviewer", "审核人员"
    APPROVER = "approver", "审批人"
    OTHER = "other", "其他相关人员"


class ResponsibleParty(models.Model):
    case = models.ForeignKey(AccountabilityCase, verbose_name="案件", on_delete=models.CASCADE, related_name="parties")
    name = models.CharField("姓名或组织名称", max_length=100)
    role = models.CharField("责任身份", max_length=24, choices=PartyRole.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="系统账号", on_delete=models.SET_NULL,
                             null=True, blank=True, related_name="+")
    member_id = models.PositiveBigIntegerField("党员编号", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+")
    added_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "责任人"
        verbose_name_plural = "责任人"
        ordering = ["case", "pk"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"
