"""Writes of the standardization checklist; each emits its audit event in its transaction.

Flow (seed 004 四2: "由党支部对照标准创建,各单位党(工)委考核、申报,区委组织部验收、评定"):
1. the branch self-scores every item (records pre-fill what they can) and submits: a 审议 filing to its
   基层党(工)委 (`committee_filing`);
2. the committee gives its own score per item (考核分) and reports — approving its filing forwards the
   assessment to the county department as a 审批 filing (`county_filing`); or it returns it to the branch;
3. the county department accepts and rates (approves: the result is computed and publicized; a failing
   branch gets a rectification task) or returns it to the committee.
Both decisions go through `audit.filings.services.filing_decide`; the filing handler registered for
"standards.assessment" moves the assessment, so deciding from the filings page works the same.
After the publicity closes without a substantive objection the result is confirmed (备注2: "经公示无
异议的,确认为党支部规范化建设合格支部"), by the daily step.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from audit.filings import services as filing_services
from audit.filings.models import Filing, FilingKind, FilingStatus
from audit.filings.uploads import MaterialUpload, check_uploads
from audit.notifications.services import notify_many
from audit.publicity.models import WindowStatus
from audit.publicity.services import publicity_open
from audit.services import record
from branches.life_models import CommitteeMember
from branches.models import Organization, OrganizationKind
from branches.policies import policy_value
from branches.services import secretaries_of
from partyadmin.errors import RuleViolation
from partyadmin.files import removed_on_failure
from partyadmin.workdays import add_months, china_today

from . import policies, registry, rules
from .models import (
    Assessment,
    AssessmentItem,
    AssessmentRound,
    AssessmentStatus,
    AssessmentVeto,
    ChecklistTemplate,
    Evidence,
    Rectification,
    RectificationStatus,
    TemplateItem,
    TemplateSection,
    TemplateVeto,
)
from .prefill import forget_facts, judged_on
from .rules import fmt
from .templates_data import BUILTIN_TEMPLATES

SUBJECT_TYPE = "standards.assessment"
PUBLICITY_KIND = "standards.result"


# --- templates ---------------------------------------------------------------------------------------


def create_template_rows(parsed: rules.ParsedTemplate, *, source: dict[str, Any], county_id: int | None,
                         loaded_by_id: int | None, models: Any) -> Any:
    """Writes a checked template with the given model classes (the app's, or a migration's historical ones)."""
    template = models.ChecklistTemplate.objects.create(
        code=parsed.code, version=parsed.version, name=parsed.name, issuer=parsed.issuer, county_id=county_id,
        pass_mark=parsed.pass_mark, total_points=parsed.total, notes=parsed.notes, source=source,
        loaded_by_id=loaded_by_id,
    )
    order = 0
    for s_order, s in enumerate(parsed.sections, start=1):
        section = models.TemplateSection.objects.create(template=template, key=s["key"], order=s_order,
                                                         title=s["title"], max_points=s["max_points"])
        for i in s["items"]:
            order += 1
            models.TemplateItem.objects.create(template=template, section=section, key=i["key"], order=order,
                                               requirement=i["requirement"], standard=i["standard"],
                                               points=i["points"], prefill=i["prefill"])
    for v_order, v in enumerate(parsed.vetoes, start=1):
        models.TemplateVeto.objects.create(template=template, key=v["key"], order=v_order, text=v["text"],
                                           record_check=v["check"])
    return template


class _Models:
    ChecklistTemplate = ChecklistTemplate
    TemplateSection = TemplateSection
    TemplateItem = TemplateItem
    TemplateVeto = TemplateVeto


def _jsonable(data: Any) -> dict[str, Any]:
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


@transaction.atomic
def template_load(*, acting_user: AbstractBaseUser | None, data: Any, county: Organization | None = None
                  ) -> ChecklistTemplate:
    """Loads a checklist (a county's own, or a shipped one when `county` is None). A (code, version) is loaded
    once: loading the same data again returns it; different data under a loaded version is refused."""
    parsed = rules.parse_template(data, known_prefills=registry.known_keys())
    source = _jsonable(data)
    existing = ChecklistTemplate.objects.filter(code=parsed.code, version=parsed.version).first()
    if existing is not None:
        if existing.source == source and existing.county_id == (county.pk if county else None):
            return existing
        raise RuleViolation("standards.template_version_exists",
                            f"细则“{parsed.code}”第{parsed.version}版已导入，修改后请以新版本号导入。", field="version")
    template = create_template_rows(parsed, source=source, county_id=county.pk if county else None,
                                    loaded_by_id=acting_user.pk if acting_user and acting_user.is_authenticated else None,
                                    models=_Models)
    record(actor=acting_user, action="standards.template_load", organization=county, subject=template,
           changes={"code": [None, template.code], "version": [None, template.version],
                    "items": [None, template.items.count()], "pass_mark": [None, template.pass_mark]})
    return template


def builtin_template() -> ChecklistTemplate:
    """The shipped 武进区 细则 (loaded by the data migration; loaded here if it is missing)."""
    data = BUILTIN_TEMPLATES[0]
    template = ChecklistTemplate.objects.filter(code=data["code"], version=data["version"]).first()
    return template or template_load(acting_user=None, data=data)


# --- rounds ------------------------------------------------------------------------------------------


def _new_rows(assessment: Assessment, template: ChecklistTemplate) -> None:
    AssessmentItem.objects.bulk_create(
        [AssessmentItem(assessment=assessment, item=item) for item in template.items.order_by("order")])
    AssessmentVeto.objects.bulk_create(
        [AssessmentVeto(assessment=assessment, veto=veto) for veto in template.vetoes.order_by("order")])


@transaction.atomic
def round_open(*, acting_user: AbstractBaseUser | None, county: Organization, year: int,
               template: ChecklistTemplate, submit_by: date) -> AssessmentRound:
    """Opens a county's assessment year with one checklist per active branch (the template version is pinned)."""
    if county.kind != OrganizationKind.COUNTY_DEPT:
        raise RuleViolation("standards.round_county", "考核年度由县（市、区）委组织部发起。", field="county")
    if template.county_id not in (None, county.pk):
        raise RuleViolation("standards.template_foreign", "只能使用本县或系统内置的考核细则。", field="template")
    if AssessmentRound.objects.filter(county=county, year=year).exists():
        raise RuleViolation("standards.round_exists", f"{year}年度考核已发起。", field="year")
    round_ = AssessmentRound.objects.create(county=county, year=year, template=template, submit_by=submit_by,
                                            opened_by=acting_user if acting_user and acting_user.is_authenticated
                                            else None)
    branches = list(Organization.objects.filter(path__startswith=county.path, kind=OrganizationKind.BRANCH,
                                                is_active=True).order_by("path"))
    assessments = Assessment.objects.bulk_create([
        Assessment(round=round_, organization=b, county=county, year=year) for b in branches])
    items = list(template.items.order_by("order"))
    vetoes = list(template.vetoes.order_by("order"))
    AssessmentItem.objects.bulk_create([AssessmentItem(assessment=a, item=i) for a in assessments for i in items])
    AssessmentVeto.objects.bulk_create([AssessmentVeto(assessment=a, veto=v) for a in assessments for v in vetoes])
    record(actor=acting_user, action="standards.round_open", organization=county, subject=round_,
           changes={"year": [None, year], "template": [None, str(template)], "submit_by": [None, submit_by],
                    "branches": [None, len(assessments)]})
    return round_


@transaction.atomic
def assessment_add(*, acting_user: AbstractBaseUser | None, round_: AssessmentRound, organization: Organization
                   ) -> Assessment:
    """Adds a branch set up after the round was opened."""
    if organization.kind != OrganizationKind.BRANCH or not organization.path.startswith(round_.county.path):
        raise RuleViolation("standards.not_a_branch", "只能为本县的党支部添加考核。", field="organization")
    assessment, created = Assessment.objects.get_or_create(
        round=round_, organization=organization, defaults={"county": round_.county, "year": round_.year})
    if created:
        _new_rows(assessment, round_.template)
        record(actor=acting_user, action="standards.assessment_add", organization=organization, subject=assessment,
               changes={"year": [None, round_.year]})
    return assessment


# --- pre-fill and vetoes from the records ------------------------------------------------------------------


def _items(assessment: Assessment) -> list[AssessmentItem]:
    return list(assessment.items.select_related("item__section").order_by("item__order"))


def _record_vetoes(assessment: Assessment, rows: list[AssessmentVeto]) -> list[str]:
    """Decides the veto cases the records can (secretary vacant; discipline); returns what changed."""
    seats = list(CommitteeMember.objects.filter(organization=assessment.organization, ended_on__isnull=True)
                 .values_list("post", "discipline"))
    changed = []
    for row in rows:
        check = row.veto.record_check
        if check == "secretary_vacant":
            found = rules.secretary_vacant(sitting_posts=[post for post, _ in seats])
            note = "支部书记缺职（无在任书记）。" if found else "有在任支部书记。"
        elif check == "committee_discipline":
            posts = rules.discipline_veto(seats=seats)
            found = bool(posts)
            note = ("受党纪处分：" + "、".join(
                f"{'书记' if p == 'secretary' else '支委'}（{rules.DISCIPLINE_LABELS[d]}）"
                for p, d in seats if p in posts and rules.at_least(d, "warning")) + "。") if found \
                else "在任书记、支委未受相应党纪处分。"
        else:
            continue
        if row.found != found or row.note != note[:500]:
            row.found, row.note = found, note[:500]
            row.save(update_fields=["found", "note"])
            changed.append(row.veto.key)
    return changed


def _check_branch_may_edit(assessment: Assessment) -> None:
    if not assessment.branch_may_edit:
        raise RuleViolation("standards.not_editable", f"考核已报送（{assessment.get_status_display()}），支部不能修改。")


@transaction.atomic
def assessment_prefill(*, acting_user: AbstractBaseUser | None, assessment: Assessment, today: date | None = None
                       ) -> Assessment:
    """Reads the records for every item that names a pre-fill, links the evidence, and sets the self score
    where the branch has not disagreed; decides the record-based veto cases. The records are judged as of
    `today` (periods still running then are not judged yet)."""
    _check_branch_may_edit(assessment)
    now = timezone.now()
    organization = assessment.organization
    forget_facts(organization)
    filled = []
    for row in _items(assessment):
        if not row.item.prefill:
            continue
        with judged_on(today):
            answer = registry.answer(row.item.prefill, organization=organization, year=assessment.year,
                                     points=row.item.points)
        if answer is None:
            row.prefill_score = row.prefill_met = None
            row.prefill_note = "记录暂无法判断，请支部自评。"
            row.prefill_evidence = []
        else:
            row.prefill_score, row.prefill_met = answer.score, answer.met
            row.prefill_note = answer.note[:500]
            row.prefill_evidence = [[label, url] for label, url in answer.evidence]
            if not row.disagrees:
                row.self_score = answer.score
            filled.append(row.item.key)
        row.prefilled_at = now
        row.save(update_fields=["prefill_score", "prefill_met", "prefill_note", "prefill_evidence", "prefilled_at",
                                "self_score"])
    vetoes = _record_vetoes(assessment, list(assessment.vetoes.select_related("veto")))
    rows = _items(assessment)
    assessment.self_total = _total(rows, "self_score") if any(r.self_score is not None for r in rows) else None
    assessment.save(update_fields=["self_total", "updated_at"])
    record(actor=acting_user, action="standards.prefill", organization=organization, subject=assessment,
           changes={"items": [None, filled], "vetoes": [None, vetoes]})
    return assessment


# --- self-assessment -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreInput:
    item_id: int  # AssessmentItem pk
    score: Decimal | None
    note: str = ""
    reason: str = ""  # why the branch disagrees with the records (self) / why the review differs (review)


def _rows_by_pk(assessment: Assessment, entries: Sequence[ScoreInput]) -> dict[int, AssessmentItem]:
    rows = {row.pk: row for row in _items(assessment)}
    unknown = [e.item_id for e in entries if e.item_id not in rows]
    if unknown:
        raise RuleViolation("standards.unknown_item", "评分项不属于本次考核。", field="items")
    return rows


@transaction.atomic
def self_scores_save(*, acting_user: AbstractBaseUser, assessment: Assessment, entries: Sequence[ScoreInput]
                     ) -> list[AssessmentItem]:
    """The branch's self scores (自评分). Differing from what the records say needs a reason."""
    _check_branch_may_edit(assessment)
    rows = _rows_by_pk(assessment, entries)
    changes: dict[str, list[Any]] = {}
    for entry in entries:
        row = rows[entry.item_id]
        rules.check_score(entry.score, points=row.item.points, field=f"score_{row.pk}")
        disagrees = row.prefill_score is not None and entry.score is not None and entry.score != row.prefill_score
        reason = entry.reason.strip()
        if disagrees and not reason:
            raise RuleViolation("standards.disagree_reason",
                                f"“{row.item.standard[:20]}…”的自评分与记录预填的{fmt(row.prefill_score)}分不同，请说明理由。",
                                field=f"reason_{row.pk}")
        before = row.self_score
        row.self_score, row.self_note = entry.score, entry.note.strip()[:500]
        row.disagrees, row.disagree_reason = disagrees, (reason if disagrees else "")[:500]
        row.save(update_fields=["self_score", "self_note", "disagrees", "disagree_reason"])
        if before != row.self_score:
            changes[row.item.key] = [before, row.self_score]
    assessment.self_total = _total(list(rows.values()), "self_score")
    assessment.save(update_fields=["self_total", "updated_at"])
    record(actor=acting_user, action="standards.self_score", organization=assessment.organization,
           subject=assessment, changes={**changes, "self_total": [None, assessment.self_total]})
    return list(rows.values())


@transaction.atomic
def veto_declare(*, acting_user: AbstractBaseUser, assessment: Assessment, veto_row: AssessmentVeto, found: bool,
                 note: str = "") -> AssessmentVeto:
    """The branch's declaration on a veto case the records cannot decide (e.g. "未落实党建工作专项经费的"):
    `found` False declares the case does not apply — with evidence attached before submitting."""
    _check_branch_may_edit(assessment)
    if veto_row.assessment_id != assessment.pk or veto_row.veto.record_check:
        raise RuleViolation("standards.veto_not_declared", "该情形由系统根据记录核查，无需申报。")
    before = veto_row.found
    veto_row.found, veto_row.note = found, note.strip()[:500]
    veto_row.save(update_fields=["found", "note"])
    record(actor=acting_user, action="standards.veto_declare", organization=assessment.organization,
           subject=assessment, changes={veto_row.veto.key: [before, found], "note": [None, veto_row.note]})
    return veto_row


@transaction.atomic
def evidence_add(*, acting_user: AbstractBaseUser, assessment: Assessment, title: str, item: TemplateItem | None = None,
                 veto: TemplateVeto | None = None, url: str = "", upload: UploadedFile | None = None) -> Evidence:
    """A file (checked by content like filing materials) or a link as evidence for an item or a veto case."""
    _check_branch_may_edit(assessment)
    title, url = title.strip(), url.strip()
    if not title:
        raise RuleViolation("standards.evidence_title", "请填写材料名称。", field="title")
    if not url and upload is None:
        raise RuleViolation("standards.evidence_empty", "请上传文件或填写链接。", field="file")
    if url and not (url.startswith("/") or url.startswith("https://") or url.startswith("http://")):
        raise RuleViolation("standards.evidence_url", "链接须以 http://、https:// 或 / 开头。", field="url")
    for target in (item, veto):
        if target is not None and target.template_id != assessment.round.template_id:
            raise RuleViolation("standards.unknown_item", "评分项不属于本次考核。", field="item")
    evidence = Evidence(assessment=assessment, item=item, veto=veto, title=title[:200], url=url[:500],
                        uploaded_by=acting_user, uploaded_at=timezone.now())
    with removed_on_failure(Evidence._meta.get_field("file").storage) as saved:
        if upload is not None:
            checked = check_uploads([MaterialUpload(title=title, file=upload)])[0]
            evidence.file_type, evidence.size = checked.type.code, checked.size
            checked.file.seek(0)
            evidence.file.save(f"evidence{checked.type.extensions[0]}", checked.file, save=False)
            saved.append(evidence.file.name)
        evidence.save()
        record(actor=acting_user, action="standards.evidence_add", organization=assessment.organization,
               subject=assessment, changes={"evidence": [None, evidence.title],
                                            "item": [None, item.key if item else (veto.key if veto else None)]})
    return evidence


@transaction.atomic
def evidence_remove(*, acting_user: AbstractBaseUser, evidence: Evidence) -> None:
    assessment = evidence.assessment
    _check_branch_may_edit(assessment)
    title = evidence.title
    name = evidence.file.name if evidence.file else ""
    evidence.delete()
    record(actor=acting_user, action="standards.evidence_remove", organization=assessment.organization,
           subject=assessment, changes={"evidence": [title, None]})
    if name:
        storage = Evidence._meta.get_field("file").storage
        transaction.on_commit(lambda: storage.delete(name))


def _total(rows: list[AssessmentItem], column: str) -> Decimal:
    sections: dict[int, tuple[list[Decimal | None], Decimal]] = {}
    for row in rows:
        sections.setdefault(row.item.section_id, ([], row.item.section.max_points))[0].append(getattr(row, column))
    return rules.total_score(sections)


def committee_of(organization: Organization) -> Organization:
    """Who examines a branch's checklist: its 基层党(工)委 (the nearest committee above), else the county."""
    ancestors = filing_services.ancestors_of(organization)
    target = next((a for a in ancestors if a.kind == OrganizationKind.COMMITTEE), None)
    target = target or next((a for a in ancestors if a.kind == OrganizationKind.COUNTY_DEPT), None)
    if target is None:
        raise RuleViolation("standards.no_superior", "该党支部没有上级党委，无法报送。")
    return target


@transaction.atomic
def assessment_submit(*, acting_user: AbstractBaseUser, assessment: Assessment, note: str = "") -> Assessment:
    """The branch submits its self-assessment to its committee (审议), or again after a return."""
    _check_branch_may_edit(assessment)
    rows = _items(assessment)
    rules.check_complete(scores=[r.self_score for r in rows], which="自评分")
    vetoes = list(assessment.vetoes.select_related("veto"))
    with_evidence = set(assessment.evidence.filter(veto__isnull=False).values_list("veto_id", flat=True))
    for row in vetoes:
        if row.veto.record_check:
            continue
        if row.found is None:
            raise RuleViolation("standards.veto_undeclared", f"请申报：{row.veto.text}。", field="vetoes")
        if row.found is False and row.veto_id not in with_evidence:
            raise RuleViolation("standards.veto_evidence", f"申报不存在“{row.veto.text}”情形的，须上传或链接佐证材料。",
                                field="vetoes")
    _record_vetoes(assessment, vetoes)
    assessment.self_total = _total(rows, "self_score")
    before = assessment.status
    title = f"{assessment.organization.name}{assessment.year}年度党支部规范化建设自评"
    if assessment.committee_filing is None:
        assessment.committee_filing = filing_services.filing_submit(
            acting_user=acting_user, from_organization=assessment.organization, kind=FilingKind.REVIEW,
            subject_type=SUBJECT_TYPE, subject_id=assessment.pk, subject_label=str(assessment), title=title,
            note=note, to_organization=committee_of(assessment.organization))
    else:
        filing_services.filing_resubmit(acting_user=acting_user, filing=assessment.committee_filing, note=note)
    assessment.status = AssessmentStatus.COMMITTEE_REVIEW
    assessment.submitted_at = timezone.now()
    assessment.save(update_fields=["status", "self_total", "committee_filing", "submitted_at", "updated_at"])
    record(actor=acting_user, action="standards.submit", organization=assessment.organization, subject=assessment,
           changes={"status": [before, assessment.status], "self_total": [None, assessment.self_total]})
    return assessment


# --- review by the committee and the county ----------------------------------------------------------------


def stage_filing(assessment: Assessment) -> Filing | None:
    """The filing of the stage the assessment is in (the one whose handlers give the 考核分)."""
    if assessment.status == AssessmentStatus.COMMITTEE_REVIEW:
        if assessment.committee_filing and assessment.committee_filing.status == FilingStatus.PENDING:
            return assessment.committee_filing
        return assessment.committee_filing  # returned by the county: the committee revises
    if assessment.status == AssessmentStatus.COUNTY_REVIEW:
        return assessment.county_filing
    return None


def _check_review_stage(assessment: Assessment) -> None:
    if assessment.status not in (AssessmentStatus.COMMITTEE_REVIEW, AssessmentStatus.COUNTY_REVIEW):
        raise RuleViolation("standards.not_in_review", f"考核当前为“{assessment.get_status_display()}”，不能考核评分。")


@transaction.atomic
def review_scores_save(*, acting_user: AbstractBaseUser, assessment: Assessment, entries: Sequence[ScoreInput]
                       ) -> list[AssessmentItem]:
    """The examiners' scores (考核分); a score other than the branch's own needs a reason."""
    _check_review_stage(assessment)
    rows = _rows_by_pk(assessment, entries)
    changes: dict[str, list[Any]] = {}
    for entry in entries:
        row = rows[entry.item_id]
        rules.check_score(entry.score, points=row.item.points, field=f"score_{row.pk}")
        note = (entry.note or entry.reason).strip()
        if entry.score is not None and entry.score != row.self_score and not note:
            raise RuleViolation("standards.review_reason",
                                f"“{row.item.standard[:20]}…”的考核分与自评分不同，请填写考核说明。",
                                field=f"note_{row.pk}")
        before = row.review_score
        row.review_score, row.review_note = entry.score, note[:500]
        row.save(update_fields=["review_score", "review_note"])
        if before != row.review_score:
            changes[row.item.key] = [before, row.review_score]
    assessment.review_total = _total(list(rows.values()), "review_score")
    assessment.save(update_fields=["review_total", "updated_at"])
    record(actor=acting_user, action="standards.review_score", organization=assessment.organization,
           subject=assessment, changes={**changes, "review_total": [None, assessment.review_total]})
    return list(rows.values())


@transaction.atomic
def review_veto_set(*, acting_user: AbstractBaseUser, assessment: Assessment, veto_row: AssessmentVeto,
                    found: bool | None, note: str) -> AssessmentVeto:
    """The examiners' finding on a veto case where it differs from the records or the declaration."""
    _check_review_stage(assessment)
    if veto_row.assessment_id != assessment.pk:
        raise RuleViolation("standards.unknown_item", "一票否决情形不属于本次考核。")
    if found is not None and not note.strip():
        raise RuleViolation("standards.veto_reason", "请填写认定理由。", field="note")
    before = veto_row.review_found
    veto_row.review_found, veto_row.review_note = found, note.strip()[:500]
    veto_row.save(update_fields=["review_found", "review_note"])
    record(actor=acting_user, action="standards.review_veto", organization=assessment.organization,
           subject=assessment, changes={veto_row.veto.key: [before, found], "note": [None, veto_row.review_note]})
    return veto_row


@transaction.atomic
def committee_report(*, acting_user: AbstractBaseUser, assessment: Assessment, opinion: str) -> Assessment:
    """The committee's examination done: its filing approved (forwarding to the county), or — after the
    county returned it — the county filing sent again."""
    if assessment.status != AssessmentStatus.COMMITTEE_REVIEW:
        raise RuleViolation("standards.not_in_review", "该考核不在基层党委考核阶段。")
    if assessment.committee_filing.status == FilingStatus.PENDING:
        filing_services.filing_decide(acting_user=acting_user, filing=assessment.committee_filing, decision="approve",
                                      opinion=opinion)
    else:
        _forward(acting_user=acting_user, assessment=assessment, opinion=opinion)
    assessment.refresh_from_db()
    return assessment


@transaction.atomic
def committee_return(*, acting_user: AbstractBaseUser, assessment: Assessment, opinion: str) -> Assessment:
    if assessment.status != AssessmentStatus.COMMITTEE_REVIEW or assessment.committee_filing.status != \
            FilingStatus.PENDING:
        raise RuleViolation("standards.not_in_review", "该考核不在基层党委考核阶段，不能退回支部。")
    filing_services.filing_decide(acting_user=acting_user, filing=assessment.committee_filing, decision="return",
                                  opinion=opinion)
    assessment.refresh_from_db()
    return assessment


@transaction.atomic
def county_rate(*, acting_user: AbstractBaseUser, assessment: Assessment, opinion: str = "") -> Assessment:
    """验收、评定: the county approves its filing; the handler rates and publicizes."""
    filing = _county_stage_filing(assessment)
    filing_services.filing_decide(acting_user=acting_user, filing=filing, decision="approve", opinion=opinion)
    assessment.refresh_from_db()
    return assessment


@transaction.atomic
def county_return(*, acting_user: AbstractBaseUser, assessment: Assessment, opinion: str) -> Assessment:
    filing = _county_stage_filing(assessment)
    filing_services.filing_decide(acting_user=acting_user, filing=filing, decision="return", opinion=opinion)
    assessment.refresh_from_db()
    return assessment


def _county_stage_filing(assessment: Assessment) -> Filing:
    if assessment.status != AssessmentStatus.COUNTY_REVIEW or assessment.county_filing is None \
            or assessment.county_filing.status != FilingStatus.PENDING:
        raise RuleViolation("standards.not_in_county_review", "该考核不在县委组织部验收阶段。")
    return assessment.county_filing


def _county_of(assessment: Assessment) -> Organization:
    return assessment.county


def _forward(*, acting_user: AbstractBaseUser | None, assessment: Assessment, opinion: str) -> None:
    """Committee examined: check the 考核分 are complete and send to the county (or rate, if the committee
    stage was the county itself)."""
    rows = _items(assessment)
    rules.check_complete(scores=[r.review_score for r in rows], which="考核分")
    assessment.review_total = _total(rows, "review_score")
    assessment.committee_opinion = opinion.strip()
    committee = assessment.committee_filing.to_organization
    if committee.kind == OrganizationKind.COUNTY_DEPT:
        assessment.save(update_fields=["review_total", "committee_opinion", "updated_at"])
        _rate(acting_user=acting_user, assessment=assessment, opinion=opinion)
        return
    title = f"{assessment.organization.name}{assessment.year}年度党支部规范化建设考核结果"
    if assessment.county_filing is None:
        assessment.county_filing = filing_services.filing_submit(
            acting_user=acting_user, from_organization=committee, kind=FilingKind.APPROVE, subject_type=SUBJECT_TYPE,
            subject_id=assessment.pk, subject_label=str(assessment), title=title,
            note=f"考核得分{fmt(assessment.review_total)}分。{opinion.strip()}", to_organization=_county_of(assessment))
    else:
        filing_services.filing_resubmit(acting_user=acting_user, filing=assessment.county_filing,
                                        note=f"考核得分{fmt(assessment.review_total)}分。{opinion.strip()}")
    before = assessment.status
    assessment.status = AssessmentStatus.COUNTY_REVIEW
    assessment.save(update_fields=["status", "review_total", "committee_opinion", "county_filing", "updated_at"])
    record(actor=acting_user, action="standards.committee_report", organization=committee, subject=assessment,
           changes={"status": [before, assessment.status], "review_total": [None, assessment.review_total]})


def _notify_branch(assessment: Assessment, *, key: str, title: str, body: str = "") -> None:
    users = secretaries_of([assessment.organization_id]).get(assessment.organization_id, [])
    notify_many(users=users, key=key, kind="standards", title=title, body=body,
                url=reverse("standards:assessment", args=[assessment.pk]), organization=assessment.organization)


def _rate(*, acting_user: AbstractBaseUser | None, assessment: Assessment, opinion: str, today: date | None = None
          ) -> None:
    """The county's rating: the result from the 考核分 and the veto cases, publicized; failing → rectification."""
    today = today or china_today()
    rows = _items(assessment)
    rules.check_complete(scores=[r.review_score for r in rows], which="考核分")
    total = _total(rows, "review_score")
    vetoes = [v for v in assessment.vetoes.select_related("veto") if v.applies]
    template = assessment.round.template
    passed = rules.is_pass(total=total, pass_mark=template.pass_mark, vetoed=bool(vetoes))
    before = assessment.status
    assessment.review_total, assessment.vetoed, assessment.passed = total, bool(vetoes), passed
    assessment.status = AssessmentStatus.RATED
    assessment.county_opinion = opinion.strip()
    assessment.rated_at = timezone.now()
    assessment.rated_by = acting_user if acting_user is not None and acting_user.is_authenticated else None
    verdict = "合格" if passed else "不合格"
    reason = f"一票否决：{'；'.join(v.veto.text for v in vetoes)}" if vetoes else f"{fmt(total)}分"
    assessment.publicity = publicity_open(
        acting_user=acting_user, organization=assessment.county,
        title=f"{assessment.year}年度党支部规范化建设考核结果公示（{assessment.organization.name}）",
        kind=PUBLICITY_KIND, kind_label="支部规范化建设考核",
        entries=[(SUBJECT_TYPE, str(assessment.pk), {"name": assessment.organization.name, "results": verdict,
                                                     "total": f"{fmt(total)}", "basis": reason[:200]})],
        scope=["branch_members", "unit_masses"], starts_on=today, result_fields={"total": "考核得分", "basis": "说明"},
        results_label="考核结果", today=today,
    )
    assessment.save(update_fields=["review_total", "vetoed", "passed", "status", "county_opinion", "rated_at",
                                   "rated_by", "publicity", "updated_at"])
    record(actor=acting_user, action="standards.rate", organization=assessment.organization, subject=assessment,
           changes={"status": [before, assessment.status], "review_total": [None, total],
                    "vetoed": [None, bool(vetoes)], "passed": [None, passed]})
    _notify_branch(assessment, key=f"standards:{assessment.pk}:rated", title=f"{assessment.year}年度规范化建设考核：{verdict}",
                   body=f"考核得分{fmt(total)}分。{reason if vetoes else ''}")
    if not passed:
        _rectification_open(acting_user=acting_user, assessment=assessment, today=today,
                            requirement=_rectification_text(assessment, rows, vetoes))


def _rectification_text(assessment: Assessment, rows: list[AssessmentItem], vetoes: list[AssessmentVeto]) -> str:
    lines = [f"一票否决：{v.veto.text}" for v in vetoes]
    lines += [f"{r.item.requirement}：{r.item.standard}（{fmt(r.review_score)}/{fmt(r.item.points)}分）"
              for r in rows if r.review_score is not None and r.review_score < r.item.points]
    return "\n".join(lines[:30]) or "对照考核细则全面整改。"


def _rectification_open(*, acting_user: AbstractBaseUser | None, assessment: Assessment, today: date,
                        requirement: str) -> Rectification:
    months = policy_value(assessment.organization, policies.RECTIFICATION_MONTHS)
    task, created = Rectification.objects.get_or_create(
        assessment=assessment,
        defaults={"organization": assessment.organization, "county": assessment.county, "requirement": requirement,
                  "due_on": add_months(today, int(months))})
    if created:
        record(actor=acting_user, action="standards.rectification_open", organization=assessment.organization,
               subject=assessment, changes={"due_on": [None, task.due_on]})
        _notify_branch(assessment, key=f"standards:{assessment.pk}:rectification",
                       title=f"规范化建设考核不合格，请于{task.due_on:%Y年%m月%d日}前完成整改")
    return task


@transaction.atomic
def rectification_report(*, acting_user: AbstractBaseUser, task: Rectification, report: str,
                         today: date | None = None) -> Rectification:
    """The branch reports the rectification done."""
    if task.status != RectificationStatus.OPEN:
        raise RuleViolation("standards.rectification_done", "该整改任务已完成。")
    if not report.strip():
        raise RuleViolation("standards.rectification_report", "请填写整改情况。", field="report")
    task.status, task.report, task.done_on = RectificationStatus.DONE, report.strip(), today or china_today()
    task.save(update_fields=["status", "report", "done_on", "updated_at"])
    record(actor=acting_user, action="standards.rectification_report", organization=task.organization,
           subject=task.assessment, changes={"status": [RectificationStatus.OPEN, task.status]})
    return task


# --- handlers (registered in apps.py) ----------------------------------------------------------------------


def filing_decided(*, acting_user: AbstractBaseUser, subject_id: str, filing: Filing) -> None:
    """Runs inside `filing_decide` for both filings of an assessment."""
    assessment = Assessment.objects.select_for_update(of=("self",)).select_related(
        "organization", "county", "round__template", "committee_filing__to_organization", "county_filing",
    ).get(pk=subject_id)
    approved = filing.status == FilingStatus.APPROVED
    if filing.pk == assessment.committee_filing_id:
        if approved:
            assessment.committee_filing = filing
            _forward(acting_user=acting_user, assessment=assessment, opinion=filing.opinion)
        else:
            before = assessment.status
            assessment.status, assessment.committee_opinion = AssessmentStatus.RETURNED, filing.opinion
            assessment.save(update_fields=["status", "committee_opinion", "updated_at"])
            record(actor=acting_user, action="standards.return", organization=assessment.organization,
                   subject=assessment, changes={"status": [before, assessment.status], "opinion": [None, filing.opinion]})
    elif filing.pk == assessment.county_filing_id:
        if approved:
            _rate(acting_user=acting_user, assessment=assessment, opinion=filing.opinion)
        else:
            before = assessment.status
            assessment.status, assessment.county_opinion = AssessmentStatus.COMMITTEE_REVIEW, filing.opinion
            assessment.save(update_fields=["status", "county_opinion", "updated_at"])
            record(actor=acting_user, action="standards.county_return", organization=assessment.organization,
                   subject=assessment, changes={"status": [before, assessment.status], "opinion": [None, filing.opinion]})


def objection_upheld(*, acting_user: AbstractBaseUser, subject_id: str, window: Any, objection: Any) -> None:
    """A substantive objection during the publicity: the result is not confirmed (备注2 "经公示无异议的")."""
    assessment = Assessment.objects.select_for_update().get(pk=subject_id)
    if assessment.status != AssessmentStatus.RATED:
        return
    assessment.status = AssessmentStatus.OBJECTED
    assessment.save(update_fields=["status", "updated_at"])
    record(actor=acting_user, action="standards.objected", organization=assessment.organization, subject=assessment,
           changes={"status": [AssessmentStatus.RATED, AssessmentStatus.OBJECTED]})


# --- the daily step ----------------------------------------------------------------------------------------


def standards_tick(*, today: date) -> dict[str, int]:
    """Confirms results whose publicity closed without a substantive objection; marks overdue rectifications."""
    confirmed = 0
    for pk in Assessment.objects.filter(status=AssessmentStatus.RATED, publicity__status=WindowStatus.CLOSED
                                        ).values_list("pk", flat=True):
        with transaction.atomic():
            claimed = Assessment.objects.filter(pk=pk, status=AssessmentStatus.RATED).update(
                status=AssessmentStatus.CONFIRMED, confirmed_on=today)
            if claimed:
                assessment = Assessment.objects.select_related("organization").get(pk=pk)
                record(actor=None, action="standards.confirm", organization=assessment.organization,
                       subject=assessment, changes={"status": [AssessmentStatus.RATED, AssessmentStatus.CONFIRMED],
                                                    "passed": [None, assessment.passed]})
                confirmed += 1
    overdue = 0
    for pk in Rectification.objects.filter(status=RectificationStatus.OPEN, due_on__lt=today,
                                           overdue_since__isnull=True).values_list("pk", flat=True):
        with transaction.atomic():
            if Rectification.objects.filter(Q(pk=pk, overdue_since__isnull=True)).update(overdue_since=today):
                task = Rectification.objects.select_related("assessment__organization").get(pk=pk)
                record(actor=None, action="standards.rectification_overdue", organization=task.organization,
                       subject=task.assessment, changes={"overdue_since": [None, today]})
                _notify_branch(task.assessment, key=f"standards:{task.assessment_id}:rectification_overdue",
                               title=f"规范化建设整改已超期（期限 {task.due_on:%Y年%m月%d日}）")
                overdue += 1
    return {"confirmed": confirmed, "overdue": overdue}


# --- committee seats: discipline (the second veto case) ------------------------------------------------------


@transaction.atomic
def seat_discipline_set(*, acting_user: AbstractBaseUser, seat: CommitteeMember, discipline: str) -> CommitteeMember:
    """Records the party discipline a sitting committee member is under (seed 004 备注3)."""
    if discipline not in rules.DISCIPLINE_LABELS:
        raise RuleViolation("standards.bad_discipline", "党纪处分类别无效。", field="discipline")
    if seat.ended_on is not None:
        raise RuleViolation("standards.seat_ended", "该委员已离任。", field="discipline")
    before = seat.discipline
    seat.discipline = discipline
    seat.save(update_fields=["discipline", "updated_at"])
    record(actor=acting_user, action="standards.seat_discipline", organization=seat.organization, subject=seat,
           changes={"discipline": [rules.DISCIPLINE_LABELS[before], rules.DISCIPLINE_LABELS[discipline]]})
    return seat


# --- awards ------------------------------------------------------------------------------------------------


def award_eligibility_check(*, organization: Organization, year: int) -> None:
    """备注2: "建成规范化建设合格支部将成为党支部、党支部书记参加区级以上评先评优的必要条件"."""
    from .selectors import is_qualified

    if not is_qualified(organization=organization, year=year):
        raise RuleViolation("standards.not_qualified",
                            f"{organization.name}未被确认为{year}年度党支部规范化建设合格支部，不能参加区级以上评先评优。")
