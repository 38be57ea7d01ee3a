"""Demo admission files (双推双评三全程): people at every stage in 东关社区 (DEMO-CG-DG), 河口村 (DEMO-HK-HK) and
青山村 (DEMO-QS-QS), entered through the services as a branch enters the files it kept on paper (补录, the
superiors' answers dated as given). Some steps are overdue on the demo day (an applicant not talked to
within the month, an activist whose quarterly report is late, a probationary member whose conversion is
due). Keyed by the person's name in the branch: a second run creates nothing and records no event.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model

from audit.filings.services import filing_decide
from branches.models import Organization
from membership.models import Member, MemberStatus
from partyadmin.demo_ids import APPLICANT_AREA, synthetic_id_number
from recruitment import services
from recruitment.models import RecruitmentFile

GOOD = {item: {"excellent": 8, "fair": 2, "poor": 0}
        for item in ("overall", "political", "moral", "lawful", "work", "commitment")}


class _Path:
    """One person's file, step by step, each at its own date."""

    def __init__(self, *, file: RecruitmentFile, secretary: Any, reviewer: Any, members: list[Member]) -> None:
        self.file, self.secretary, self.reviewer, self.members = file, secretary, reviewer, members

    def _reload(self) -> RecruitmentFile:
        self.file = RecruitmentFile.objects.select_related("person", "organization").get(pk=self.file.pk)
        return self.file

    def do(self, day: date, action: Callable[..., Any], **kwargs: Any) -> None:
        action(acting_user=self.secretary, file=self._reload(), today=day, **kwargs)

    def filed(self, number: int, submitted: date, decided: date) -> None:
        services.step_filing_submit(acting_user=self.secretary, file=self._reload(), number=number, today=submitted)
        with services.decisions_dated(decided):
            filing_decide(acting_user=self.reviewer, filing=services.step_of(self.file, number).filing,
                          decision="approve", opinion="同意。")

    def activist(self, start: date) -> None:
        y, m = start.year, start.month
        self.do(date(y, m, 15), services.talk_record, talked_on=date(y, m, 15), talker="支部组织委员",
                content="了解入党动机和对党的认识，介绍入党条件和程序。")
        self.do(date(y, m + 1, 10), services.recommendation_add, kind="meeting", recommended_on=date(y, m + 1, 10),
                agree=services.branch_members_on(self.file.organization, date(y, m + 1, 10)) // 2 + 1)
        if services.mass_org_needed(self.file.person):
            self.do(date(y, m + 1, 10), services.mass_org_recommendation_record, organization_name="共青团支部",
                    method="民主评议", recommended_on=date(y, m + 1, 8), filed_with="乡镇团委")
        self.do(date(y, m + 1, 12), services.activist_designate, decided_on=date(y, m + 1, 12),
                minutes="支委会研究，同意确定为入党积极分子。")
        self.filed(4, date(y, m + 1, 13), date(y, m + 1, 20))
        self.do(date(y, m + 1, 25), services.contact_persons_assign, members=self.members[:2],
                assigned_on=date(y, m + 1, 25))

    def candidate(self, year: int) -> None:
        present = services.branch_members_on(self.file.organization, date(year, 5, 10)) // 2 + 1
        self.do(date(year, 5, 10), services.evaluation_record, held_on=date(year, 5, 10),
                members_present=present, masses_present=present, tallies=GOOD)
        self.do(date(year, 5, 12), services.candidate_propose, decided_on=date(year, 5, 12),
                minutes="支委会研究，同意列为发展对象人选。", contact_opinion="表现突出，同意。")
        self.filed(8, date(year, 5, 13), date(year, 5, 20))

    def admitted(self, year: int) -> None:
        full = [m for m in self.members if m.status == MemberStatus.FULL]
        self.do(date(year, 5, 25), services.introducers_assign, members=full[:2], assigned_on=date(year, 5, 25))
        self.do(date(year, 6, 10), services.political_review_record, reviewed_on=date(year, 6, 10),
                content="对党的态度、政治历史、遵纪守法、直系亲属政治情况", method="同本人谈话、查阅档案、函调",
                conclusion="政治审查合格。", qualified=True)
        self.do(date(year, 6, 19), services.concentrated_training_record, starts_on=date(year, 6, 17),
                ends_on=date(year, 6, 19), hours=24, organizer="县委党校", result="考试合格，准予结业。")
        self.do(date(year, 6, 25), services.committee_review_record, reviewed_on=date(year, 6, 25),
                opinion="发展对象条件具备，材料齐全。")
        self.filed(13, date(year, 6, 26), date(year, 7, 5))
        self.do(date(year, 8, 1), services.form_fill, filled_on=date(year, 8, 1))
        entitled = services.full_members_on(self.file.organization, date(year, 9, 10))
        self.do(date(year, 9, 10), services.admission_vote_record, held_on=date(year, 9, 10), present=entitled - 1,
                for_votes=entitled - 2, against=1, abstain=0, minutes="无记名投票，逐个表决。")
        self.do(date(year, 9, 15), services.organizer_talk_record, talked_on=date(year, 9, 15),
                organizer="县委组织员", content="入党动机端正，对党的基本知识掌握较好。")
        self.filed(17, date(year, 9, 16), date(year, 10, 10))
        with services.decisions_dated(date(year, 10, 20)):
            filing_decide(acting_user=self.reviewer, filing=services.step_of(self._reload(), 18).filing,
                          decision="approve", opinion="已备案。")
        self.do(date(year, 10, 25), services.placement_record, placed_on=date(year, 10, 25))
        self.do(date(year, 10, 28), services.oath_record, sworn_on=date(year, 10, 28), led_by="支部书记")

    def converted(self, year: int) -> None:
        entitled = services.full_members_on(self.file.organization, date(year, 9, 12))
        self.do(date(year, 9, 1), services.conversion_apply, applied_on=date(year, 9, 1), content="申请按期转正。")
        self.do(date(year, 9, 12), services.conversion_vote_record, held_on=date(year, 9, 12), present=entitled - 1,
                for_votes=entitled - 1, against=0, abstain=0, minutes="同意按期转为正式党员。")
        self.filed(24, date(year, 9, 13), date(year, 9, 20))
        self.do(date(year, 10, 10), services.file_archive, archived_on=date(year, 10, 10), archive_no=f"DA-{year}-001")


# (branch, name, gender, birth date, league member, how far, applied on)
PEOPLE = [
    ("DEMO-CG-DG", "林晓", "female", date(2001, 5, 4), True, "applicant", date(2026, 10, 20)),
    ("DEMO-CG-DG", "孙博", "male", date(1994, 8, 18), False, "applicant", date(2026, 9, 10)),  # talk overdue
    ("DEMO-CG-DG", "郑毅", "male", date(1992, 3, 9), False, "activist", date(2025, 9, 1)),
    ("DEMO-CG-DG", "韩雪", "female", date(1990, 12, 1), False, "full", date(2022, 2, 1)),
    ("DEMO-HK-HK", "王振", "male", date(1998, 7, 7), True, "activist", date(2026, 2, 1)),
    ("DEMO-HK-HK", "赵丽", "female", date(1993, 4, 21), False, "candidate", date(2024, 3, 1)),
    ("DEMO-HK-HK", "钱坤", "male", date(1989, 1, 30), False, "probationary", date(2024, 2, 1)),
    ("DEMO-QS-QS", "冯涛", "male", date(1996, 11, 11), False, "activist", date(2025, 3, 1)),
]


def _plan(county: Organization, year: int, reviewer: Any) -> None:
    from recruitment.plans.models import DevelopmentPlan
    from recruitment.plans.services import plan_create

    if not DevelopmentPlan.objects.filter(county=county, year=year).exists():
        plan_create(acting_user=reviewer, county=county, year=year, total_quota=12, note="演示：年度发展党员计划")


def build(organizations: dict[str, Organization], today: date) -> None:
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["dg_shuji", "hk_shuji", "cg_shenhe", "xian_zzb"])}
    secretaries = {"DEMO-CG-DG": users.get("dg_shuji"), "DEMO-HK-HK": users.get("hk_shuji")}
    reviewer = users.get("xian_zzb") or users.get("cg_shenhe")
    for serial, (code, name, gender, birth_date, league, reach, applied_on) in enumerate(PEOPLE, start=41):
        branch = organizations.get(code)
        if branch is None or RecruitmentFile.objects.filter(organization=branch, person__name=name).exists():
            continue
        secretary = secretaries.get(code) or reviewer
        members = list(Member.objects.filter(organization=branch, is_active=True, status=MemberStatus.FULL)
                       .select_related("person").order_by("pk"))
        file = services.file_apply(
            acting_user=secretary, organization=branch, applied_on=applied_on, today=applied_on,
            person_fields={"name": name, "gender": gender, "birth_date": birth_date, "education": "bachelor",
                           "occupation": "村（居）民" if branch.domain == "rural" else "社区工作者",
                           "is_league_member": league,
                           "id_number": synthetic_id_number(birth_date, gender == "male", serial,
                                                             area=APPLICANT_AREA)},
        )
        path = _Path(file=file, secretary=secretary, reviewer=reviewer, members=members)
        if reach == "applicant":
            continue
        path.activist(applied_on)
        if reach == "activist":
            # 东关社区's contact persons last reported in April: the quarterly report is overdue on the demo day.
            reported = date(2026, 4, 20) if code == "DEMO-CG-DG" else date(2026, 9, 15)
            path.do(reported, services.training_record_add, kind="quarterly_report", occurred_on=reported,
                    content="培养联系人汇报：思想稳定，积极参加志愿服务。")
            path.do(reported, services.training_record_add, kind="half_year_exam", occurred_on=reported,
                    content="党支部半年考察：表现良好。", result="合格")
            continue
        path.candidate(applied_on.year + 1)
        if reach == "candidate":
            continue
        _plan(branch.county, applied_on.year + 1, reviewer)
        path.admitted(applied_on.year + 1)
        if reach == "full":
            path.converted(applied_on.year + 2)
    services.recruitment_tick(today=today)
