"""Demo branch standardization (党支部规范化建设): the county opens the 2026 round on the shipped 武进区 细则;
东关社区党支部 reads its records, self-assesses, declares its party-work funds and passes (committee and
county examined, result under publicity); 西关社区党支部 falls short (no regular meetings on record, its
ledgers incomplete) and gets a rectification task. Keyed by the round (county, year) and each assessment's
status: a second run finds everything done and writes nothing."""

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model

from branches.models import Organization
from branches.standards import services
from branches.standards.models import Assessment, AssessmentRound, AssessmentStatus, AssessmentVeto

YEAR = 2026
PASSING, FAILING = "DEMO-CG-DG", "DEMO-CG-XG"
# Items the examiners mark down, with their reasons: (item key, points off, note).
# Where the passing branch disagrees with what the records say (its paper ledgers), with its reason.
DISAGREEMENTS = {
    PASSING: {"support.life_ledger": "会议照片与签到表存于纸质《党组织生活记录本》，可现场查阅。",
              "support.member_ledger": "党员信息纸质台账完整，欠交党费的党员已当面提醒并补交。"},
    FAILING: {},
}
REVIEW_CUTS = {
    PASSING: [("support.venue_facilities", Decimal("1"), "活动室党务公开栏更新不及时"),
              ("support.service_ledger", Decimal("2"), "联系服务群众台账缺少成效记录")],  # the rest as self-assessed
    FAILING: [("activities.service", Decimal("4"), "联系服务群众制度未落实到月"),
              ("support.venue_facilities", Decimal("2"), "阵地设施不完善，无党支部标识"),
              ("support.member_ledger", Decimal("3"), "《党员基本情况登记表》未更新"),
              ("support.service_ledger", Decimal("3"), "无服务群众台账"),
              ("members.study_plan", Decimal("2"), "未制定年度学习计划")],
}


def build(organizations: dict[str, Organization], today: date) -> None:
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["dg_shuji", "cg_shenhe", "xian_zzb"])}
    county = organizations["DEMO"]
    round_ = AssessmentRound.objects.filter(county=county, year=YEAR).first()
    if round_ is None:
        round_ = services.round_open(acting_user=users["xian_zzb"], county=county, year=YEAR,
                                     template=services.builtin_template(), submit_by=date(YEAR, 12, 20))
    for code, secretary in ((PASSING, users["dg_shuji"]), (FAILING, None)):
        assessment = Assessment.objects.select_related("organization", "round__template").get(
            round=round_, organization=organizations[code])
        _self_assess(assessment, code, secretary, today)
        _examine(assessment, code, users["cg_shenhe"])
        assessment.refresh_from_db()
        if assessment.status == AssessmentStatus.COUNTY_REVIEW:
            services.county_rate(acting_user=users["xian_zzb"], assessment=assessment,
                                 opinion="经实地验收，同意基层党委考核意见。")


def _self_assess(assessment: Assessment, code: str, secretary, today: date) -> None:
    if assessment.status != AssessmentStatus.DRAFT:
        return
    services.assessment_prefill(acting_user=secretary, assessment=assessment, today=today)
    entries = []
    for row in assessment.items.select_related("item").order_by("item__order"):
        reason = DISAGREEMENTS[code].get(row.item.key, "")
        score = row.prefill_score if row.prefill_score is not None and not reason else row.item.points
        entries.append(services.ScoreInput(row.pk, score, note="对照细则自查", reason=reason))
    services.self_scores_save(acting_user=secretary, assessment=assessment, entries=entries)
    funds = AssessmentVeto.objects.select_related("veto").get(assessment=assessment, veto__key="no_funds")
    services.veto_declare(acting_user=secretary, assessment=assessment, veto_row=funds, found=False,
                          note="党建工作经费由社区专户管理，按人均标准拨付。")
    services.evidence_add(acting_user=secretary, assessment=assessment, veto=funds.veto, title="2026年党建工作经费预算",
                          url="https://example.org/dangjian/jingfei-2026")
    services.assessment_submit(acting_user=secretary, assessment=assessment, note="请予考核。")


def _examine(assessment: Assessment, code: str, examiner) -> None:
    assessment.refresh_from_db()
    if assessment.status != AssessmentStatus.COMMITTEE_REVIEW:
        return
    cuts = {key: (points, note) for key, points, note in REVIEW_CUTS[code]}
    entries = []
    for row in assessment.items.select_related("item").order_by("item__order"):
        off, note = cuts.get(row.item.key, (Decimal("0"), ""))
        score = max(Decimal("0"), (row.self_score or Decimal("0")) - off)
        entries.append(services.ScoreInput(row.pk, score, note=note or ("" if score == row.self_score else "实地考察")))
    services.review_scores_save(acting_user=examiner, assessment=assessment, entries=entries)
    services.committee_report(acting_user=examiner, assessment=assessment, opinion="经实地考察，考核意见如上。")
