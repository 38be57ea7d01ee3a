"""Recruitment fixtures: branch A with five full members, and a driver that takes a person through the steps
with the clock moved to each step's date (filings are decided "today")."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from audit.filings.services import filing_decide
from membership.models import MemberStatus
from recruitment import services
from recruitment.models import RecruitmentFile
from tests.membership.factories import MemberFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
GOOD_TALLIES = {item: {"excellent": 6, "fair": 1, "poor": 0} for item in
                ("overall", "political", "moral", "lawful", "work", "commitment")}


def on(day: date):
    """Moves the clock to 10:00 China time on `day` (services default to today)."""
    return time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI), tick=False)


@pytest.fixture
def members(branch_a):
    return [MemberFactory(organization=branch_a, joined_on=date(2010, 1, 1), full_on=date(2011, 1, 1),
                          status=MemberStatus.FULL) for _ in range(5)]


@pytest.fixture
def plan_2024(county):
    from recruitment.plans.services import plan_create

    return plan_create(acting_user=None, county=county, year=2024, total_quota=10)


class Driver:
    """Takes one file through the pipeline, step by step, each at its own date."""

    def __init__(self, *, alice, rita, branch, members) -> None:
        self.alice, self.rita, self.branch, self.members = alice, rita, branch, members
        self.file: RecruitmentFile | None = None

    def refresh(self) -> RecruitmentFile:
        self.file = RecruitmentFile.objects.select_related("person", "organization").get(pk=self.file.pk)
        return self.file

    def decide(self, number: int, day: date, decision: str = "approve") -> None:
        with on(day):
            step = services.step_of(self.refresh(), number)
            filing_decide(acting_user=self.rita, filing=step.filing, decision=decision,
                          opinion="" if decision == "approve" else "材料不全")
        self.refresh()

    def apply(self, day: date = date(2023, 1, 5), **person) -> RecruitmentFile:
        fields = {"name": "李新", "gender": "male", "birth_date": date(1995, 6, 1), "education": "bachelor",
                  "occupation": "教师", "position": "教研组长"} | person
        with on(day):
            self.file = services.file_apply(acting_user=self.alice, organization=self.branch, applied_on=day,
                                            person_fields=fields)
        return self.refresh()

    def to_activist(self) -> RecruitmentFile:
        if self.file is None:
            self.apply()
        with on(date(2023, 1, 20)):
            services.talk_record(acting_user=self.alice, file=self.file, talked_on=date(2023, 1, 20), talker="王书记",
                                 content="了解入党动机")
        with on(date(2023, 2, 10)):
            services.recommendation_add(acting_user=self.alice, file=self.refresh(), kind="meeting",
                                        recommended_on=date(2023, 2, 10), agree=4)
        with on(date(2023, 2, 15)):
            services.activist_designate(acting_user=self.alice, file=self.refresh(), decided_on=date(2023, 2, 15),
                                        minutes="支委会研究同意")
        with on(date(2023, 2, 16)):
            services.step_filing_submit(acting_user=self.alice, file=self.refresh(), number=4)
        self.decide(4, date(2023, 2, 20))
        with on(date(2023, 2, 25)):
            services.contact_persons_assign(acting_user=self.alice, file=self.file, members=self.members[:2],
                                            assigned_on=date(2023, 2, 25))
        return self.refresh()

    def to_candidate(self) -> RecruitmentFile:
        self.to_activist()
        with on(date(2024, 3, 1)):
            services.evaluation_record(acting_user=self.alice, file=self.file, held_on=date(2024, 3, 1),
                                       members_present=4, masses_present=3, tallies=GOOD_TALLIES)
        with on(date(2024, 3, 5)):
            services.candidate_propose(acting_user=self.alice, file=self.refresh(), decided_on=date(2024, 3, 5),
                                       minutes="支委会研究同意", contact_opinion="同意")
        with on(date(2024, 3, 6)):
            services.step_filing_submit(acting_user=self.alice, file=self.refresh(), number=8)
        self.decide(8, date(2024, 3, 10))
        return self.file

    def to_vote(self) -> RecruitmentFile:
        self.to_candidate()
        with on(date(2024, 3, 12)):
            services.introducers_assign(acting_user=self.alice, file=self.file, members=self.members[:2],
                                        assigned_on=date(2024, 3, 12))
        with on(date(2024, 3, 20)):
            services.political_review_record(acting_user=self.alice, file=self.refresh(), reviewed_on=date(2024, 3, 20),
                                             content="政治历史清楚", method="谈话、函调", conclusion="政治审查合格",
                                             qualified=True)
        with on(date(2024, 4, 3)):
            services.concentrated_training_record(acting_user=self.alice, file=self.refresh(),
                                                  starts_on=date(2024, 4, 1), ends_on=date(2024, 4, 3), hours=24,
                                                  organizer="城关镇党委党校", result="结业")
        with on(date(2024, 4, 10)):
            services.committee_review_record(acting_user=self.alice, file=self.refresh(), reviewed_on=date(2024, 4, 10),
                                             opinion="条件具备")
        with on(date(2024, 4, 11)):
            services.step_filing_submit(acting_user=self.alice, file=self.refresh(), number=13)
        self.decide(13, date(2024, 4, 15))
        with on(date(2024, 4, 20)):
            services.form_fill(acting_user=self.alice, file=self.file, filled_on=date(2024, 4, 20))
        return self.refresh()

    def to_probationary(self) -> RecruitmentFile:
        self.to_vote()
        with on(date(2024, 5, 6)):
            services.admission_vote_record(acting_user=self.alice, file=self.file, held_on=date(2024, 5, 6), present=5,
                                           for_votes=5, against=0, abstain=0, minutes="无记名投票")
        with on(date(2024, 5, 10)):
            services.organizer_talk_record(acting_user=self.alice, file=self.refresh(), talked_on=date(2024, 5, 10),
                                           organizer="县委组织员张三", content="入党动机端正")
        with on(date(2024, 5, 11)):
            services.step_filing_submit(acting_user=self.alice, file=self.refresh(), number=17)
        self.decide(17, date(2024, 5, 20))
        self.decide(18, date(2024, 5, 25))
        return self.file

    def to_full(self) -> RecruitmentFile:
        self.to_probationary()
        with on(date(2024, 5, 26)):
            services.placement_record(acting_user=self.alice, file=self.file, placed_on=date(2024, 5, 26))
        with on(date(2024, 6, 1)):
            services.oath_record(acting_user=self.alice, file=self.refresh(), sworn_on=date(2024, 6, 1), led_by="王书记")
        with on(date(2025, 5, 1)):
            services.conversion_apply(acting_user=self.alice, file=self.refresh(), applied_on=date(2025, 5, 1),
                                      content="申请按期转正")
        with on(date(2025, 5, 7)):
            services.conversion_vote_record(acting_user=self.alice, file=self.refresh(), held_on=date(2025, 5, 7),
                                            present=5, for_votes=5, against=0, abstain=0, minutes="同意按期转正")
        with on(date(2025, 5, 8)):
            services.step_filing_submit(acting_user=self.alice, file=self.refresh(), number=24)
        self.decide(24, date(2025, 5, 15))
        with on(date(2025, 5, 20)):
            services.file_archive(acting_user=self.alice, file=self.file, archived_on=date(2025, 5, 20),
                                  archive_no="DA-2025-001")
        return self.refresh()


@pytest.fixture
def driver(alice, rita, branch_a, members, working_calendar):
    return Driver(alice=alice, rita=rita, branch=branch_a, members=members)
