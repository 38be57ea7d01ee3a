"""In-app notifications: one row per (user, thing), so the same reminder is never sent twice."""

from django.conf import settings
from django.db import models


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE,
                             related_name="notifications")
    organization = models.ForeignKey("branches.Organization", verbose_name="党组织", on_delete=models.CASCADE,
                                     null=True, blank=True, related_name="+")
    kind = models.CharField("类别", max_length=40)
    # What this notification is about, e.g. "filing:42:waiting" or "publicity:7:closing:2026-10-09":
    # the same key for the same user is never notified twice.
    key = models.CharField("去重键", max_length=120)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_user_key")]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
