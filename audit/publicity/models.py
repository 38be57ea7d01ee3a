"""Publicity windows (公示), their frozen entries and the objections raised against them (DESIGN §5, §4.5).

A window is published by an organization (usually a branch) for a period computed once from the
tenant's policy (`branches.policies.PUBLICITY_PERIOD`) and stored, so that the daily job, the lists
and the reminders all read the same dates. Each entry holds a snapshot of exactly the public fields
passed when the window was opened; it never follows later changes of its subject.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from partyadmin.models import TimeStampedModel

from .rules import SCOPES


class PeriodUnit(models.TextChoices):
    WORKING_DAYS = "working_days", "个工作日"
    DAYS = "days", "天"


class WindowStatus(models.TextChoices):
    SCHEDULED = "scheduled", "待发布"
    OPEN = "open", "公示中"
    CLOSED = "closed", "已结束"
    TERMINATED = "terminated", "已终止"


class PublicityWindow(TimeStampedModel):
    organization = models.ForeignKey(
        "branches.Organization", verbose_name="发布组织", on_delete=models.PROTECT, related_name="publicity_windows",
    )
    # The county-level ancestor: the shard key (DESIGN §2.1).
    county = models.ForeignKey(
        "branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    title = models.CharField("公示标题", max_length=200)
    # What is publicized, e.g. "recruitment.activist" or "scoring.quarter_ranking"; the caller's
    # own vocabulary, with its Chinese label stored beside it.
    kind = models.CharField("公示类别", max_length=64)
    kind_label = models.CharField("类别名称", max_length=40)
    # 公示范围, one or more of rules.SCOPES (seed 000: "党支部全体党员，所在单位或居住地群众").
    scope = models.JSONField("公示范围", default=list)
    # The table's columns as [[key, label], …], in display order: what the entries' snapshots hold.
    columns = models.JSONField("公示项目", default=list)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发布人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    starts_on = models.DateField("公示开始日期")
    ends_on = models.DateField("公示截止日期", help_text="公示至该日结束，按发布时的公示期限计算一次并保存。")
    period_unit = models.CharField("期限单位", max_length=16, choices=PeriodUnit.choices)
    period_count = models.PositiveSmallIntegerField("期限")
    status = models.CharField("状态", max_length=12, choices=WindowStatus.choices)
    contact = models.CharField("异议受理联系人及电话", max_length=100, blank=True,
                               help_text="党组织的办公联系人和电话，如：组织委员 王老师 0391-1234567。")
    opened_at = models.DateTimeField("发布时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    terminated_at = models.DateTimeField("终止时间", null=True, blank=True)
    termination_reason = models.TextField("终止原因", blank=True)

    class Meta:
        verbose_name = "公示"
        verbose_name_plural = "公示"
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="publicity_window_ends_after_start"),
            models.CheckConstraint(condition=Q(period_count__gte=1), name="publicity_window_period_positive"),
            models.CheckConstraint(
                condition=~Q(status=WindowStatus.TERMINATED) | Q(terminated_at__isnull=False),
                name="publicity_window_terminated_has_time",
            ),
        ]
        indexes = [
            # The daily job: scheduled windows by start, open windows by end.
            models.Index(fields=["status", "starts_on"]),
            models.Index(fields=["status", "ends_on"]),
            models.Index(fields=["organization", "-starts_on"]),
            models.Index(fields=["county", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def scope_labels(self) -> list[str]:
        return [SCOPES.get(value, value) for value in self.scope]

    @property
    def period_label(self) -> str:
        return f"{self.period_count}{PeriodUnit(self.period_unit).label}"


class PublicityEntry(models.Model):
    """One publicized subject: a frozen copy of exactly the public fields passed at opening."""

    window = models.ForeignKey(PublicityWindow, verbose_name="公示", on_delete=models.CASCADE, related_name="entries")
    # A generic reference to the subject (e.g. "recruitment.activist", "42"); empty for ad-hoc notices.
    subject_type = models.CharField("对象类型", max_length=64, blank=True)
    subject_id = models.CharField("对象编号", max_length=64, blank=True)
    snapshot = models.JSONField("公示内容")
    order = models.PositiveSmallIntegerField("序号")
    # Set when a substantive objection terminated this subject's process (seed 000: "立即终止发展程序").
    terminated_at = models.DateTimeField("终止时间", null=True, blank=True)

    class Meta:
        verbose_name = "公示对象"
        verbose_name_plural = "公示对象"
        ordering = ["window", "order"]
        constraints = [models.UniqueConstraint(fields=["window", "order"], name="publicity_entry_order_unique")]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self) -> str:
        return str(self.snapshot.get("name") or f"#{self.order}")

    @property
    def is_terminated(self) -> bool:
        return self.terminated_at is not None


class Channel(models.TextChoices):
    ONLINE = "online", "网上提出"
    PAPER = "paper", "书面来信"
    PHONE = "phone", "电话反映"
    VISIT = "visit", "来访反映"


class ObjectionStatus(models.TextChoices):
    RECEIVED = "received", "已受理"
    INVESTIGATING = "investigating", "调查核实中"
    CONCLUDED = "concluded", "已办结"


class Finding(models.TextChoices):
    NOT_SUBSTANTIVE = "not_substantive", "非实质性问题"
    SUBSTANTIVE = "substantive", "实质性问题"


class Objection(models.Model):
    """An objection (异议) raised during a window, and its investigation (seed 000: "认真调查核实")."""

    window = models.ForeignKey(PublicityWindow, verbose_name="公示", on_delete=models.PROTECT, related_name="objections")
    county = models.ForeignKey(
        "branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    entry = models.ForeignKey(
        PublicityEntry, verbose_name="针对的公示对象", on_delete=models.PROTECT, null=True, blank=True,
        related_name="objections", help_text="不填表示针对整个公示。",
    )
    # The member who filed it online. Anonymous objections keep no filer at all.
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提出人账号", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    # The officer who entered one received on paper, by phone or in person.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    on_behalf_of_name = models.CharField("反映人", max_length=50, blank=True)
    channel = models.CharField("反映方式", max_length=10, choices=Channel.choices)
    content = models.TextField("异议内容")
    is_anonymous = models.BooleanField("匿名", default=False)
    received_on = models.DateField("收到日期")
    filed_at = models.DateTimeField("登记时间")
    status = models.CharField("办理状态", max_length=16, choices=ObjectionStatus.choices,
                              default=ObjectionStatus.RECEIVED)
    investigation = models.TextField("调查核实情况", blank=True)
    investigated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="调查核实人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    finding = models.CharField("核实结论", max_length=16, choices=Finding.choices, blank=True)
    concluded_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ObjectionStatus.CONCLUDED) | (~Q(finding="") & Q(concluded_at__isnull=False)),
                name="objection_concluded_has_finding",
            ),
            models.CheckConstraint(
                condition=~Q(is_anonymous=True) | (Q(filed_by__isnull=True) & Q(on_behalf_of_name="")),
                name="objection_anonymous_names_no_one",
            ),
        ]
        indexes = [models.Index(fields=["window", "status"]), models.Index(fields=["status", "filed_at"])]

    def __str__(self) -> str:
        return f"{self.window} · 异议 #{self.pk}"
