"""Filings (备案 / 审议 / 审批 / 预审) from an organization to a superior one (DESIGN §5).

History: one `Filing` row per matter, and one `FilingRound` per submission with its decision.
A returned filing is resubmitted on the same row (revision + 1, new due date), so the filing keeps
one identity (its page, its notifications, the domain app's reference to it) while every earlier
submission and decision stays readable in its rounds. Materials belong to the round they came with.
"""

import uuid
from datetime import date
from pathlib import PurePath

from django.conf import settings
from django.db import models

from . import rules


class FilingKind(models.TextChoices):
    RECORD = rules.Kind.RECORD, "备案"
    REVIEW = rules.Kind.REVIEW, "审议"
    APPROVE = rules.Kind.APPROVE, "审批"
    PRE_REVIEW = rules.Kind.PRE_REVIEW, "预审"


class FilingStatus(models.TextChoices):
    PENDING = "pending", "待处理"
    APPROVED = "approved", "已通过"
    RETURNED = "returned", "已退回"
    WITHDRAWN = "withdrawn", "已撤回"


class Filing(models.Model):
    county = models.ForeignKey("branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT,
                               related_name="+")
    # The sender's ancestor right under the county department (乡镇党委 or 基层党委), for the dashboard.
    township = models.ForeignKey("branches.Organization", verbose_name="所属乡镇（街道）", on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+")
    from_organization = models.ForeignKey("branches.Organization", verbose_name="报送组织", on_delete=models.PROTECT,
                                          related_name="filings_sent")
    to_organization = models.ForeignKey("branches.Organization", verbose_name="受理组织", on_delete=models.PROTECT,
                                        related_name="filings_received")
    kind = models.CharField("类别", max_length=16, choices=FilingKind.choices)
    subject_type = models.CharField("事项类型", max_length=64)
    subject_id = models.CharField("事项编号", max_length=64)
    subject_label = models.CharField("事项", max_length=200)
    title = models.CharField("标题", max_length=200)
    note = models.TextField("报送说明", blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField("报送时间")
    submitted_on = models.DateField("报送日期")
    due_on = models.DateField("办理期限")
    extended_until = models.DateField("延长至", null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=FilingStatus.choices, default=FilingStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办理人", on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField("办理时间", null=True, blank=True)
    opinion = models.TextField("办理意见", blank=True)
    revision = models.PositiveSmallIntegerField("报送次数", default=1)
    # Set by the daily job on the first day past the deadline (claim-by-update: set once).
    overdue_since = models.DateField("超期日期", null=True, blank=True)

    class Meta:
        verbose_name = "报送事项"
        verbose_name_plural = "报送事项"
        indexes = [
            models.Index(fields=["county", "status", "due_on"]),
            models.Index(fields=["to_organization", "status", "due_on"]),
            models.Index(fields=["from_organization", "status"]),
            models.Index(fields=["subject_type", "subject_id"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(revision__gte=1), name="filing_revision_positive"),
            models.CheckConstraint(
                condition=models.Q(extended_until__isnull=True) | models.Q(extended_until__gt=models.F("due_on")),
                name="filing_extension_after_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"

    @property
    def deadline(self) -> date:
        return self.extended_until or self.due_on

    @property
    def is_pending(self) -> bool:
        return self.status == FilingStatus.PENDING


class FilingRound(models.Model):
    """One submission of a filing and its outcome (decision, or withdrawal)."""

    filing = models.ForeignKey(Filing, verbose_name="报送事项", on_delete=models.CASCADE, related_name="rounds")
    revision = models.PositiveSmallIntegerField("第几次报送")
    note = models.TextField("报送说明", blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField("报送时间")
    due_on = models.DateField("办理期限")
    status = models.CharField("结果", max_length=12, choices=FilingStatus.choices, default=FilingStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办理人", on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField("办理时间", null=True, blank=True)
    opinion = models.TextField("办理意见", blank=True)

    class Meta:
        verbose_name = "报送记录"
        verbose_name_plural = "报送记录"
        ordering = ["filing", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["filing", "revision"], name="filing_round_unique_revision"),
        ]

    def __str__(self) -> str:
        return f"{self.filing_id}#{self.revision}"


def material_path(instance: "FilingMaterial", filename: str) -> str:
    """A random name under MEDIA_ROOT/filings/<county>/: never the uploader's name, never guessable."""
    suffix = PurePath(filename).suffix.lower()
    return f"filings/{instance.filing.county_id}/{uuid.uuid4().hex}{suffix}"


class FilingMaterial(models.Model):
    filing = models.ForeignKey(Filing, verbose_name="报送事项", on_delete=models.CASCADE, related_name="materials")
    revision = models.PositiveSmallIntegerField("随第几次报送")
    title = models.CharField("材料名称", max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    file = models.FileField("文件", upload_to=material_path, max_length=200)
    file_type = models.CharField("文件类型", max_length=8,
                                 choices=[(code, t.label) for code, t in rules.MATERIAL_TYPES.items()])
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "报送材料"
        verbose_name_plural = "报送材料"
        ordering = ["filing", "revision", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def content_type(self) -> str:
        return rules.MATERIAL_TYPES[self.file_type].content_type
