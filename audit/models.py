"""The append-only event log (DESIGN §5).

Every service that writes emits one `Event` in the same transaction. Events are hash-chained per
county: each row stores the previous row's hash and its own SM3 hash over its content. On
PostgreSQL a trigger refuses UPDATE and DELETE on the table (migration 0002).
"""

from django.conf import settings
from django.db import models


class ChainHead(models.Model):
    """The last link of one county's chain. Appends lock this row, so one county never forks."""

    chain = models.CharField("链", max_length=32, primary_key=True)
    seq = models.BigIntegerField("序号", default=0)
    last_hash = models.CharField("末条摘要", max_length=64, default="")

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq}"


class EventResult(models.TextChoices):
    SUCCESS = "success", "成功"
    FAILURE = "failure", "失败"


class Event(models.Model):
    chain = models.CharField("链", max_length=32)
    seq = models.BigIntegerField("序号")
    county = models.ForeignKey(
        "branches.Organization", verbose_name="县（市、区）", on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    organization = models.ForeignKey(
        "branches.Organization", verbose_name="组织", on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    actor_name = models.CharField("操作人账号", max_length=150, blank=True)
    address = models.CharField("来源地址", max_length=64, blank=True)
    subject_type = models.CharField("对象类型", max_length=64, blank=True)
    subject_id = models.CharField("对象编号", max_length=64, blank=True)
    subject_label = models.CharField("对象", max_length=200, blank=True)
    action = models.CharField("操作", max_length=64)
    result = models.CharField("结果", max_length=10, choices=EventResult.choices, default=EventResult.SUCCESS)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    created_at = models.DateTimeField("时间")
    prev_hash = models.CharField("前一条摘要", max_length=64)
    hash = models.CharField("摘要", max_length=64)

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_event_chain_seq_unique")]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "created_at"]),
            models.Index(fields=["organization", "created_at"]),
            models.Index(fields=["actor", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"
