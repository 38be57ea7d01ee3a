"""Every write of the admission pipeline: one service per step or transition (DESIGN §4).

Each service locks the file, checks that the action belongs to the file's current step (nothing
jumps a step), checks the rule in `rules`, completes the step with its date, handler and signer
(全程记实: "谁主办、谁记录，谁负责、谁签字", seed 000 二(三)2), starts the next step with its deadline,
and records one audit event in the same transaction. Where a stage requires, it opens the publicity
window (全程公示) or the filing to the superior (备案 / 审议 / 预审 / 审批); the filing's decision comes
back through `filing_decided`, a substantive objection through `publicity_terminated`.

Callers pass files they fetched through `selectors` and checked the action for.
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from audit.accountability.models import PartyRole
from audit.accountability.services import case_open, party_add
from audit.filings.models import Filing, FilingKind, FilingStatus
from audit.filings.services import filing_submit, handling_organization
from audit.filings.uploads import MaterialUpload, check_upload
from audit.notifications.services import notify_many
from audit.publicity.models import PublicityWindow
from audit.publicity.services import publicity_open
from audit.services import record
from branches.models import Organization, OrganizationKind
from membership.models import Member, MemberStatus, Person
from membership.services import member_create, member_update, person_create
from partyadmin.errors import RuleViolation
from partyadmin.files import removed_on_failure
from partyadmin.workdays import china_today

from . import policies, rules
from .models import (
    ContactPerson,
    DeadlineStatus,
    Evaluation,
    FileStatus,
    Introducer,
    Recommendation,
    RecommendationKind,
    RecruitmentFile,
    Stage,
    Step,
    StepMaterial,
    StepStatus,
    TrainingKind,
    TrainingRecord,
)

FILE_SUBJECT = "recruitment.recruitmentfile"
STEP_SUBJECT = "recruitment.step"
TEXT_MAX = 2000

# Steps that end with a filing to the superior, and its kind (DESIGN §4 table; §3.1 routing).
FILING_STEPS: dict[int, str] = {
    4: FilingKind.RECORD,  # 上级党委备案
    8: FilingKind.RECORD,  # 报上级党委备案
    13: FilingKind.PRE_REVIEW,  # 上级党委预审
    17: FilingKind.APPROVE,  # 上级党委审批
    24: FilingKind.APPROVE,  # 上级党委审批（转正）
}
FILING_TITLES = {
    3: "入党积极分子审议", 4: "入党积极分子备案", 7: "发展对象人选审议", 8: "发展对象备案", 13: "接收预备党员预审",
    17: "接收预备党员审批", 18: "发展党员备案", 24: "预备党员转正审批",
}
PUBLICITY_KINDS = {
    Stage.APPLICANT: "recruitment.applicant",
    Stage.ACTIVIST: "recruitment.activist",
    Stage.CANDIDATE: "recruitment.candidate",
    Stage.PROBATIONARY: "recruitment.probationary",
    Stage.FULL: "recruitment.conversion",
}
PUBLICITY_SCOPE = ["branch_members", "unit_masses"]


# --- small helpers ---------------------------------------------------------------------------------

def _today(today: date | None) -> date:
    return today or china_today()


def _user(user: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return user if user is not None and user.is_authenticated else None


def actor_name(user: AbstractBaseUser | None) -> str:
    if user is None or not user.is_authenticated:
        return "系统"
    return (user.get_full_name() or user.get_username())[:100]


def _text(value: str, *, field: str, label: str, required: bool = True, limit: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if required and not value:
        raise RuleViolation("recruitment.text_required", f"请填写{label}。", field=field)
    if len(value) > limit:
        raise RuleViolation("recruitment.text_too_long", f"{label}不能超过{limit}字。", field=field)
    return value


def _locked(file: RecruitmentFile) -> RecruitmentFile:
    locked = RecruitmentFile.objects.select_for_update().select_related("person", "organization").get(pk=file.pk)
    file.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return locked


def _active(file: RecruitmentFile) -> None:
    if file.status != FileStatus.ACTIVE:
        raise RuleViolation("recruitment.file_closed", f"该档案{file.get_status_display()}，不能再办理。")


def _at(file: RecruitmentFile, number: int) -> Step:
    """The step, checked to be the file's current one."""
    _active(file)
    rules.check_current_step(current=file.current_step, wanted=number)
    return Step.objects.select_for_update().get(file=file, number=number)


def step_of(file: RecruitmentFile, number: int) -> Step:
    return Step.objects.get(file=file, number=number)


def _event(acting_user: AbstractBaseUser | None, file: RecruitmentFile, action: str, changes: dict[str, Any]) -> None:
    record(actor=acting_user, action=action, organization=file.organization, subject=file,
           subject_label=f"{file.person.name}（{file.organization.name}）", changes=changes)


def branch_members_on(branch: Organization, on: date) -> int:
    """The branch's members (full and probationary) on a date, for "本支部半数以上党员"."""
    return Member.objects.filter(organization=branch, is_active=True, joined_on__lte=on).count()


def full_members_on(branch: Organization, on: date) -> int:
    """Full members entitled to vote on a date (预备党员没有表决权)."""
    return Member.objects.filter(
        Q(full_on__isnull=True) | Q(full_on__lte=on),
        organization=branch, is_active=True, status=MemberStatus.FULL, joined_on__lte=on,
    ).count()


def _due_for(file: RecruitmentFile, number: int, started_on: date) -> date | None:
    branch = file.organization
    if number == 2:
        return rules.talk_due_on(file.applied_on, months=policies.value(branch, policies.TALK_MONTHS))
    if number == 6:
        return training_due_on(file, since=started_on)
    if number == 17 and file.joined_on is not None:
        return rules.approval_due_on(file.joined_on, months=policies.value(branch, policies.APPROVAL_MONTHS))
    if number in (21, 22) and file.probation_ends_on is not None:
        return file.probation_ends_on
    return None


def training_due_on(file: RecruitmentFile, *, since: date | None = None) -> date | None:
    """The next quarterly report or half-year examination due (whichever first)."""
    start = since or file.activist_on
    if start is None:
        return None
    branch = file.organization
    last: dict[str, date] = {}
    for kind, occurred_on in file.training_records.filter(
            kind__in=[TrainingKind.QUARTERLY_REPORT, TrainingKind.HALF_YEAR_EXAM]).values_list("kind", "occurred_on"):
        last[kind] = max(last.get(kind, occurred_on), occurred_on)
    report = rules.report_due_on(since=max(start, last.get(TrainingKind.QUARTERLY_REPORT, start)),
                                 months=policies.value(branch, policies.REPORT_MONTHS))
    exam = rules.examination_due_on(since=max(start, last.get(TrainingKind.HALF_YEAR_EXAM, start)),
                                    months=policies.value(branch, policies.EXAM_MONTHS))
    return min(report, exam)


def _set_due(file: RecruitmentFile, step: Step, due_on: date | None, *, today: date) -> None:
    warn = policies.value(file.organization, policies.WARN_DAYS)
    step.due_on = due_on
    step.deadline_status = rules.deadline_status(due_on=due_on, today=today, warn_days=warn,
                                                 done=step.status == StepStatus.DONE)
    file.next_due_on = due_on if step.status != StepStatus.DONE else None
    file.deadline_status = step.deadline_status


def _start(file: RecruitmentFile, number: int, on: date, *, today: date) -> Step:
    step = Step.objects.select_for_update().get(file=file, number=number)
    step.status = StepStatus.IN_PROGRESS
    step.started_on = on
    _set_due(file, step, _due_for(file, number, on), today=today)
    step.save()
    file.current_step = number
    return step


def _complete(
    *, acting_user: AbstractBaseUser | None, file: RecruitmentFile, step: Step, on: date, today: date,
    signer: str = "", notes: str = "", data: dict[str, Any] | None = None, start_next: bool = True,
) -> Step | None:
    """Marks a step done and starts the next one; the stage follows (rules.stage_after)."""
    step.status = StepStatus.DONE
    step.completed_on = on
    step.started_on = step.started_on or on
    step.handler = step.handler or actor_name(acting_user)
    step.handled_by = step.handled_by or _user(acting_user)
    step.signer = (signer or "").strip()[:100] or step.signer or step.handler
    if notes:
        step.notes = "\n".join(filter(None, [step.notes, notes.strip()]))
    if data:
        step.data = {**step.data, **data}
    step.deadline_status = DeadlineStatus.NONE
    step.save()
    file.stage = rules.stage_after(step.number)
    nxt = None
    if step.number == rules.LAST_STEP:
        file.current_step = rules.LAST_STEP + 1
        file.next_due_on, file.deadline_status = None, DeadlineStatus.NONE
    elif start_next:
        nxt = _start(file, step.number + 1, on, today=today)
    file.save()
    return nxt


def _check_date(on: date, *, today: date, after: date | None, what: str, field: str) -> None:
    rules.check_not_future(on, today=today, field=field)
    if after is not None:
        rules.check_not_before(on, after, what=what, field=field)


def _previous_done_on(file: RecruitmentFile, number: int) -> date | None:
    if number <= 1:
        return None
    return Step.objects.filter(file=file, number=number - 1).values_list("completed_on", flat=True).first()


def _branch_member(file: RecruitmentFile, member: Member, *, field: str) -> Member:
    if member.organization_id != file.organization_id or not member.is_active:
        raise RuleViolation("recruitment.not_branch_member", f"{member.person.name}不是本支部在册党员。", field=field)
    return member


def _url(file: RecruitmentFile) -> str:
    return reverse("recruitment:file_detail", args=[file.pk])


# --- publicity (全程公示) ---------------------------------------------------------------------------

def public_fields(file: RecruitmentFile, *, on: date, results: Any = "") -> dict[str, Any]:
    """Exactly the public fields of seed 000 二(三)1(1): 姓名、性别、年龄、文化程度、职业、职务及评议、票决结果."""
    person = file.person
    fields: dict[str, Any] = {
        "name": person.name,
        "gender": person.get_gender_display(),
        "age": rules.age_on(person.birth_date, on),
        "education": person.get_education_display() if person.education else "",
        "occupation": person.occupation,
        "position": person.position,
    }
    if results:
        fields["results"] = results
    return fields


def _publicize(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, step: Step, stage: str, today: date,
               results: Any = "") -> PublicityWindow:
    kind = PUBLICITY_KINDS[stage]
    label = {Stage.APPLICANT: "入党申请人", Stage.ACTIVIST: "入党积极分子", Stage.CANDIDATE: "发展对象",
             Stage.PROBATIONARY: "拟接收预备党员", Stage.FULL: "预备党员转正"}[stage]
    window = publicity_open(
        acting_user=acting_user, organization=file.organization,
        title=f"{file.organization.name}{label}公示（{file.person.name}）", kind=kind,
        entries=[(FILE_SUBJECT, str(file.pk), public_fields(file, on=today, results=results))],
        scope=PUBLICITY_SCOPE, starts_on=today, today=today,
    )
    step.publicity = window
    step.save(update_fields=["publicity"])
    return window


# --- filings (备案 / 审议 / 预审 / 审批) --------------------------------------------------------------

def review_needed(branch: Organization) -> bool:
    """A general branch or a base committee without approval power stands between the branch and the
    committee that files: it reviews (审议) first (seed 000 二(一)3–4, 二(二)3)."""
    reviewer = handling_organization(from_organization=branch, kind=FilingKind.REVIEW)
    recorder = handling_organization(from_organization=branch, kind=FilingKind.RECORD)
    return reviewer.pk != recorder.pk


def _submit(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, step: Step, kind: str, title: str,
            note: str = "", materials: Sequence[MaterialUpload] = (), from_organization: Organization | None = None,
            today: date) -> Filing:
    filing = filing_submit(
        acting_user=acting_user, from_organization=from_organization or file.organization, kind=kind,
        subject_type=STEP_SUBJECT, subject_id=step.pk, subject_label=f"{file.person.name}：{step.title}",
        title=f"{title}（{file.person.name}）", note=note, materials=materials, today=today,
    )
    step.filing = filing
    step.data = {**step.data, "filings": [*step.data.get("filings", []), filing.pk]}
    if step.number != 17:  # 审批's own limit counts from the general meeting (rules.approval_due_on)
        _set_due(file, step, filing.due_on, today=today)
    step.save()
    file.save()
    return filing


@transaction.atomic
def step_filing_submit(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, number: int, note: str = "",
                       materials: Sequence[MaterialUpload] = (), today: date | None = None) -> Filing:
    """报上级党委 备案 (steps 4, 8), 预审 (13), 审批 (17, 24): one pending filing per step at a time."""
    today = _today(today)
    _locked(file)
    if number not in FILING_STEPS:
        raise RuleViolation("recruitment.no_filing", f"第{number}步不需要报送上级党委。")
    step = _at(file, number)
    if step.filing_id is not None and step.filing.status == FilingStatus.PENDING:
        raise RuleViolation("recruitment.filing_pending", "已报送上级党委，正在等待答复。")
    filing = _submit(acting_user=acting_user, file=file, step=step, kind=FILING_STEPS[number],
                     title=FILING_TITLES[number], note=note.strip(), materials=materials, today=today)
    _event(acting_user, file, "recruitment.filing_submit",
           {"step": [None, number], "filing": [None, filing.pk], "to_organization": [None, filing.to_organization.name]})
    return filing


# The date of the superior's written answer when it is entered later than it was given (补录 of files
# kept on paper before the system was introduced): `with decisions_dated(day): filing_decide(...)`.
_decision_day: ContextVar[date | None] = ContextVar("recruitment_decision_day", default=None)


@contextmanager
def decisions_dated(day: date) -> Iterator[None]:
    token = _decision_day.set(day)
    try:
        yield
    finally:
        _decision_day.reset(token)


def _decided_on(filing: Filing) -> date:
    backdated = _decision_day.get()
    if backdated is not None:
        return backdated
    return timezone.localdate(filing.decided_at) if filing.decided_at else china_today()


def filing_decided(*, acting_user: AbstractBaseUser, subject_id: str, filing: Filing) -> None:
    """The superior answered a step's filing (runs inside `filing_decide`): approved → the step is
    complete and the file moves on; returned → the step stays open with the opinion noted."""
    step = Step.objects.select_related("file").filter(pk=subject_id).first()
    if step is None or step.filing_id != filing.pk:
        return
    file = _locked(step.file)
    step = Step.objects.select_for_update().get(pk=step.pk)
    if file.status != FileStatus.ACTIVE or file.current_step != step.number or step.status == StepStatus.DONE:
        return
    on = _decided_on(filing)
    decider = actor_name(acting_user)
    if filing.status != FilingStatus.APPROVED:
        step.notes = "\n".join(filter(None, [step.notes, f"{on:%Y-%m-%d} {filing.to_organization.name}退回：{filing.opinion}"]))
        step.filing = None
        if step.number in (3, 7):  # the review sent the decision back: the branch decides again
            step.data = {key: value for key, value in step.data.items() if key not in ("decided_on", "decided_by")}
        step.save()
        _event(acting_user, file, "recruitment.filing_returned", {"step": [None, step.number], "opinion": [None, filing.opinion]})
        return
    today = on
    note = f"{filing.to_organization.name}{filing.get_kind_display()}同意（{decider}）" + (
        f"：{filing.opinion}" if filing.opinion else "")
    data = {"decided_by": decider, "decided_on": on.isoformat(), "organization": filing.to_organization.name}
    number = step.number
    if number == 4:
        file.activist_on = on
    elif number == 8:
        file.candidate_on = on
    elif number == 17:
        member = member_create(acting_user=acting_user, organization=file.organization, person=file.person,
                               status=MemberStatus.PROBATIONARY, joined_on=file.joined_on)
        file.member = member
        file.probation_ends_on = rules.probation_ends_on(file.joined_on)
    elif number == 24:
        from membership.changes.services import member_make_full

        meeting_on = date.fromisoformat(step_of(file, 23).data["held_on"])
        member_make_full(acting_user=acting_user, member=file.member, meeting_on=meeting_on, approved_on=on,
                         approval=f"{filing.to_organization.name}审批", today=on)
        file.full_on = file.probation_ends_on
    step.signer = step.signer or decider
    nxt = _complete(acting_user=acting_user, file=file, step=step, on=on, today=today, signer=decider, notes=note,
                    data=data)
    if number == 17 and nxt is not None:
        # 再上一级党委组织部门备案: the approving committee files with the county department.
        _submit(acting_user=acting_user, file=file, step=nxt, kind=FilingKind.RECORD, title=FILING_TITLES[18],
                from_organization=filing.to_organization, today=today)
    _event(acting_user, file, "recruitment.filing_approved",
           {"step": [None, number], "stage": [None, file.get_stage_display()]})


# --- stage 1: application and talk -------------------------------------------------------------------

@transaction.atomic
def file_apply(
    *,
    acting_user: AbstractBaseUser | None,
    organization: Organization,
    applied_on: date,
    person: Person | None = None,
    person_fields: dict[str, Any] | None = None,
    is_student: bool = False,
    graduates_on: date | None = None,
    is_floating: bool = False,
    notes: str = "",
    today: date | None = None,
) -> RecruitmentFile:
    """Step 1 递交入党申请书: opens the person's file (一人一档) in the branch where they work, study or live."""
    today = _today(today)
    if organization.kind != OrganizationKind.BRANCH:
        raise RuleViolation("recruitment.not_a_branch", "入党申请须向党支部提出。", field="organization")
    rules.check_not_future(applied_on, today=today, field="applied_on")
    if person is None:
        person = person_create(acting_user=acting_user, county=organization.county or organization,
                               **(person_fields or {}))
    if Member.objects.filter(person=person).exists():
        raise RuleViolation("recruitment.already_member", "此人已是党员。", field="name")
    if RecruitmentFile.objects.filter(person=person, status=FileStatus.ACTIVE).exists():
        raise RuleViolation("recruitment.file_exists", "此人已有进行中的发展党员档案。", field="name")
    rules.check_applicant_age(birth_date=person.birth_date, applied_on=applied_on)
    if is_student and graduates_on is None:
        raise RuleViolation("recruitment.graduation_missing", "在校学生请填写预计毕业日期。", field="graduates_on")
    relock = (RecruitmentFile.objects.filter(person=person, relock_until__isnull=False)
              .order_by("-relock_until").values_list("relock_until", flat=True).first())
    file = RecruitmentFile.objects.create(
        person=person, organization=organization, county_id=organization.county_id or organization.pk,
        applied_on=applied_on, is_student=is_student, graduates_on=graduates_on if is_student else None,
        is_floating=is_floating, relock_until=relock, current_step=1,
    )
    Step.objects.bulk_create([Step(file=file, number=number) for number, _, _ in rules.STEPS])
    step = Step.objects.get(file=file, number=1)
    step.started_on = applied_on
    _complete(acting_user=acting_user, file=file, step=step, on=applied_on, today=today,
              notes=_text(notes, field="notes", label="申请说明", required=False),
              data={"applied_on": applied_on.isoformat()})
    _publicize(acting_user=acting_user, file=file, step=step, stage=Stage.APPLICANT, today=today)
    _event(acting_user, file, "recruitment.apply",
           {"person": [None, person.name], "organization": [None, organization.name], "applied_on": [None, applied_on]})
    return file


@transaction.atomic
def talk_record(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, talked_on: date, talker: str,
                content: str, today: date | None = None) -> RecruitmentFile:
    """Step 2 党组织派人谈话 (《细则》第八条: within one month of the application)."""
    today = _today(today)
    _locked(file)
    step = _at(file, 2)
    rules.check_not_future(talked_on, today=today, field="talked_on")
    rules.check_talk(applied_on=file.applied_on, talked_on=talked_on,
                     months=policies.value(file.organization, policies.TALK_MONTHS))
    talker = _text(talker, field="talker", label="谈话人", limit=100)
    step.handler = talker
    _complete(acting_user=acting_user, file=file, step=step, on=talked_on, today=today, signer=talker,
              notes=_text(content, field="content", label="谈话情况"), data={"talker": talker})
    _event(acting_user, file, "recruitment.talk", {"talked_on": [None, talked_on], "talker": [None, talker]})
    return file


# --- stage 2: activist (双推) ----------------------------------------------------------------------

@transaction.atomic
def recommendation_add(
    *,
    acting_user: AbstractBaseUser | None,
    file: RecruitmentFile,
    kind: str,
    recommended_on: date,
    recommenders: Iterable[Member] = (),
    agree: int | None = None,
    note: str = "",
    today: date | None = None,
) -> Recommendation:
    """党员推荐 (seed 000 二(一)1(2)): at a general meeting (count of members agreeing), or by members
    singly or jointly at any time (the recommenders, counted together across recommendations)."""
    today = _today(today)
    _locked(file)
    step = _at(file, 3)
    _check_date(recommended_on, today=today, after=_previous_done_on(file, 3), what="谈话日期",
                field="recommended_on")
    if kind not in RecommendationKind.values:
        raise RuleViolation("recruitment.recommendation_kind", "请选择推荐方式。", field="kind")
    people = [_branch_member(file, member, field="recommenders") for member in recommenders]
    members = branch_members_on(file.organization, recommended_on)
    if kind == RecommendationKind.MEETING:
        if agree is None:
            raise RuleViolation("recruitment.agree_missing", "请填写党员大会上同意推荐的人数。", field="agree")
    else:
        if kind == RecommendationKind.INDIVIDUAL and len(people) != 1:
            raise RuleViolation("recruitment.recommenders", "单独推荐须由一名党员提出。", field="recommenders")
        if kind == RecommendationKind.JOINT and len(people) < 2:
            raise RuleViolation("recruitment.recommenders", "联名推荐须由两名以上党员提出。", field="recommenders")
        earlier = set(Member.objects.filter(
            pk__in=Recommendation.recommenders.through.objects.filter(
                recommendation__file=file).exclude(recommendation__kind=RecommendationKind.MEETING)
            .values("member_id")).values_list("pk", flat=True))
        agree = len(earlier | {member.pk for member in people})
    if agree < 0 or agree > members:
        raise RuleViolation("recruitment.bad_count", f"同意人数不能超过当日支部党员人数（{members} 名）。", field="agree")
    recommendation = Recommendation.objects.create(
        file=file, kind=kind, recommended_on=recommended_on, branch_members=members, agree=agree,
        note=_text(note, field="note", label="说明", required=False, limit=500),
        passed=rules.more_than_half(agree, members),
    )
    recommendation.recommenders.set(people)
    step.handled_by = step.handled_by or _user(acting_user)
    step.save(update_fields=["handled_by"])
    _event(acting_user, file, "recruitment.recommend",
           {"kind": [None, recommendation.get_kind_display()], "agree": [None, agree], "branch_members": [None, members],
            "recommenders": [None, [m.person.name for m in people]]})
    return recommendation


@transaction.atomic
def mass_org_recommendation_record(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, organization_name: str,
                                   method: str, recommended_on: date, filed_with: str,
                                   today: date | None = None) -> RecruitmentFile:
    """群团组织推优 (seed 000 二(一)2(3)): "采取民主评议或票决等方式确定推优人选，报上一级群团组织备案后向党支部推荐"."""
    today = _today(today)
    _locked(file)
    step = _at(file, 3)
    _check_date(recommended_on, today=today, after=file.applied_on, what="递交入党申请书日期", field="recommended_on")
    step.data = {**step.data, "mass_org": {
        "organization": _text(organization_name, field="organization_name", label="推优的群团组织", limit=100),
        "method": _text(method, field="method", label="推优方式（民主评议或票决）", limit=100),
        "on": recommended_on.isoformat(),
        "filed_with": _text(filed_with, field="filed_with", label="备案的上一级群团组织", limit=100),
    }}
    step.save(update_fields=["data"])
    _event(acting_user, file, "recruitment.mass_org_recommend",
           {"organization": [None, step.data["mass_org"]["organization"]], "on": [None, recommended_on]})
    return file


@transaction.atomic
def mass_meeting_record(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, held_on: date, votes: int,
                        participants: int, today: date | None = None) -> RecruitmentFile:
    """群众推优会 (seed 003 第2条, a tenant policy): the masses' recommendation of this applicant."""
    today = _today(today)
    _locked(file)
    step = _at(file, 3)
    _check_date(held_on, today=today, after=file.applied_on, what="递交入党申请书日期", field="held_on")
    if participants <= 0 or votes < 0 or votes > participants:
        raise RuleViolation("recruitment.bad_count", "推荐票数不能多于参会人数。", field="votes")
    step.data = {**step.data, "mass_meeting": {"on": held_on.isoformat(), "votes": votes, "participants": participants}}
    step.save(update_fields=["data"])
    _event(acting_user, file, "recruitment.mass_meeting", {"held_on": [None, held_on], "votes": [None, votes]})
    return file


def mass_org_needed(person: Person) -> bool:
    return rules.needs_mass_org_recommendation(is_league_member=person.is_league_member,
                                               is_union_member=person.is_union_member,
                                               is_woman=person.gender == "female")


@transaction.atomic
def activist_designate(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, decided_on: date, minutes: str,
                       signer: str = "", today: date | None = None) -> RecruitmentFile:
    """支部委员会（不设支委会的由支部大会）研究确定入党积极分子 (seed 000 二(一)3), publicized; reviewed by the
    general branch (or a base committee without approval power) when there is one."""
    today = _today(today)
    _locked(file)
    step = _at(file, 3)
    if step.data.get("decided_on"):
        raise RuleViolation("recruitment.review_pending", "已研究确定，正在等待审议。")
    _check_date(decided_on, today=today, after=_previous_done_on(file, 3), what="谈话日期", field="decided_on")
    mass_meeting = step.data.get("mass_meeting")
    rules.check_designation(
        talk_done=True,
        recommended=file.recommendations.filter(passed=True, recommended_on__lte=decided_on).exists(),
        mass_org_needed=mass_org_needed(file.person),
        mass_org_done=bool(step.data.get("mass_org")),
        mass_meeting_required=policies.value(file.organization, policies.MASS_RECOMMENDATION_MEETING),
        mass_meeting_on=date.fromisoformat(mass_meeting["on"]) if mass_meeting else None,
        decided_on=decided_on, locked_until=file.relock_until, minutes=minutes,
    )
    body = "支部大会" if file.organization.decides_by_general_meeting else "支部委员会"
    step.data = {**step.data, "decided_on": decided_on.isoformat(), "decided_by": body}
    step.notes = "\n".join(filter(None, [step.notes, f"{body}会议记录：{minutes.strip()}"]))
    step.signer = (signer or "").strip()[:100]
    step.save()
    _publicize(acting_user=acting_user, file=file, step=step, stage=Stage.ACTIVIST, today=today)
    if review_needed(file.organization):
        _submit(acting_user=acting_user, file=file, step=step, kind=FilingKind.REVIEW, title=FILING_TITLES[3],
                note=minutes.strip(), today=today)
    else:
        _complete(acting_user=acting_user, file=file, step=step, on=decided_on, today=today, signer=signer)
    _event(acting_user, file, "recruitment.activist_designate", {"decided_on": [None, decided_on], "by": [None, body]})
    return file


@transaction.atomic
def contact_persons_assign(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, members: Sequence[Member],
                           assigned_on: date, today: date | None = None) -> RecruitmentFile:
    """Step 5 指定培养联系人: usually two, "一般从推荐人中指定" (seed 000 二(一)1(3))."""
    today = _today(today)
    _locked(file)
    step = _at(file, 5)
    _check_date(assigned_on, today=today, after=_previous_done_on(file, 5), what="上级党委备案日期",
                field="assigned_on")
    people = [_branch_member(file, member, field="members") for member in members]
    if not 1 <= len({m.pk for m in people}) <= 2:
        raise RuleViolation("recruitment.contact_count", "请指定一至两名培养联系人（一般为两名）。", field="members")
    recommenders = set(Recommendation.recommenders.through.objects.filter(recommendation__file=file)
                       .values_list("member_id", flat=True))
    outside = [m.person.name for m in people if recommenders and m.pk not in recommenders]
    ContactPerson.objects.bulk_create([ContactPerson(file=file, member=m, assigned_on=assigned_on) for m in people])
    names = "、".join(m.person.name for m in people)
    notes = f"培养联系人：{names}" + (f"（{'、'.join(outside)}不是推荐人）" if outside else "")
    _complete(acting_user=acting_user, file=file, step=step, on=assigned_on, today=today, notes=notes,
              data={"contact_persons": [m.person.name for m in people]})
    _event(acting_user, file, "recruitment.contact_assign", {"contact_persons": [None, names]})
    return file


TRAINING_STEPS = {6, 7, 8, 9, 10, 11}
CONTINUED_STEPS = {19, 20, 21}


@transaction.atomic
def training_record_add(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, kind: str, occurred_on: date,
                        content: str, result: str = "", recorded_by: str = "",
                        today: date | None = None) -> TrainingRecord:
    """两学三吸纳四必谈, the contact persons' quarterly report, the branch's half-year examination
    (seed 000 二(一)5); during probation, the continued education (step 21)."""
    today = _today(today)
    _locked(file)
    _active(file)
    if kind not in TrainingKind.values:
        raise RuleViolation("recruitment.training_kind", "请选择记录类别。", field="kind")
    allowed = CONTINUED_STEPS if kind == TrainingKind.CONTINUED else TRAINING_STEPS
    if file.current_step not in allowed:
        raise RuleViolation("recruitment.training_stage",
                            "预备期教育考察记录在预备期内填写；培养教育记录在确定为入党积极分子后填写。", field="kind")
    _check_date(occurred_on, today=today, after=file.activist_on if kind != TrainingKind.CONTINUED else file.joined_on,
                what="确定日期", field="occurred_on")
    row = TrainingRecord.objects.create(
        file=file, kind=kind, occurred_on=occurred_on, content=_text(content, field="content", label="内容"),
        result=_text(result, field="result", label="考察结论", required=False, limit=100),
        recorded_by=(recorded_by or actor_name(acting_user)).strip()[:100],
    )
    if file.current_step == 6:
        step = Step.objects.select_for_update().get(file=file, number=6)
        _set_due(file, step, training_due_on(file), today=today)
        step.save()
        file.save()
    _event(acting_user, file, "recruitment.training", {"kind": [None, row.get_kind_display()], "on": [None, occurred_on]})
    return row


def activist_standing(file: RecruitmentFile, on: date) -> Any:
    """The activist's standing in the branch's points scheme (None: 未设积分方案)."""
    from scoring.selectors import activist_standing as standing

    return standing(person_id=file.person_id, organization=file.organization, on=on)


@transaction.atomic
def evaluation_record(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, held_on: date,
                      members_present: int, masses_present: int, tallies: dict[str, dict[str, int]],
                      today: date | None = None) -> Evaluation:
    """双评 (seed 000 二(二)1–3): after at least a year of training, a general meeting with mass representatives;
    the outcome decides: may be proposed / keep training / activist status cancelled for six months."""
    today = _today(today)
    _locked(file)
    _active(file)
    if file.current_step not in (6, 7):
        rules.check_current_step(current=file.current_step, wanted=7)
    if file.current_step == 7 and step_of(file, 7).data.get("decided_on"):
        raise RuleViolation("recruitment.review_pending", "已研究确定发展对象人选，正在等待审议。")
    rules.check_not_future(held_on, today=today, field="held_on")
    rules.check_training_period(activist_on=file.activist_on, held_on=held_on,
                                months=policies.value(file.organization, policies.TRAINING_MONTHS))
    standing = activist_standing(file, held_on)
    if standing is not None and standing.is_low:
        raise RuleViolation("recruitment.score_low",
                            "该入党积极分子积分较低，应取消其入党积极分子资格，不再作为评议对象。")
    members = branch_members_on(file.organization, held_on)
    attendance = rules.check_evaluation_attendance(branch_members=members, members_present=members_present,
                                                   masses_present=masses_present)
    forms = rules.check_tallies(tallies)
    if forms > members_present + masses_present:
        raise RuleViolation("recruitment.tally_mismatch", "收回的评议表不能多于参加评议的人数。", field="tallies")
    outcome = rules.evaluation_outcome(tallies)
    evaluation = Evaluation.objects.create(
        file=file, held_on=held_on, branch_members=members, members_present=members_present,
        masses_present=masses_present, forms=forms,
        tallies={item: {grade: int(tallies[item].get(grade, 0)) for grade in rules.GRADES} for item in rules.EVALUATION_ITEMS},
        outcome=outcome, warning=attendance.warning,
    )
    if file.current_step == 6:
        _complete(acting_user=acting_user, file=file, step=Step.objects.select_for_update().get(file=file, number=6),
                  on=held_on, today=today, notes="经过一年以上教育培养和考察")
    step = Step.objects.select_for_update().get(file=file, number=7)
    step.data = {**step.data, "evaluation": evaluation.pk, "outcome": outcome}
    step.notes = "\n".join(filter(None, [step.notes, f"{held_on:%Y-%m-%d} 民主评议：{rules.OUTCOME_LABELS[outcome]}"]))
    step.save()
    if outcome == rules.Outcome.CANCEL:
        _cancel_activist(acting_user=acting_user, file=file, on=held_on,
                         reason="民主评议综合评价“差”票超过50%，取消入党积极分子资格。")
    _event(acting_user, file, "recruitment.evaluation",
           {"held_on": [None, held_on], "outcome": [None, rules.OUTCOME_LABELS[outcome]], "forms": [None, forms]})
    return evaluation


def _cancel_activist(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, on: date, reason: str) -> None:
    file.status = FileStatus.CANCELLED
    file.ended_on = on
    file.ended_reason = reason
    file.relock_until = rules.relock_until(on)
    file.next_due_on, file.deadline_status = None, DeadlineStatus.NONE
    file.save()
    Step.objects.filter(file=file, status=StepStatus.IN_PROGRESS).update(deadline_status=DeadlineStatus.NONE)
    _event(acting_user, file, "recruitment.activist_cancel",
           {"reason": [None, reason], "relock_until": [None, file.relock_until]})


@transaction.atomic
def activist_cancel(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, on: date, reason: str,
                    today: date | None = None) -> RecruitmentFile:
    """取消入党积极分子资格 ("积分较低的，取消入党积极分子资格", seed 000): may not be made an activist again
    for six months."""
    today = _today(today)
    _locked(file)
    _active(file)
    if file.stage != Stage.ACTIVIST:
        raise RuleViolation("recruitment.not_activist", "只有入党积极分子才能取消入党积极分子资格。")
    rules.check_not_future(on, today=today)
    _cancel_activist(acting_user=acting_user, file=file, on=on, reason=_text(reason, field="reason", label="原因"))
    return file


@transaction.atomic
def candidate_propose(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, decided_on: date, minutes: str,
                      contact_opinion: str, signer: str = "", today: date | None = None) -> RecruitmentFile:
    """"在认真听取培养联系人意见的基础上，经支部委员会讨论研究，可列为发展对象人选" (seed 000 二(二)3(1))."""
    today = _today(today)
    _locked(file)
    step = _at(file, 7)
    if step.data.get("decided_on"):
        raise RuleViolation("recruitment.review_pending", "已研究确定，正在等待审议。")
    evaluation = file.evaluations.order_by("-held_on", "-pk").first()
    if evaluation is None or evaluation.outcome != rules.Outcome.PROPOSE:
        raise RuleViolation("recruitment.evaluation_short",
                            "民主评议综合评价“优秀”过半，且单项“差”票不超过20%的，方可列为发展对象人选。")
    _check_date(decided_on, today=today, after=evaluation.held_on, what="民主评议日期", field="decided_on")
    opinion = _text(contact_opinion, field="contact_opinion", label="培养联系人意见")
    minutes = _text(minutes, field="minutes", label="会议记录")
    body = "支部大会" if file.organization.decides_by_general_meeting else "支部委员会"
    step.data = {**step.data, "decided_on": decided_on.isoformat(), "decided_by": body, "contact_opinion": opinion}
    step.notes = "\n".join(filter(None, [step.notes, f"培养联系人意见：{opinion}", f"{body}会议记录：{minutes}"]))
    step.signer = (signer or "").strip()[:100]
    step.save()
    results = {f"综合评价{rules.GRADES[g]}": evaluation.tallies["overall"][g] for g in rules.GRADES}
    _publicize(acting_user=acting_user, file=file, step=step, stage=Stage.CANDIDATE, today=today, results=results)
    if review_needed(file.organization):
        _submit(acting_user=acting_user, file=file, step=step, kind=FilingKind.REVIEW, title=FILING_TITLES[7],
                note=minutes, today=today)
    else:
        _complete(acting_user=acting_user, file=file, step=step, on=decided_on, today=today, signer=signer)
    _event(acting_user, file, "recruitment.candidate_propose", {"decided_on": [None, decided_on]})
    return file


# --- stage 3: candidate -----------------------------------------------------------------------------

@transaction.atomic
def introducers_assign(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, members: Sequence[Member],
                       assigned_on: date, today: date | None = None) -> RecruitmentFile:
    """Step 9 确定入党介绍人: two full members (《细则》第十五条)."""
    today = _today(today)
    _locked(file)
    step = _at(file, 9)
    _check_date(assigned_on, today=today, after=_previous_done_on(file, 9), what="备案日期", field="assigned_on")
    people = list(members)
    for member in people:
        if not member.is_active:
            raise RuleViolation("recruitment.introducer_inactive", f"{member.person.name}不在党员名册中。",
                                field="introducers")
    rules.check_introducers(introducers=[(m.person.name, m.status) for m in people])
    Introducer.objects.bulk_create([Introducer(file=file, member=m, assigned_on=assigned_on) for m in people])
    names = "、".join(m.person.name for m in people)
    _complete(acting_user=acting_user, file=file, step=step, on=assigned_on, today=today, notes=f"入党介绍人：{names}",
              data={"introducers": [m.person.name for m in people]})
    _event(acting_user, file, "recruitment.introducers", {"introducers": [None, names]})
    return file


@transaction.atomic
def political_review_record(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, reviewed_on: date,
                            content: str, method: str, conclusion: str, qualified: bool | None,
                            household_opinion: str = "", residence_opinion: str = "", reviewer: str = "",
                            today: date | None = None) -> RecruitmentFile:
    """Step 10 政治审查 (seed 000 二(二)4): "凡是未经政治审查或政治审查不合格的，不得发展入党"."""
    today = _today(today)
    _locked(file)
    step = _at(file, 10)
    _check_date(reviewed_on, today=today, after=_previous_done_on(file, 10), what="确定入党介绍人日期",
                field="reviewed_on")
    rules.check_political_review(conclusion=conclusion, qualified=qualified, is_floating=file.is_floating,
                                 household_opinion=household_opinion, residence_opinion=residence_opinion)
    data = {"content": _text(content, field="content", label="审查内容"), "method": _text(method, field="method",
            label="审查方法", limit=200), "conclusion": conclusion.strip(), "qualified": bool(qualified),
            "household_opinion": household_opinion.strip(), "residence_opinion": residence_opinion.strip()}
    if reviewer.strip():
        step.handler = reviewer.strip()[:100]
    if not qualified:
        step.data = {**step.data, **data}
        step.completed_on = reviewed_on
        step.status = StepStatus.DONE
        step.handler = step.handler or actor_name(acting_user)
        step.save()
        _terminate(acting_user=acting_user, file=file, on=reviewed_on, reason="政治审查不合格，不得发展入党。")
    else:
        _complete(acting_user=acting_user, file=file, step=step, on=reviewed_on, today=today,
                  signer=reviewer, notes=f"结论：{conclusion.strip()}", data=data)
    _event(acting_user, file, "recruitment.political_review",
           {"reviewed_on": [None, reviewed_on], "qualified": [None, bool(qualified)]})
    return file


@transaction.atomic
def concentrated_training_record(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, starts_on: date,
                                 ends_on: date, hours: int, organizer: str, result: str,
                                 today: date | None = None) -> RecruitmentFile:
    """Step 11 集中培训 (generally ≥ 3 days or 24 class hours)."""
    today = _today(today)
    _locked(file)
    step = _at(file, 11)
    _check_date(ends_on, today=today, after=starts_on, what="培训开始日期", field="ends_on")
    days = (ends_on - starts_on).days + 1
    rules.check_concentrated_training(days=days, hours=hours,
                                      min_days=policies.value(file.organization, policies.TRAINING_MIN_DAYS),
                                      min_hours=policies.value(file.organization, policies.TRAINING_MIN_HOURS))
    organizer = _text(organizer, field="organizer", label="举办单位", limit=100)
    step.started_on = starts_on
    _complete(acting_user=acting_user, file=file, step=step, on=ends_on, today=today,
              notes=f"{organizer}举办，{days}天，{hours}学时；{_text(result, field='result', label='培训结业情况', limit=500)}",
              data={"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(), "days": days, "hours": hours,
                    "organizer": organizer})
    _event(acting_user, file, "recruitment.training_concentrated", {"days": [None, days], "hours": [None, hours]})
    return file


# --- stage 4: admission ------------------------------------------------------------------------------

def pre_review_check(file: RecruitmentFile, year: int) -> None:
    """seed 003 第7条: "未经审核同意，有审批权的基层党委不得擅自启动发展程序" (the county's name-list pre-review)."""
    from recruitment.plans import selectors as plans

    if not plans.pre_review_required(file.organization):
        return
    if not plans.pre_review_passed(person_id=file.person_id, year=year):
        raise RuleViolation("recruitment.pre_review_missing",
                            "本地规定：发展对象名单须经县级党委组织部门预审同意，方可启动接收预备党员程序。")


@transaction.atomic
def committee_review_record(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, reviewed_on: date,
                            opinion: str, signer: str = "", today: date | None = None) -> RecruitmentFile:
    """Step 12 支部委员会审查 (the general meeting where there is no committee)."""
    today = _today(today)
    _locked(file)
    step = _at(file, 12)
    _check_date(reviewed_on, today=today, after=_previous_done_on(file, 12), what="集中培训结束日期",
                field="reviewed_on")
    pre_review_check(file, reviewed_on.year)
    _complete(acting_user=acting_user, file=file, step=step, on=reviewed_on, today=today, signer=signer,
              notes=_text(opinion, field="opinion", label="审查意见"))
    _event(acting_user, file, "recruitment.committee_review", {"reviewed_on": [None, reviewed_on]})
    return file


@transaction.atomic
def form_fill(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, filled_on: date,
              today: date | None = None) -> RecruitmentFile:
    """Step 14 填写入党志愿书: the numbered form issued against the annual plan (seed 000 二(二)5)."""
    today = _today(today)
    _locked(file)
    step = _at(file, 14)
    _check_date(filled_on, today=today, after=_previous_done_on(file, 14), what="预审日期", field="filled_on")
    from recruitment.plans.services import form_number_issue

    number = form_number_issue(acting_user=acting_user, county=file.county, year=filled_on.year, person=file.person,
                               domain=file.organization.domain, today=today, organization=file.organization)
    label = number.number
    _complete(acting_user=acting_user, file=file, step=step, on=filled_on, today=today, notes=f"入党志愿书编号：{label}",
              data={"form_number": label})
    _event(acting_user, file, "recruitment.form_fill", {"form_number": [None, label]})
    return file


def _vote_data(*, held_on: date, entitled: int, present: int, for_votes: int, against: int, abstain: int,
               passed: bool) -> dict[str, Any]:
    return {"held_on": held_on.isoformat(), "entitled": entitled, "present": present, "for": for_votes,
            "against": against, "abstain": abstain, "passed": passed}


def vote_results(data: dict[str, Any]) -> dict[str, int]:
    return {"应到会有表决权党员": data["entitled"], "实到": data["present"], "赞成": data["for"],
            "反对": data["against"], "弃权": data["abstain"]}


@transaction.atomic
def admission_vote_record(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, held_on: date, present: int,
                          for_votes: int, against: int, abstain: int, minutes: str, signer: str = "",
                          today: date | None = None) -> RecruitmentFile:
    """Step 15 支部大会讨论 (secret ballot, one person at a time, seed 003 第9条): adopted when the votes for
    are more than half of the full members entitled to vote; publicized with the vote result."""
    today = _today(today)
    _locked(file)
    step = _at(file, 15)
    _check_date(held_on, today=today, after=_previous_done_on(file, 15), what="填写入党志愿书日期", field="held_on")
    rules.check_graduation_window(
        is_student=file.is_student, graduates_on=file.graduates_on, meeting_on=held_on,
        months=policies.value(file.organization, policies.GRADUATION_WINDOW_MONTHS))
    entitled = full_members_on(file.organization, held_on)
    rules.check_vote(entitled=entitled, present=present, for_votes=for_votes, against=against, abstain=abstain)
    passed = rules.vote_passed(entitled=entitled, for_votes=for_votes)
    data = _vote_data(held_on=held_on, entitled=entitled, present=present, for_votes=for_votes, against=against,
                      abstain=abstain, passed=passed)
    minutes = _text(minutes, field="minutes", label="会议记录")
    if not passed:
        step.data = {**step.data, "votes": [*step.data.get("votes", []), data]}
        step.notes = "\n".join(filter(None, [step.notes, f"{held_on:%Y-%m-%d} 表决未通过：赞成{for_votes}票，"
                                                         f"应到会有表决权党员{entitled}名。"]))
        step.save()
        _event(acting_user, file, "recruitment.admission_vote", {"passed": [None, False], "for": [None, for_votes]})
        return file
    file.joined_on = held_on
    _complete(acting_user=acting_user, file=file, step=step, on=held_on, today=today, signer=signer,
              notes=f"会议记录：{minutes}", data=data)
    _publicize(acting_user=acting_user, file=file, step=step, stage=Stage.PROBATIONARY, today=today,
               results=vote_results(data))
    _event(acting_user, file, "recruitment.admission_vote", {"passed": [None, True], "for": [None, for_votes],
                                                             "entitled": [None, entitled]})
    return file


@transaction.atomic
def organizer_talk_record(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, talked_on: date,
                          organizer: str, content: str, today: date | None = None) -> RecruitmentFile:
    """Step 16 上级党委派人谈话 (seed 003 第8条: 组织员逐个谈话)."""
    today = _today(today)
    _locked(file)
    step = _at(file, 16)
    _check_date(talked_on, today=today, after=file.joined_on, what="支部大会日期", field="talked_on")
    organizer = _text(organizer, field="organizer", label="谈话人", limit=100)
    step.handler = organizer
    _complete(acting_user=acting_user, file=file, step=step, on=talked_on, today=today, signer=organizer,
              notes=_text(content, field="content", label="谈话情况"))
    _event(acting_user, file, "recruitment.organizer_talk", {"talked_on": [None, talked_on], "organizer": [None, organizer]})
    return file


@transaction.atomic
def approval_extend(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, until: date, reason: str,
                    today: date | None = None) -> RecruitmentFile:
    """"特殊情况可以适当延长审批时间，但不得超过六个月" (《细则》第二十九条)."""
    today = _today(today)
    _locked(file)
    step = _at(file, 17)
    rules.check_approval_extension(meeting_on=file.joined_on, until=until,
                                   max_months=policies.value(file.organization, policies.APPROVAL_MAX_MONTHS))
    if step.due_on is not None and until <= step.due_on:
        raise RuleViolation("recruitment.extension_earlier", "延长后的审批期限须晚于原期限。", field="until")
    reason = _text(reason, field="reason", label="延长理由")
    before = step.due_on
    step.notes = "\n".join(filter(None, [step.notes, f"审批期限延长至 {until:%Y-%m-%d}：{reason}"]))
    _set_due(file, step, until, today=today)
    step.save()
    file.save()
    _event(acting_user, file, "recruitment.approval_extend", {"due_on": [before, until], "reason": [None, reason]})
    return file


# --- stage 5: probation and conversion -------------------------------------------------------------------

@transaction.atomic
def placement_record(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, placed_on: date,
                     party_group: Organization | None = None, today: date | None = None) -> RecruitmentFile:
    """Step 19 编入党支部和党小组."""
    today = _today(today)
    _locked(file)
    step = _at(file, 19)
    _check_date(placed_on, today=today, after=file.joined_on, what="支部大会日期", field="placed_on")
    if party_group is not None:
        member_update(acting_user=acting_user, member=file.member, party_group=party_group)
    where = file.organization.name + (f" {party_group.name}" if party_group is not None else "")
    _complete(acting_user=acting_user, file=file, step=step, on=placed_on, today=today, notes=f"编入{where}",
              data={"party_group": party_group.name if party_group is not None else ""})
    _event(acting_user, file, "recruitment.placement", {"placed_in": [None, where]})
    return file


@transaction.atomic
def oath_record(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, sworn_on: date, led_by: str,
                today: date | None = None) -> RecruitmentFile:
    """Step 20 入党宣誓."""
    today = _today(today)
    _locked(file)
    step = _at(file, 20)
    _check_date(sworn_on, today=today, after=file.joined_on, what="支部大会日期", field="sworn_on")
    led_by = _text(led_by, field="led_by", label="领誓人", limit=100)
    _complete(acting_user=acting_user, file=file, step=step, on=sworn_on, today=today, notes=f"领誓人：{led_by}",
              data={"led_by": led_by})
    _event(acting_user, file, "recruitment.oath", {"sworn_on": [None, sworn_on]})
    return file


@transaction.atomic
def conversion_apply(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, applied_on: date, content: str,
                     today: date | None = None) -> RecruitmentFile:
    """Step 22 提出转正申请; it closes step 21 (继续教育考察) on the same day."""
    today = _today(today)
    _locked(file)
    _active(file)
    if file.current_step == 21:
        _check_date(applied_on, today=today, after=_previous_done_on(file, 21), what="入党宣誓日期",
                    field="applied_on")
        _complete(acting_user=acting_user, file=file, step=Step.objects.select_for_update().get(file=file, number=21),
                  on=applied_on, today=today,
                  notes=f"预备期教育考察记录 {file.training_records.filter(kind=TrainingKind.CONTINUED).count()} 次")
    step = _at(file, 22)
    _check_date(applied_on, today=today, after=file.joined_on, what="支部大会日期", field="applied_on")
    _complete(acting_user=acting_user, file=file, step=step, on=applied_on, today=today,
              notes=_text(content, field="content", label="转正申请内容"))
    _event(acting_user, file, "recruitment.conversion_apply", {"applied_on": [None, applied_on]})
    return file


def _extend_probation(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, months: int, reason: str,
                      on: date, today: date) -> None:
    rules.check_probation_extension(extended_months_before=file.probation_extended_months, months=months)
    before = file.probation_ends_on
    file.probation_extended_months += months
    file.probation_ends_on = rules.probation_ends_on(file.joined_on, extended_months=file.probation_extended_months)
    # Back to 继续教育考察 until the new end; the application and the meeting are held again.
    Step.objects.filter(file=file, number__in=[22, 23]).update(status=StepStatus.PENDING, started_on=None,
                                                              completed_on=None, due_on=None,
                                                              deadline_status=DeadlineStatus.NONE)
    step21 = Step.objects.select_for_update().get(file=file, number=21)
    step21.status = StepStatus.IN_PROGRESS
    step21.completed_on = None
    step21.notes = "\n".join(filter(None, [step21.notes, f"{on:%Y-%m-%d} 延长预备期{months}个月"
                                                         f"（至 {file.probation_ends_on:%Y-%m-%d}）：{reason}"]))
    step21.data = {**step21.data, "extensions": [*step21.data.get("extensions", []),
                                                 {"on": on.isoformat(), "months": months, "reason": reason}]}
    _set_due(file, step21, file.probation_ends_on, today=today)
    step21.save()
    file.current_step = 21
    file.save()
    _event(acting_user, file, "recruitment.probation_extend",
           {"probation_ends_on": [before, file.probation_ends_on], "months": [None, months], "reason": [None, reason]})


@transaction.atomic
def probation_extend(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, months: int, reason: str,
                     on: date, today: date | None = None) -> RecruitmentFile:
    """延长预备期 (党章第七条, at most one year; seed 000 四: "确定为'二星''一星'等次的，要适当延长其预备期")."""
    today = _today(today)
    _locked(file)
    _active(file)
    if file.stage != Stage.PROBATIONARY or not 19 <= file.current_step <= 23:
        raise RuleViolation("recruitment.not_probationary", "只有预备党员才能延长预备期。")
    rules.check_not_future(on, today=today)
    _extend_probation(acting_user=acting_user, file=file, months=months,
                      reason=_text(reason, field="reason", label="延长理由", limit=500), on=on, today=today)
    return file


@transaction.atomic
def conversion_vote_record(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, held_on: date, present: int,
                           for_votes: int, against: int, abstain: int, minutes: str, extend_months: int = 0,
                           signer: str = "", today: date | None = None) -> RecruitmentFile:
    """Step 23 支部大会讨论转正: after the probation ends, a vote by the full members; the meeting may
    instead extend the probation (extend_months)."""
    today = _today(today)
    _locked(file)
    step = _at(file, 23)
    rules.check_not_future(held_on, today=today, field="held_on")
    rules.check_conversion_meeting(probation_ends=file.probation_ends_on, held_on=held_on)
    minutes = _text(minutes, field="minutes", label="会议记录")
    entitled = full_members_on(file.organization, held_on)
    rules.check_vote(entitled=entitled, present=present, for_votes=for_votes, against=against, abstain=abstain)
    passed = rules.vote_passed(entitled=entitled, for_votes=for_votes)
    data = _vote_data(held_on=held_on, entitled=entitled, present=present, for_votes=for_votes, against=against,
                      abstain=abstain, passed=passed)
    if extend_months:
        if not passed:
            raise RuleViolation("recruitment.vote_short", "延长预备期须经支部大会表决通过。", field="for_votes")
        _extend_probation(acting_user=acting_user, file=file, months=extend_months,
                          reason=f"{held_on:%Y-%m-%d} 支部大会决定：{minutes}", on=held_on, today=today)
        return file
    if not passed:
        step.data = {**step.data, "votes": [*step.data.get("votes", []), data]}
        step.notes = "\n".join(filter(None, [step.notes, f"{held_on:%Y-%m-%d} 表决未通过：赞成{for_votes}票"]))
        step.save()
        _event(acting_user, file, "recruitment.conversion_vote", {"passed": [None, False]})
        return file
    _complete(acting_user=acting_user, file=file, step=step, on=held_on, today=today, signer=signer,
              notes=f"会议记录：{minutes}", data=data)
    _publicize(acting_user=acting_user, file=file, step=step, stage=Stage.FULL, today=today, results=vote_results(data))
    _event(acting_user, file, "recruitment.conversion_vote", {"passed": [None, True], "for": [None, for_votes]})
    return file


@transaction.atomic
def file_archive(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, archived_on: date, archive_no: str,
                 today: date | None = None) -> RecruitmentFile:
    """Step 25 材料归档: the file is complete."""
    today = _today(today)
    _locked(file)
    step = _at(file, 25)
    _check_date(archived_on, today=today, after=_previous_done_on(file, 25), what="审批日期", field="archived_on")
    archive_no = _text(archive_no, field="archive_no", label="档案编号", limit=50)
    _complete(acting_user=acting_user, file=file, step=step, on=archived_on, today=today,
              notes=f"档案编号：{archive_no}", data={"archive_no": archive_no})
    file.status = FileStatus.ARCHIVED
    file.ended_on = archived_on
    file.save()
    _event(acting_user, file, "recruitment.archive", {"archive_no": [None, archive_no]})
    return file


# --- termination, publicity objections, accountability, transfers ----------------------------------------

def _terminate(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, on: date, reason: str) -> None:
    file.status = FileStatus.TERMINATED
    file.ended_on = on
    file.ended_reason = reason[:500]
    file.next_due_on, file.deadline_status = None, DeadlineStatus.NONE
    file.save()
    Step.objects.filter(file=file, status=StepStatus.IN_PROGRESS).update(deadline_status=DeadlineStatus.NONE)
    _event(acting_user, file, "recruitment.terminate", {"status": [FileStatus.ACTIVE, FileStatus.TERMINATED],
                                                        "reason": [None, file.ended_reason]})


@transaction.atomic
def file_terminate(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, on: date, reason: str,
                   today: date | None = None) -> RecruitmentFile:
    """终止发展程序 (the applicant withdraws, a substantive problem is found)."""
    today = _today(today)
    _locked(file)
    _active(file)
    rules.check_not_future(on, today=today)
    _terminate(acting_user=acting_user, file=file, on=on, reason=_text(reason, field="reason", label="终止原因",
                                                                       limit=500))
    return file


def publicity_terminated(*, acting_user: AbstractBaseUser | None, subject_id: str, window: Any, objection: Any) -> None:
    """"发现有实质性问题的，应立即终止发展程序" (seed 000 二(三)1(4)): called by `objection_conclude`."""
    file = RecruitmentFile.objects.filter(pk=subject_id).first()
    if file is None:
        return
    file = _locked(file)
    if file.status != FileStatus.ACTIVE:
        return
    _terminate(acting_user=acting_user, file=file, on=china_today(),
               reason=f"公示期间群众反映的问题经调查核实为实质性问题（{window.title}）。")


def responsible_parties(file: RecruitmentFile) -> list[tuple[str, str, AbstractBaseUser | None, int | None]]:
    """Who answers for the file (谁介绍谁负责、谁培养谁负责、谁考察谁负责、谁审批谁负责): [(name, role, user, member_id)]."""
    parties: list[tuple[str, str, AbstractBaseUser | None, int | None]] = [
        (file.organization.name, PartyRole.ORGANIZATION, None, None)]
    steps = {step.number: step for step in file.steps.select_related("handled_by", "filing__decided_by")}
    talk = steps.get(2)
    if talk is not None and talk.status == StepStatus.DONE and talk.handler:
        parties.append((talk.handler, PartyRole.TALK_EXAMINER, None, None))
    for contact in file.contact_persons.select_related("member__person"):
        parties.append((contact.member.person.name, PartyRole.CONTACT_PERSON, contact.member.person.user,
                        contact.member_id))
    for introducer in file.introducers.select_related("member__person"):
        parties.append((introducer.member.person.name, PartyRole.INTRODUCER, introducer.member.person.user,
                        introducer.member_id))
    review = steps.get(10)
    if review is not None and review.status == StepStatus.DONE and review.handler:
        parties.append((review.handler, PartyRole.REVIEWER, review.handled_by, None))
    for number in (17, 24):
        step = steps.get(number)
        if step is not None and step.filing is not None and step.filing.decided_by is not None:
            user = step.filing.decided_by
            parties.append((user.get_full_name() or user.get_username(), PartyRole.APPROVER, user, None))
    return parties


@transaction.atomic
def accountability_open(*, acting_user: AbstractBaseUser, file: RecruitmentFile, step_number: int, violation_type: str,
                        description: str, discovered_on: date, parties: Sequence[int] = (),
                        today: date | None = None) -> Any:
    """全程责任追究 (seed 000 二(三)3): a case about a step of the file, naming the chosen responsible
    parties (indexes into `responsible_parties(file)`)."""
    today = _today(today)
    if not 1 <= step_number <= rules.LAST_STEP:
        raise RuleViolation("recruitment.bad_step", "请选择步骤。", field="step_number")
    step = step_of(file, step_number)
    case = case_open(
        acting_user=acting_user, organization=file.organization,
        subject_label=f"发展党员：{file.person.name} 第{step_number}步“{step.title}”", violation_type=violation_type,
        description=description, discovered_on=discovered_on, subject_type=STEP_SUBJECT, subject_id=step.pk,
        today=today,
    )
    candidates = responsible_parties(file)
    for index in sorted(set(parties)):
        if not 0 <= index < len(candidates):
            raise RuleViolation("recruitment.bad_party", "责任人选择有误。", field="parties")
        name, role, user, member_id = candidates[index]
        party_add(acting_user=acting_user, case=case, name=name, role=role, user=user, member_id=member_id)
    _event(acting_user, file, "recruitment.accountability_open", {"case": [None, case.pk], "step": [None, step_number]})
    return case


def transfer_moved(*, acting_user: AbstractBaseUser | None, transfer: Any) -> None:
    """The file moves with the person ("原党组织应将《发展党员全程记实表》等有关资料转交", seed 000 二(三)2)."""
    member = transfer.member
    for file in RecruitmentFile.objects.select_for_update().filter(person_id=member.person_id, status=FileStatus.ACTIVE):
        if file.organization_id == member.organization_id:
            continue
        before = file.organization.name
        file.organization = member.organization
        file.county_id = member.organization.county_id or member.organization_id
        file.save(update_fields=["organization", "county", "updated_at"])
        _event(acting_user, file, "recruitment.transfer", {"organization": [before, member.organization.name]})


@transaction.atomic
def file_transfer(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, to_organization: Organization,
                  reason: str, today: date | None = None) -> RecruitmentFile:
    """A non-member's file moves to the branch where the person now works or lives (seed 000 二(三)2)."""
    _locked(file)
    _active(file)
    if file.member_id is not None:
        raise RuleViolation("recruitment.transfer_member", "预备党员随组织关系转接办理。", field="to_organization")
    if (to_organization.kind != OrganizationKind.BRANCH or to_organization.pk == file.organization_id
            or (to_organization.county_id or to_organization.pk) != file.county_id):
        raise RuleViolation("recruitment.transfer_target", "请选择本县（市、区）的另一个党支部。",
                            field="to_organization")
    before = file.organization.name
    file.organization = to_organization
    file.county_id = to_organization.county_id or to_organization.pk
    file.save(update_fields=["organization", "county", "updated_at"])
    _event(acting_user, file, "recruitment.transfer",
           {"organization": [before, to_organization.name], "reason": [None, _text(reason, field="reason", label="转出原因")]})
    return file


# --- materials -----------------------------------------------------------------------------------------

@transaction.atomic
def material_add(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile, number: int, upload: MaterialUpload,
                 ) -> StepMaterial:
    """A scanned minute, form or report attached to a step (type checked by content)."""
    _locked(file)
    if not 1 <= number <= min(file.current_step, rules.LAST_STEP):
        raise RuleViolation("recruitment.material_step", "只能为已开始的步骤上传材料。", field="number")
    checked = check_upload(upload)
    step = step_of(file, number)
    storage = StepMaterial._meta.get_field("file").storage
    with removed_on_failure(storage) as saved:
        material = StepMaterial(step=step, title=checked.title[:100], original_name=checked.name[:200],
                                file_type=checked.type.code, size=checked.size, uploaded_by=_user(acting_user))
        checked.file.seek(0)
        material.file.save(f"material{checked.type.extensions[0]}", checked.file, save=False)
        saved.append(material.file.name)
        material.save()
    _event(acting_user, file, "recruitment.material_add", {"step": [None, number], "title": [None, material.title]})
    return material


# --- the daily step ----------------------------------------------------------------------------------------

def _officers(organization_ids: Iterable[int]) -> dict[int, list[AbstractBaseUser]]:
    from membership.changes.services import officers_of

    return officers_of(organization_ids)


def _apply_consequences(today: date) -> dict[str, int]:
    """EXTEND_PROBATION / CANCEL_ACTIVIST written by the star rating (seed 000 四) act on the file here."""
    from scoring.stars.models import ConsequenceKind
    from scoring.stars.selectors import open_consequences
    from scoring.stars.services import consequence_resolve

    counts = {"extended": 0, "cancelled": 0}
    kinds = [ConsequenceKind.EXTEND_PROBATION, ConsequenceKind.CANCEL_ACTIVIST]
    for consequence in list(open_consequences(kinds=kinds)):
        file = RecruitmentFile.objects.filter(person_id=consequence.person_id, status=FileStatus.ACTIVE).first()
        if file is None:
            continue
        try:
            with transaction.atomic():
                if consequence.kind == ConsequenceKind.EXTEND_PROBATION:
                    if file.stage != Stage.PROBATIONARY:
                        continue
                    probation_extend(acting_user=None, file=file, months=6, today=today, on=today,
                                     reason=f"{consequence.year}年度积分定星为{consequence.star_level}星，延长预备期。")
                    consequence_resolve(acting_user=None, consequence=consequence,
                                        note=f"已延长预备期至 {file.probation_ends_on:%Y-%m-%d}。")
                    counts["extended"] += 1
                else:
                    if file.stage != Stage.ACTIVIST:
                        continue
                    activist_cancel(acting_user=None, file=file, on=today, today=today,
                                    reason=f"{consequence.year}年度积分较低，取消入党积极分子资格。")
                    consequence_resolve(acting_user=None, consequence=consequence, note="已取消入党积极分子资格。")
                    counts["cancelled"] += 1
        except RuleViolation:
            continue
    return counts


def recruitment_tick(*, today: date) -> dict[str, int]:
    """Daily: deadline statuses of the current steps, reminders to the branch officers (once per step and
    status), and the consequences of the star rating."""
    counts = {"due_soon": 0, "overdue": 0, "reminded": 0}
    files = list(RecruitmentFile.objects.filter(status=FileStatus.ACTIVE, next_due_on__isnull=False)
                 .select_related("person", "organization"))
    officers = _officers({file.organization_id for file in files})
    warn_cache: dict[int, int] = {}
    for file in files:
        if file.organization_id not in warn_cache:
            warn_cache[file.organization_id] = policies.value(file.organization, policies.WARN_DAYS)
        status = rules.deadline_status(due_on=file.next_due_on, today=today, warn_days=warn_cache[file.organization_id])
        if status == DeadlineStatus.DUE_SOON:
            counts["due_soon"] += 1
        elif status == DeadlineStatus.OVERDUE:
            counts["overdue"] += 1
        if status != file.deadline_status:
            with transaction.atomic():
                RecruitmentFile.objects.filter(pk=file.pk).update(deadline_status=status)
                Step.objects.filter(file=file, number=file.current_step).update(deadline_status=status)
        if status in (DeadlineStatus.DUE_SOON, DeadlineStatus.OVERDUE):
            title = rules.STEP_TITLES.get(file.current_step, "")
            label = rules.DEADLINE_LABELS[status]
            counts["reminded"] += notify_many(
                users=officers.get(file.organization_id, []),
                key=f"recruitment:{file.pk}:{file.current_step}:{file.next_due_on}:{status}", kind="recruitment",
                title=f"发展党员{label}：{file.person.name} 第{file.current_step}步“{title}”",
                body=f"办理期限 {file.next_due_on:%Y年%m月%d日}。", url=_url(file), organization=file.organization,
            )
    counts.update(_apply_consequences(today))
    return counts


@transaction.atomic
def record_printed(*, acting_user: AbstractBaseUser | None, file: RecruitmentFile) -> None:
    """Printing the full-process record is an export of personal records: it is in the trail."""
    _event(acting_user, file, "recruitment.record_print", {"stage": [None, file.get_stage_display()]})
