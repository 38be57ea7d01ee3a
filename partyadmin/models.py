"""Kernel tables: base mixins and the working-day calendar."""

from django.db import models


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
