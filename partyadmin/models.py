"""Kernel tables: base mixins, the working-day calendar and background-job runs."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class Holiday(TimeStampedModel):
    """One calendar date and whether it is a working day (工作日) in China.

    A covered year holds a row for every one of its dates (365 or 366 rows); see
    `partyadmin.workdays` for why and for the functions that read it.
    """

    class Source(models.TextChoices):
        CHINESE_CALENDAR = "chinesecalendar", "chinesecalendar 数据"
        WEEKDAYS = "weekdays", "按周一至周五生成（待核对）"
        MANUAL = "manual", "管理员修改"

    date = models.DateField("日期", primary_key=True)
    is_working_day = models.BooleanField("工作日")
    name = models.CharField("名称", max_length=100, blank=True, help_text="如：国庆节、国庆节调休上班")
    note = models.CharField("备注", max_length=200, blank=True)
    source = models.CharField("来源", max_length=20, choices=Source.choices, default=Source.MANUAL)

    class Meta:
        verbose_name = "日历日"
        verbose_name_plural = "工作日历"
        ordering = ["date"]

    def __str__(self) -> str:
        kind = "工作日" if self.is_working_day else "休息日"
        label = f"{self.date.isoformat()} {self.name}" if self.name else self.date.isoformat()
        return f"{label}（{kind}）"


class JobRun(models.Model):
    """One run of a background job and its progress (DESIGN §2.3, §2.5): the daily oversight job,
    an import, the year-end rollup. Helpers and the daily-job registry are in `partyadmin.jobs`.

    A run with a `day` claims that day for its job: the unique (name, day) pair makes a second
    claim fail, so a daily job runs once per day unless forced. Runs without a day never collide.
    """

    class Status(models.TextChoices):
        RUNNING = "running", "运行中"
        SUCCEEDED = "succeeded", "已完成"
        FAILED = "failed", "失败"

    name = models.CharField("任务代码", max_length=100)
    label = models.CharField("任务名称", max_length=100, blank=True)
    day = models.DateField("业务日期", null=True, blank=True)
    started_at = models.DateTimeField("开始时间", default=timezone.now)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.RUNNING)
    total = models.PositiveIntegerField("总步数", default=0, help_text="0 表示总量未知")
    done = models.PositiveIntegerField("已完成步数", default=0)
    result = models.JSONField("结果", default=dict, blank=True)
    error = models.TextField("错误信息", blank=True)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-started_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["name", "day"], name="jobrun_once_per_name_day")]

    def __str__(self) -> str:
        day = f" {self.day.isoformat()}" if self.day else ""
        return f"{self.label or self.name}{day}（{self.get_status_display()}）"

    @property
    def is_running(self) -> bool:
        return self.status == self.Status.RUNNING

    @property
    def percent(self) -> int | None:
        """Progress in whole percent, or None while the total is unknown."""
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)


class PasswordRecord(models.Model):
    """A password a user has had (its hash) and when it was set: "none of the last 5 reused" and the
    change every 90 days of 等保 2.0 (DESIGN §2.7) read these rows."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE,
                             related_name="password_records")
    password = models.CharField("密码摘要", max_length=128)
    changed_at = models.DateTimeField("设置时间", default=timezone.now)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["user", "-changed_at"], name="password_record_user_recent")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.changed_at:%Y-%m-%d}"
