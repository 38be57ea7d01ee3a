"""Demo of the county side of recruitment: the 2026 development plan of 红旗县 with quotas by domain, township and
target group, 入党志愿书 numbers issued to a few development candidates (one voided and issued again), and two
name lists sent for the county's pre-review (one approved, one pending).

Keyed: the plan by (county, year), people by their synthetic ID number, numbers by person, name lists by
(organization, year). A second run creates nothing and records no event.
"""

from datetime import date, timedelta

from django.contrib.auth import get_user_model

from audit.filings import services as filings
from branches.models import Domain, Organization
from membership import services as member_services
from membership.models import Education, Gender, Person
from partyadmin.crypto import blind_index
from partyadmin.demo_ids import APPLICANT_AREA, synthetic_id_number
from recruitment.plans import selectors, services
from recruitment.plans.models import DevelopmentPlan, FormNumber, NameList, TargetGroup

YEAR = 2026

# (name, gender, birth date, education, occupation, branch code, domain, target groups)
CANDIDATES = [
    ("李青禾", Gender.MALE, date(1996, 4, 12), Education.SECONDARY, "种植大户", "DEMO-HK-HK", Domain.RURAL,
     [TargetGroup.YOUNG_FARMER]),
    ("王晓梅", Gender.FEMALE, date(1993, 9, 3), Education.BACHELOR, "社区网格员", "DEMO-CG-DG", Domain.COMMUNITY, []),
    ("赵铁军", Gender.MALE, date(1990, 1, 20), Education.COLLEGE, "退役军人、村委会委员", "DEMO-QS-SM", Domain.RURAL,
     [TargetGroup.VETERAN]),
    ("孙明远", Gender.MALE, date(1995, 7, 8), Education.COLLEGE, "矿山机电技术员", "DEMO-QS-KY", Domain.SOE,
     [TargetGroup.INDUSTRIAL_WORKER, TargetGroup.YOUNG_WORKER]),
    ("周春燕", Gender.FEMALE, date(1998, 11, 30), Education.SECONDARY, "返乡创业电商", "DEMO-HK-HK", Domain.RURAL,
     [TargetGroup.RETURNING_MIGRANT]),
    ("陈立新", Gender.MALE, date(1988, 5, 16), Education.GRADUATE, "卫生院主治医师", "DEMO-HK-WSY", Domain.INSTITUTION,
     [TargetGroup.HIGH_KNOWLEDGE, TargetGroup.INTELLECTUAL]),
]
NUMBERED = ["李青禾", "王晓梅", "赵铁军", "孙明远"]
PRE_REVIEWS = [  # (committee code, names, approved)
    ("DEMO-HK", ["李青禾", "陈立新"], True),
    ("DEMO-QS", ["赵铁军", "孙明远"], False),
]


def _people(county: Organization) -> dict[str, Person]:
    people = {}
    for serial, (name, gender, birth, education, occupation, *_rest) in enumerate(CANDIDATES, start=11):
        id_number = synthetic_id_number(birth, gender == Gender.MALE, serial, area=APPLICANT_AREA)
        person = Person.objects.filter(id_number_index=blind_index(id_number)).first()
        if person is None:
            person = member_services.person_create(
                acting_user=None, county=county, name=name, gender=gender, birth_date=birth, education=education,
                occupation=occupation, id_number=id_number,
            )
        people[name] = person
    return people


DOMAIN_QUOTAS = {Domain.RURAL: 5, Domain.COMMUNITY: 3, Domain.ORGAN: 2, Domain.INSTITUTION: 1, Domain.SOE: 1}
TOWNSHIP_QUOTAS = {"DEMO-CG": 4, "DEMO-HK": 3, "DEMO-QS": 3, "DEMO-JG": 2}
TARGETS = {TargetGroup.YOUNG_FARMER: 2, TargetGroup.WOMAN: 4, TargetGroup.INDUSTRIAL_WORKER: 1,
           TargetGroup.RETURNING_MIGRANT: 1}
NOTE = "按全县在册党员年均净增1.5%左右控制总量；重点从青年农民、产业工人和妇女中发展。"


def _plan(county: Organization, organizations: dict[str, Organization], reviewer: object) -> DevelopmentPlan:
    """The 2026 plan with its divisions. A plan made earlier without divisions (e.g. by the pipeline's demo) is
    divided here, never below the numbers it has already issued."""
    townships = {str(organizations[code].pk): places for code, places in TOWNSHIP_QUOTAS.items()}
    plan = DevelopmentPlan.objects.filter(county=county, year=YEAR).first()
    if plan is None:
        return services.plan_create(acting_user=reviewer, county=county, year=YEAR, total_quota=12,
                                    domain_quotas=DOMAIN_QUOTAS, township_quotas=townships,
                                    target_group_targets=TARGETS, note=NOTE)
    if plan.domain_quotas:
        return plan
    [use] = selectors.quota_use_of([plan])
    issued_domains = {bar.key: bar.issued for bar in use.by_domain}
    issued_townships = {bar.key: bar.issued for bar in use.by_township}
    domains = {d: max(places, issued_domains.get(d, 0)) for d, places in DOMAIN_QUOTAS.items()}
    domains |= {d: n for d, n in issued_domains.items() if d not in domains and n}
    townships = {t: max(places, issued_townships.get(t, 0)) for t, places in townships.items()}
    total = max(plan.total_quota, sum(domains.values()), sum(townships.values()), use.total.issued)
    return services.plan_update(acting_user=reviewer, plan=plan, total_quota=total, domain_quotas=domains,
                                township_quotas=townships, target_group_targets=TARGETS, note=plan.note or NOTE)


def build(organizations: dict[str, Organization], today: date) -> None:
    county = organizations["DEMO"]
    reviewer = get_user_model().objects.filter(username="xian_zzb").first()
    _plan(county, organizations, reviewer)
    people = _people(county)
    specs = {spec[0]: spec for spec in CANDIDATES}
    for offset, name in enumerate(NUMBERED):
        person = people[name]
        if FormNumber.objects.filter(person=person, year=YEAR).exists():
            continue
        *_head, branch_code, domain, groups = specs[name]
        issued_on = today - timedelta(days=40 - offset * 7)
        number = services.form_number_issue(
            acting_user=reviewer, county=county, year=YEAR, person=person, domain=domain, today=issued_on,
            organization=organizations[branch_code], target_groups=groups,
        )
        if name == "王晓梅":  # a spoiled form: the number is voided, never reissued; a new one is issued
            services.form_number_void(acting_user=reviewer, form_number=number, reason="志愿书填写有误，重新编号",
                                      today=issued_on + timedelta(days=1))
            services.form_number_issue(
                acting_user=reviewer, county=county, year=YEAR, person=person, domain=domain,
                today=issued_on + timedelta(days=1), organization=organizations[branch_code],
            )
    for name in ("周春燕", "陈立新"):
        groups = specs[name][-1]
        if not people[name].target_groups.exists():
            services.person_target_groups_set(acting_user=reviewer, person=people[name], groups=groups)
    for code, names, approved in PRE_REVIEWS:
        committee = organizations[code]
        if NameList.objects.filter(organization=committee, year=YEAR).exists():
            continue
        name_list = services.name_list_pre_review_submit(
            acting_user=None, organization=committee, year=YEAR, people=[people[n] for n in names],
            note="经党委研究，拟列为发展对象，报请预审。", today=today - timedelta(days=20),
        )
        if approved and reviewer is not None and name_list.filing is not None:
            filings.filing_decide(acting_user=reviewer, filing=name_list.filing, decision="approve",
                                  opinion="数量、结构符合本年度发展计划，同意启动发展程序。")
