from datetime import date

from membership.models import Member, MemberStatus
from recruitment.models import FileStatus, Stage, StepStatus


def test_one_person_from_applicant_to_full_member(driver, plan_2024):
    file = driver.to_full()
    assert file.status == FileStatus.ARCHIVED
    assert file.stage == Stage.FULL
    assert not file.steps.exclude(status=StepStatus.DONE).exists()
    member = Member.objects.get(person=file.person)
    assert member.status == MemberStatus.FULL
    assert member.joined_on == date(2024, 5, 6)
    assert file.activist_on == date(2023, 2, 20)
