"""The demo files: people at every stage, some overdue; a second run adds nothing and records no event."""

import pytest

from audit.models import Event
from partyadmin import demo_recruitment
from partyadmin.demo_data import seed_demo
from partyadmin.demo_oversight import demo_today
from recruitment.models import FileStatus, RecruitmentFile


@pytest.mark.django_db
def test_demo_builds_every_stage_and_is_idempotent(working_calendar):
    from branches.models import Organization

    seed_demo()
    organizations = {org.code: org for org in Organization.objects.all()}
    demo_recruitment.build(organizations, demo_today())
    files = RecruitmentFile.objects.all()
    assert set(files.values_list("stage", flat=True)) >= {"applicant", "activist", "candidate", "probationary", "full"}
    assert files.filter(status=FileStatus.ARCHIVED).count() == 1
    assert files.filter(deadline_status="overdue").count() >= 3
    count, events = files.count(), Event.objects.count()
    demo_recruitment.build(organizations, demo_today())
    assert RecruitmentFile.objects.count() == count
    assert Event.objects.count() == events
