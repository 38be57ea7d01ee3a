"""Demo oversight rows: publicity windows in every state, filings pending, overdue, returned and
approved, accountability cases, and one daily run. Each is keyed by its title, so a re-run adds nothing.

Dates are relative to today (clipped so that every window ends inside the calendar the Holiday
table covers), so that the demo always has an open notice and an overdue filing to look at.
"""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.accountability import services as cases
from audit.accountability.models import AccountabilityCase, Outcome, PartyRole, ViolationType
from audit.filings import services as filings
from audit.filings.models import Filing, FilingKind
from audit.filings.uploads import MaterialUpload
from audit.publicity import services as publicity
from audit.publicity.models import Channel, Finding, PublicityWindow
from branches.models import Organization
from partyadmin import workdays
from partyadmin.documents import html_to_pdf
from partyadmin.tasks import daily_oversight

SCOPE = ["branch_members", "unit_masses"]
CONTACT = "组织委员 王老师 0391-2345678"


def demo_today() -> date:
    last_year = max(workdays.covered_years(), default=workdays.china_today().year)
    return min(workdays.china_today(), date(last_year, 12, 31) - timedelta(days=30))


def _person(name: str, gender: str, age: int, education: str, occupation: str, position: str = "") -> dict:
    return {"name": name, "gender": gender, "age": age, "education": education, "occupation": occupation,
            "position": position}


def _pdf(title: str) -> SimpleUploadedFile:
    html = f'<html><body style="font-family: \'Noto Sans CJK SC\'"><h1>{title}</h1><p>（演示材料）</p></body></html>'
    return SimpleUploadedFile(f"{title}.pdf", html_to_pdf(html), content_type="application/pdf")


def build(organizations: dict[str, Organization]) -> None:
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["dg_shuji", "dg_dangyuan", "cg_shenhe", "xian_zzb", "hk_shuji"])}
    today = demo_today()
    _publicity(organizations["DEMO-CG-DG"], users, today)
    _filings(organizations, users, today)
    _cases(organizations, users, today)
    daily_oversight(day=today.isoformat())


def _window(branch: Organization, opener, title: str, *, today: date, starts_on: date | None = None,
            kind: str = "recruitment.activist", entries: list | None = None, **extra) -> tuple[PublicityWindow, bool]:
    existing = PublicityWindow.objects.filter(organization=branch, title=title).first()
    if existing is not None:
        return existing, False
    window = publicity.publicity_open(
        acting_user=opener, organization=branch, title=title, kind=kind, scope=SCOPE, contact=CONTACT,
        starts_on=starts_on or today, today=today, entries=entries or [], **extra,
    )
    return window, True


def _publicity(branch: Organization, users: dict, today: date) -> None:
    secretary, member = users["dg_shuji"], users["dg_dangyuan"]
    results = {"result_fields": {"vote": "党员推荐情况"}}
    window, created = _window(
        branch, secretary, "关于确定张晓明等2名同志为入党积极分子的公示", today=today, **results,
        entries=[
            ("", "", {**_person("张晓明", "男", 27, "大学本科", "社区工作者", "网格员"), "vote": "同意23票/到会25人"}),
            ("", "", {**_person("李雪", "女", 24, "大学专科", "教师"), "vote": "同意22票/到会25人"}),
        ],
    )
    if created:
        publicity.objection_record(acting_user=secretary, window=window, entry=None, channel=Channel.PAPER,
                                   anonymous=True, content="反映其中一人长期不参加社区志愿服务，请核实。", today=today)
    _window(branch, secretary, "第三季度党员积分排名公示", today=today - timedelta(days=40),
            kind="scoring.quarter_ranking", entries=[
                ("", "", {"name": name, "quarter_total": total, "rank": rank})
                for rank, (name, total) in enumerate([("王建国", 96), ("刘芳", 93), ("陈强", 90), ("赵丽", 88)], 1)
            ], result_fields={"quarter_total": "季度积分", "rank": "排名"})
    _window(branch, secretary, "关于接收王磊同志为预备党员的公示", today=today,
            starts_on=workdays.add_working_days(today + timedelta(days=1), 1),
            entries=[("", "", {**_person("王磊", "男", 31, "大学本科", "企业职工"), "vote": "赞成28票/应到30人"})],
            **results)
    window, created = _window(
        branch, secretary, "关于确定周涛同志为发展对象的公示", today=today - timedelta(days=3),
        entries=[("", "", {**_person("周涛", "男", 29, "研究生", "工程师"), "vote": "优秀18票/一般4票/差1票"})], **results,
    )
    if created:
        objection = publicity.objection_file(acting_user=member, window=window, today=today - timedelta(days=2),
                                             content="周涛同志近期有酒后驾车被处罚的情况，请组织核实。")
        publicity.objection_conclude(acting_user=secretary, objection=objection, finding=Finding.SUBSTANTIVE,
                                     investigation="经向交警部门核实，情况属实，立即终止发展程序。")


def _filing(branch: Organization, submitter, title: str, *, kind: str = FilingKind.RECORD, submitted_on: date,
            note: str = "") -> tuple[Filing, bool]:
    existing = Filing.objects.filter(from_organization=branch, title=title).first()
    if existing is not None:
        return existing, False
    return filings.filing_submit(
        acting_user=submitter, from_organization=branch, kind=kind, subject_type="", subject_id="",
        subject_label=title, title=title, note=note, today=submitted_on,
        materials=[MaterialUpload(title=title, file=_pdf(title))],
    ), True


def _filings(organizations: dict[str, Organization], users: dict, today: date) -> None:
    dg, hk = users["dg_shuji"], users["hk_shuji"]
    township_reviewer, county_reviewer = users["cg_shenhe"], users["xian_zzb"]
    _filing(organizations["DEMO-CG-DG"], dg, "关于确定张晓明等2名同志为入党积极分子的备案报告", submitted_on=today,
            note="支部委员会研究确定，附会议记录。")
    _filing(organizations["DEMO-HK-HK"], hk, "关于确定刘洋同志为发展对象的备案报告",
            submitted_on=today - timedelta(days=50))
    filing, created = _filing(organizations["DEMO-CG-DG"], dg, "关于李雪同志政治审查情况的报告",
                              kind=FilingKind.PRE_REVIEW, submitted_on=today - timedelta(days=10))
    if created:
        filings.filing_decide(acting_user=township_reviewer, filing=filing, decision="return",
                              opinion="政审材料缺少本人所在单位意见，请补充后重新报送。")
        filings.filing_resubmit(acting_user=dg, filing=filing, note="已补充单位意见。", today=today - timedelta(days=5),
                                materials=[MaterialUpload(title="单位意见", file=_pdf("单位意见"))])
    filing, created = _filing(organizations["DEMO-CG-DGC-1"], dg, "关于确定赵敏同志为入党积极分子的备案报告",
                              submitted_on=today - timedelta(days=20))
    if created:
        filings.filing_decide(acting_user=township_reviewer, filing=filing, decision="approve",
                              opinion="同意备案。")
    filing, created = _filing(organizations["DEMO-QS-QS"], county_reviewer, "关于接收孙浩同志为预备党员的请示",
                              kind=FilingKind.APPROVE, submitted_on=today - timedelta(days=80))
    if created:
        filings.filing_extend(acting_user=county_reviewer, filing=filing,
                              until=workdays.add_months(filing.submitted_on, 5),
                              reason="发展对象外出务工，上级党委派人谈话需待其返乡。")


def _cases(organizations: dict[str, Organization], users: dict, today: date) -> None:
    reviewer = users["xian_zzb"]
    if not AccountabilityCase.objects.filter(subject_label="柳林村党支部发展党员程序倒置").exists():
        case = cases.case_open(
            acting_user=reviewer, organization=organizations["DEMO-HK-LL"], subject_label="柳林村党支部发展党员程序倒置",
            violation_type=ViolationType.PROCEDURE, discovered_on=today - timedelta(days=40),
            description="先召开支部大会讨论接收预备党员，后开展政治审查。",
        )
        cases.party_add(acting_user=reviewer, case=case, name="柳林村党支部", role=PartyRole.ORGANIZATION)
        cases.party_add(acting_user=reviewer, case=case, name="柳林村党支部书记", role=PartyRole.SECRETARY)
    if not AccountabilityCase.objects.filter(subject_label="东关社区党支部超时限确定发展对象").exists():
        case = cases.case_open(
            acting_user=reviewer, organization=organizations["DEMO-CG-DG"], subject_label="东关社区党支部超时限确定发展对象",
            violation_type=ViolationType.STANDARDS, discovered_on=today - timedelta(days=60),
            description="入党积极分子培养教育考察不满一年即确定为发展对象。",
        )
        cases.party_add(acting_user=reviewer, case=case, name="东关社区党支部组织委员", role=PartyRole.ORGANIZATION_MEMBER)
        cases.case_close(acting_user=reviewer, case=case, outcome=Outcome.WRITTEN_SELF_CRITICISM,
                         outcome_note="责令支部书记、组织委员作出书面检查。", admission_not_recognized=True,
                         announced_on=today - timedelta(days=20))
