"""Branch-life tables: committee members and terms (more to come: meetings, dues, checklists).

These sit above `membership` in the layering and reference it by string only, so that
`branches/models.py` (below `audit`) never imports it.
"""

from django.db import models
from django.db.models import Q

from partyadmin.models import TimeStampedModel


class CommitteePost(models.TextChoices):
    SECRETARY = "secretary", "书记"
    DEPUTY = "deputy", "副书记"
    ORGANIZATION = "organization", "组织委员"
    PROPAGANDA = "propaganda", "宣传委员"
    DISCIPLINE = "discipline", "纪检委员"
    YOUTH = "youth", "青年委员"
    WOMEN = "women", "妇女委员"
    OTHER = "other", "委员"


class CommitteeMember(TimeStampedModel):
    """A seat on a branch (or committee) committee during a term: 书记、副书记、委员."""

    organization = models.ForeignKey(
        "branches.Organization", verbose_name="党组织", on_delete=models.CASCADE, related_name="committee_members",
    )
    member = models.ForeignKey(
        "membership.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="committee_posts",
    )
    post = models.CharField("职务", max_length=16, choices=CommitteePost.choices)
    started_on = models.DateField("任职日期")
    ended_on = models.DateField("离任日期", null=True, blank=True)

    class Meta:
        verbose_name = "支部委员"
        verbose_name_plural = "支部委员"
        ordering = ["organization", "post", "started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=Q(post="secretary", ended_on__isnull=True),
                name="one_sitting_secretary_per_organization",
            ),
            models.UniqueConstraint(
                fields=["organization", "member"], condition=Q(ended_on__isnull=True),
                name="one_sitting_post_per_member",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="committee_member_ended_after_started",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.get_post_display()}"
