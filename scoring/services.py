"""Every write of the points ledger (DESIGN §6.2–§6.4). Each function is one business action, runs in one
transaction and records its audit event. The caller (page or API) has checked that the acting user may
act on the organization; these functions check the rules that hold whoever acts.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import PurePath
from typing import Any, NamedTuple

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from audit.services import record
from branches.models import Organization
from membership.models import Member, Person
from partyadmin.errors import RuleViolation
from partyadmin.files import removed_on_failure
from partyadmin.workdays import china_today

from . import registry, rules
from .models import (
    Aggregation,
    Appeal,
    AppealKind,
    AppealOutcome,
    AppealStatus,
    CapPeriod,
    ConfirmBody,
    Entry,
    EntryOrigin,
    EntryStatus,
    Evidence,
    Item,
    PublishScope,
    Scheme,
    SchemeStatus,
    SchemeVersion,
    SectionKind,
    VetoStage,
)
from .templates_builtin import ATTENDANCE, DUES, TEMPLATES, VALUE_LABELS, decimal_or_none

ITEM_FIELDS = (
    "code", "name", "section", "part", "description", "points", "min_points", "max_points", "cap", "cap_period",
    "allow_declaration", "allow_suggestion", "allow_clerk", "evidence_required", "confirm_by", "source",
    "value_points", "order",
)
SCHEME_FIELDS = (
    "title", "mode", "aggregation", "section_caps", "total_cap", "floor_zero", "veto_zeroes", "star_policy_key",
    "star_policy", "activist_min_score", "ranking_visibility",
)
MAX_EVIDENCE_FILES = 6


def _star_policy(key: str) -> dict:
    """The built-in star policy of `key` (owned by scoring.stars), or {} when there is none."""
    if not key:
        return {}
    try:
        from scoring.stars.presets import star_policy
    except ImportError:  # the stars module is optional for the ledger itself
        return {}
    try:
        return star_policy(key)
    except KeyError:
        return {}


def _county_id(organization: Organization) -> int | None:
    return organization.county_id or None


# --- schemes ----------------------------------------------------------------------------------------


def _item_values(data: dict[str, Any]) -> dict[str, Any]:
    values = {name: data[name] for name in ITEM_FIELDS if name in data}
    for name in ("points", "min_points", "max_points", "cap"):
        if name in values:
            values[name] = decimal_or_none(values[name])
    if values.get("section") in (SectionKind.DEDUCTION, SectionKind.VETO):
        values["part"] = ""  # deductions belong to no capped part: "违规扣分不设上限"
    return values


def _check_item_values(values: dict[str, Any]) -> None:
    rules.check_item(section=values.get("section", ""), points=values.get("points"),
                     min_points=values.get("min_points"), max_points=values.get("max_points"), cap=values.get("cap"))
    if not (values.get("name") or "").strip():
        raise RuleViolation("scoring.item_name", "请填写项目名称。", field="name")
    if values.get("source") and not isinstance(values.get("value_points"), dict):
        raise RuleViolation("scoring.value_points", "来源分值须为 {取值: 分值}。", field="value_points")


def _item_log(item: Item) -> dict[str, Any]:
    return {
        "code": item.code, "name": item.name, "section": item.section, "part": item.part,
        "points": item.points, "min_points": item.min_points, "max_points": item.max_points, "cap": item.cap,
        "cap_period": item.cap_period, "confirm_by": item.confirm_by, "source": item.source,
        "value_points": item.value_points,
    }


def scheme_snapshot(scheme: Scheme) -> dict[str, Any]:
    """The published text of the scheme as it stands (settings and active items)."""
    return {
        "title": scheme.title, "mode": scheme.mode, "aggregation": scheme.aggregation,
        "section_caps": scheme.section_caps, "total_cap": str(scheme.total_cap) if scheme.total_cap else None,
        "floor_zero": scheme.floor_zero, "veto_zeroes": scheme.veto_zeroes, "star_policy_key": scheme.star_policy_key,
        "activist_min_score": str(scheme.activist_min_score) if scheme.activist_min_score is not None else None,
        "ranking_visibility": scheme.ranking_visibility, "announced_on": str(scheme.announced_on or ""),
        "items": [
            {key: (str(value) if isinstance(value, Decimal) else value) for key, value in _item_log(item).items()}
            for item in scheme.items.filter(is_active=True).order_by("order", "pk")
        ],
    }


@transaction.atomic
def scheme_create_from_template(*, acting_user: AbstractBaseUser | None, organization: Organization, year: int,
                                template_code: str) -> Scheme:
    """The branch's scheme for `year`, loaded from a built-in template, as a draft to supplement."""
    template = TEMPLATES.get(template_code)
    if template is None:
        raise RuleViolation("scoring.template", "所选模板不存在。", field="template_code")
    if not 2000 <= int(year) <= 2100:
        raise RuleViolation("scoring.year", "年度无效。", field="year")
    if Scheme.objects.filter(organization=organization, year=year).exists():
        raise RuleViolation("scoring.scheme_exists", f"{organization.name}{year}年度已有积分方案。", field="year")
    scheme = Scheme.objects.create(
        organization=organization, county_id=_county_id(organization), year=year, title=template.title,
        mode=template.mode, aggregation=template.aggregation, section_caps=dict(template.part_caps),
        total_cap=decimal_or_none(template.total_cap), floor_zero=template.floor_zero,
        veto_zeroes=template.veto_zeroes, star_policy_key=template.star_policy_key,
        star_policy=_star_policy(template.star_policy_key),
        activist_min_score=decimal_or_none(template.activist_min_score), template_code=template.code,
        basis=f"{template.source}。{template.note}",
    )
    Item.objects.bulk_create([
        Item(scheme=scheme, order=n, **_item_values(data)) for n, data in enumerate(template.items, 1)
    ])
    record(actor=acting_user, action="scoring.scheme.create", organization=organization, subject=scheme,
           changes={"year": [None, year], "template_code": [None, template.code],
                    "items": [None, len(template.items)]})
    return scheme


def _lock(scheme: Scheme) -> Scheme:
    return Scheme.objects.select_for_update().get(pk=scheme.pk)


@transaction.atomic
def scheme_update(*, acting_user: AbstractBaseUser, scheme: Scheme, reason: str = "", **values: Any) -> Scheme:
    """Changes the scheme's settings; after publication only with a reason, as a new version."""
    scheme = _lock(scheme)
    unknown = set(values) - set(SCHEME_FIELDS)
    if unknown:
        raise ValueError(f"unknown scheme fields {sorted(unknown)}")
    if "star_policy_key" in values and "star_policy" not in values \
            and values["star_policy_key"] != scheme.star_policy_key:
        values["star_policy"] = _star_policy(values["star_policy_key"])
    before = {name: getattr(scheme, name) for name in values}
    for name, value in values.items():
        setattr(scheme, name, value)
    changes = {name: [before[name], value] for name, value in values.items() if before[name] != value}
    if not changes:
        return scheme
    reason = _require_reason(scheme, reason)
    if scheme.total_cap is not None and scheme.total_cap <= 0:
        raise RuleViolation("scoring.total_cap", "总分上限须为正数。", field="total_cap")
    scheme.save()
    if scheme.is_published:
        _new_version(acting_user=acting_user, scheme=scheme, reason=reason)
    record(actor=acting_user, action="scoring.scheme.update", organization=scheme.organization, subject=scheme,
           changes={**changes, **({"version": [None, scheme.version], "reason": [None, reason]}
                                   if scheme.is_published else {})})
    return scheme


def _require_reason(scheme: Scheme, reason: str) -> str:
    reason = (reason or "").strip()
    if scheme.is_published and not reason:
        raise RuleViolation("scoring.change_reason", "方案已公布，修改须说明原因（将形成新版本并留痕）。", field="reason")
    return reason


def _new_version(*, acting_user: AbstractBaseUser | None, scheme: Scheme, reason: str) -> None:
    """A change after publication: the version goes up and its text is kept beside the earlier ones."""
    scheme.version += 1
    scheme.save(update_fields=["version", "updated_at"])
    SchemeVersion.objects.create(scheme=scheme, version=scheme.version, snapshot=scheme_snapshot(scheme),
                                 reason=reason[:300], published_at=timezone.now(),
                                 published_by=acting_user if acting_user and acting_user.is_authenticated else None)


@transaction.atomic
def item_add(*, acting_user: AbstractBaseUser, scheme: Scheme, reason: str = "", **data: Any) -> Item:
    scheme = _lock(scheme)
    reason = _require_reason(scheme, reason)
    values = _item_values(data)
    _check_item_values(values)
    if not values.get("code"):
        values["code"] = f"x{scheme.items.count() + 1}"
    if "order" not in values:
        values["order"] = scheme.items.count() + 1
    item = Item.objects.create(scheme=scheme, since_version=scheme.version + (1 if scheme.is_published else 0),
                               **values)
    if scheme.is_published:
        _new_version(acting_user=acting_user, scheme=scheme, reason=reason)
    record(actor=acting_user, action="scoring.item.add", organization=scheme.organization, subject=item,
           changes={"item": [None, _item_log(item)], "version": [None, scheme.version], "reason": [None, reason]})
    return item


@transaction.atomic
def item_change(*, acting_user: AbstractBaseUser, item: Item, reason: str = "", **data: Any) -> Item:
    """A draft's item is edited in place; a published one is retired and succeeded (entries keep theirs)."""
    scheme = _lock(item.scheme)
    item = Item.objects.select_for_update().get(pk=item.pk)
    if not item.is_active:
        raise RuleViolation("scoring.item_retired", "该项目已停用，不能修改。")
    reason = _require_reason(scheme, reason)
    before = _item_log(item)
    values = {**{name: getattr(item, name) for name in ITEM_FIELDS}, **_item_values(data)}
    _check_item_values(values)
    if not scheme.is_published:
        for name, value in values.items():
            setattr(item, name, value)
        item.save()
        successor = item
    else:
        item.is_active = False
        item.retired_in_version = scheme.version + 1
        item.save(update_fields=["is_active", "retired_in_version"])
        successor = Item.objects.create(scheme=scheme, since_version=scheme.version + 1, **values)
        _new_version(acting_user=acting_user, scheme=scheme, reason=reason)
    after = _item_log(successor)
    record(actor=acting_user, action="scoring.item.change", organization=scheme.organization, subject=successor,
           changes={**{key: [before[key], after[key]] for key in after if before[key] != after[key]},
                    "version": [None, scheme.version], "reason": [None, reason or None]})
    return successor


@transaction.atomic
def item_retire(*, acting_user: AbstractBaseUser, item: Item, reason: str = "") -> None:
    scheme = _lock(item.scheme)
    reason = _require_reason(scheme, reason)
    if not scheme.is_published and not item.entries.exists():
        record(actor=acting_user, action="scoring.item.remove", organization=scheme.organization, subject=item,
               changes={"item": [_item_log(item), None]})
        item.delete()
        return
    Item.objects.filter(pk=item.pk).update(is_active=False, retired_in_version=scheme.version + 1)
    if scheme.is_published:
        _new_version(acting_user=acting_user, scheme=scheme, reason=reason)
    record(actor=acting_user, action="scoring.item.retire", organization=scheme.organization, subject=item,
           changes={"is_active": [True, False], "version": [None, scheme.version], "reason": [None, reason]})


@transaction.atomic
def scheme_announce(*, acting_user: AbstractBaseUser, scheme: Scheme, announced_on: date) -> Scheme:
    """"积分定星项目确定后，要及时召开支部党员大会进行通报" (seed 000 三(一)): the meeting's date."""
    scheme = _lock(scheme)
    if announced_on > china_today():
        raise RuleViolation("scoring.announce_future", "党员大会通报日期不能晚于今天。", field="announced_on")
    before = scheme.announced_on
    scheme.announced_on = announced_on
    scheme.save(update_fields=["announced_on", "updated_at"])
    record(actor=acting_user, action="scoring.scheme.announce", organization=scheme.organization, subject=scheme,
           changes={"announced_on": [before, announced_on]})
    return scheme


@transaction.atomic
def scheme_publish(*, acting_user: AbstractBaseUser, scheme: Scheme) -> Scheme:
    """"…并在党务公开栏内公开": the scheme takes effect; its first version's text is kept."""
    scheme = _lock(scheme)
    if scheme.is_published:
        raise RuleViolation("scoring.already_published", "方案已公布。")
    if scheme.announced_on is None:
        raise RuleViolation("scoring.not_announced", "请先登记支部党员大会通报方案的日期。", field="announced_on")
    if not scheme.items.filter(is_active=True).exists():
        raise RuleViolation("scoring.no_items", "方案还没有积分项目。")
    scheme.status = SchemeStatus.PUBLISHED
    scheme.published_at = timezone.now()
    scheme.published_by = acting_user
    scheme.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    SchemeVersion.objects.create(scheme=scheme, version=scheme.version, snapshot=scheme_snapshot(scheme),
                                 published_at=scheme.published_at, published_by=acting_user)
    record(actor=acting_user, action="scoring.scheme.publish", organization=scheme.organization, subject=scheme,
           changes={"status": [SchemeStatus.DRAFT, SchemeStatus.PUBLISHED], "version": [None, scheme.version]})
    return scheme


# --- entries ---------------------------------------------------------------------------------------------


def is_scored_in(*, person_id: int, organization: Organization, on: date) -> bool:
    """A member of the branch in the register, or a person another app scores there (activists)."""
    if Member.objects.filter(person_id=person_id, organization=organization, is_active=True).exists():
        return True
    return any(p.person_id == person_id for p in registry.scored_people(organization_ids=[organization.pk], on=on))


def _check_entry_basics(*, scheme: Scheme, item: Item, occurred_on: date) -> None:
    if not scheme.is_published:
        raise RuleViolation("scoring.scheme_draft", "积分方案尚未公布，积分暂不能登记。")
    if item.scheme_id != scheme.pk or not item.is_active:
        raise RuleViolation("scoring.item_invalid", "所选项目不在现行积分方案中。", field="item")
    if occurred_on.year != scheme.year:
        raise RuleViolation("scoring.wrong_year", f"发生日期须在{scheme.year}年内。", field="occurred_on")
    if occurred_on > china_today():
        raise RuleViolation("scoring.future", "发生日期不能晚于今天。", field="occurred_on")


def _new_entry(*, scheme: Scheme, item: Item, person_id: int, occurred_on: date, points: Decimal, note: str,
               origin: str, acting_user: AbstractBaseUser | None, proposer_name: str = "", **extra: Any) -> Entry:
    return Entry(
        scheme=scheme, organization_id=scheme.organization_id, county_id=scheme.county_id, person_id=person_id,
        item=item, section=item.section, points=points, occurred_on=occurred_on, note=note.strip()[:300],
        origin=origin, proposed_by=acting_user if acting_user and acting_user.is_authenticated else None,
        proposer_name=proposer_name.strip()[:60], proposed_at=timezone.now(), **extra,
    )


def _entry_log(entry: Entry) -> dict[str, Any]:
    return {"person": entry.person_id, "item": entry.item.name, "points": entry.points,
            "occurred_on": entry.occurred_on, "status": entry.status, "origin": entry.origin}


def _check_body(body: str, decided_on: date | None, item: Item) -> date:
    if body not in (ConfirmBody.COMMITTEE, ConfirmBody.GENERAL_MEETING):
        raise RuleViolation("scoring.body", "请选择认定机构（支委会或支部党员大会）。", field="body")
    if item.confirm_by == ConfirmBody.GENERAL_MEETING and body != ConfirmBody.GENERAL_MEETING:
        raise RuleViolation("scoring.body_general", "该项目须经支部党员大会认定。", field="body")
    if decided_on is None:
        raise RuleViolation("scoring.decided_on", "请填写认定会议日期。", field="decided_on")
    if decided_on > china_today():
        raise RuleViolation("scoring.decided_future", "认定会议日期不能晚于今天。", field="decided_on")
    return decided_on


@transaction.atomic
def entries_record(*, acting_user: AbstractBaseUser, scheme: Scheme, item: Item, person_ids: Sequence[int],
                   occurred_on: date, points: Decimal | None = None, note: str = "", proposer_name: str = "",
                   confirm_body: str = "", decided_on: date | None = None) -> list[Entry]:
    """The clerk's ledger: one entry per person (one or many at once), proposed for confirmation — or,
    when a confirming body and its meeting date are given, entered as that body's decision."""
    _check_entry_basics(scheme=scheme, item=item, occurred_on=occurred_on)
    if not item.allow_clerk and not proposer_name:
        raise RuleViolation("scoring.not_clerk_item", "该项目不由记分员直接登记。", field="item")
    ids = list(dict.fromkeys(int(pk) for pk in person_ids))
    if not ids:
        raise RuleViolation("scoring.no_people", "请选择党员。", field="people")
    signed = rules.entry_points(section=item.section, points=item.points, min_points=item.min_points,
                                max_points=item.max_points, requested=points)
    scored = scored_person_ids(organization=scheme.organization, on=occurred_on)
    foreign = [pk for pk in ids if pk not in scored]
    if foreign:
        raise RuleViolation("scoring.not_in_branch", f"有{len(foreign)}人不是本支部参加积分管理的人员。", field="people")
    origin = EntryOrigin.SUGGESTION if proposer_name else EntryOrigin.CLERK
    entries = Entry.objects.bulk_create([
        _new_entry(scheme=scheme, item=item, person_id=pk, occurred_on=occurred_on, points=signed, note=note,
                   origin=origin, acting_user=acting_user, proposer_name=proposer_name)
        for pk in ids
    ])
    for entry in entries:
        record(actor=acting_user, action="scoring.entry.record", organization=scheme.organization, subject=entry,
               changes={k: [None, v] for k, v in _entry_log(entry).items()})
    if confirm_body:
        entries = [entry_confirm(acting_user=acting_user, entry=entry, body=confirm_body, decided_on=decided_on)
                   for entry in entries]
    return entries


def scored_person_ids(*, organization: Organization, on: date) -> set[int]:
    ids = set(Member.objects.filter(organization=organization, is_active=True).values_list("person_id", flat=True))
    ids.update(p.person_id for p in registry.scored_people(organization_ids=[organization.pk], on=on))
    return ids


@dataclass(frozen=True)
class EvidenceUpload:
    file: File
    title: str = ""


def _store_evidence(*, entry: Entry, uploads: Sequence[EvidenceUpload], acting_user: AbstractBaseUser | None,
                    saved: list[str]) -> list[Evidence]:
    """Photos are re-encoded without metadata; documents are checked by content like filing materials."""
    from audit.filings.uploads import MaterialUpload, check_upload
    from branches.meetings.photos import clean_photo, sniff

    if len(uploads) > MAX_EVIDENCE_FILES:
        raise RuleViolation("scoring.evidence_count", f"每条最多上传 {MAX_EVIDENCE_FILES} 个证明材料。", field="files")
    stored = []
    now = timezone.now()
    for upload in uploads:
        name = PurePath(upload.file.name or "").name or "证明材料"
        upload.file.seek(0)
        head = upload.file.read(8)
        upload.file.seek(0)
        image_format = sniff(head)
        if image_format is not None:
            photo = clean_photo(upload.file)
            extension = ".png" if photo.image_format == "png" else ".jpg"
            content_type = "image/png" if photo.image_format == "png" else "image/jpeg"
            content: File = ContentFile(photo.content)
            size = photo.size
        else:
            try:
                checked = check_upload(MaterialUpload(title=upload.title or name, file=upload.file))
            except RuleViolation as error:
                raise RuleViolation(error.code, error.message, field="files") from None
            extension = PurePath(checked.name).suffix.lower()[:8] or ".bin"
            content_type = {"pdf": "application/pdf"}.get(str(checked.type), "application/octet-stream")
            content = upload.file
            size = checked.size
        evidence = Evidence(entry=entry, title=(upload.title or name)[:200], content_type=content_type,
                            extension=extension, size=size, uploaded_at=now,
                            uploaded_by=acting_user if acting_user and acting_user.is_authenticated else None)
        evidence.file.save(f"evidence{extension}", content, save=False)
        saved.append(evidence.file.name)
        evidence.save()
        stored.append(evidence)
    return stored


@transaction.atomic
def entry_declare(*, acting_user: AbstractBaseUser, person: Person, scheme: Scheme, item: Item, occurred_on: date,
                  note: str, points: Decimal | None = None, files: Sequence[EvidenceUpload] = ()) -> Entry:
    """A member's own declaration (党员申报) with evidence, waiting for the committee or general meeting."""
    _check_entry_basics(scheme=scheme, item=item, occurred_on=occurred_on)
    if person.user_id != getattr(acting_user, "pk", None):
        raise RuleViolation("scoring.declare_self", "只能申报本人的积分。")
    if not item.allow_declaration:
        raise RuleViolation("scoring.not_declarable", "该项目不接受党员个人申报。", field="item")
    if not note.strip():
        raise RuleViolation("scoring.note_required", "请写明申报事由。", field="note")
    if item.evidence_required and not files:
        raise RuleViolation("scoring.evidence_required", "该项目须上传证明材料（照片或文件）。", field="files")
    if not is_scored_in(person_id=person.pk, organization=scheme.organization, on=occurred_on):
        raise RuleViolation("scoring.not_in_branch", "您不是该支部参加积分管理的人员。")
    signed = rules.entry_points(section=item.section, points=item.points, min_points=item.min_points,
                                max_points=item.max_points, requested=points)
    if signed < 0 or item.section == SectionKind.VETO:
        raise RuleViolation("scoring.declare_positive", "个人申报只能是加分事项。", field="item")
    with removed_on_failure(default_storage) as saved:
        entry = _new_entry(scheme=scheme, item=item, person_id=person.pk, occurred_on=occurred_on, points=signed,
                           note=note, origin=EntryOrigin.DECLARATION, acting_user=acting_user)
        entry.save()
        stored = _store_evidence(entry=entry, uploads=files, acting_user=acting_user, saved=saved)
        record(actor=acting_user, action="scoring.entry.declare", organization=scheme.organization, subject=entry,
               changes={**{k: [None, v] for k, v in _entry_log(entry).items()},
                        "evidence": [None, [f"{e.title}（{e.size} 字节）" for e in stored]]})
    _notify_officers(organization=scheme.organization, key=f"scoring.entry:{entry.pk}:proposed",
                     title=f"待认定：{person.name}申报“{item.name}”", url=reverse("scoring:pending"))
    return entry


@transaction.atomic
def entry_suggest(*, acting_user: AbstractBaseUser, person_id: int, scheme: Scheme, item: Item, occurred_on: date,
                  note: str, points: Decimal | None = None, proposer_name: str = "") -> Entry:
    """A suggestion by another member or by the masses (党员群众建议、受惠群众证实)."""
    _check_entry_basics(scheme=scheme, item=item, occurred_on=occurred_on)
    if not item.allow_suggestion:
        raise RuleViolation("scoring.not_suggestable", "该项目不接受党员群众建议。", field="item")
    if not note.strip():
        raise RuleViolation("scoring.note_required", "请写明事由。", field="note")
    if not is_scored_in(person_id=person_id, organization=scheme.organization, on=occurred_on):
        raise RuleViolation("scoring.not_in_branch", "所选人员不是本支部参加积分管理的人员。", field="person")
    signed = rules.entry_points(section=item.section, points=item.points, min_points=item.min_points,
                                max_points=item.max_points, requested=points)
    entry = _new_entry(scheme=scheme, item=item, person_id=person_id, occurred_on=occurred_on, points=signed,
                       note=note, origin=EntryOrigin.SUGGESTION, acting_user=acting_user, proposer_name=proposer_name)
    entry.save()
    record(actor=acting_user, action="scoring.entry.suggest", organization=scheme.organization, subject=entry,
           changes={k: [None, v] for k, v in _entry_log(entry).items()})
    _notify_officers(organization=scheme.organization, key=f"scoring.entry:{entry.pk}:proposed",
                     title=f"待认定：党员群众建议为{entry.person.name}记分", url=reverse("scoring:pending"))
    return entry


def _cap_window(scheme: Scheme, item: Item, day: date) -> tuple[date, date]:
    if item.cap_period == CapPeriod.QUARTER:
        return rules.quarter_range(day.year, rules.quarter_of(day))
    return date(day.year, 1, 1), date(day.year, 12, 31)


def _check_caps(entry: Entry) -> None:
    item, scheme = entry.item, entry.scheme
    confirmed = Entry.objects.filter(scheme=scheme, person_id=entry.person_id, status=EntryStatus.CONFIRMED)
    already = Decimal("0")
    if item.cap is not None:
        start, end = _cap_window(scheme, item, entry.occurred_on)
        already = confirmed.filter(item__code=item.code, occurred_on__range=(start, end)) \
            .aggregate(s=Sum("points"))["s"] or Decimal("0")
    group = item.part or item.section
    group_cap = scheme.section_caps.get(group)
    group_already = Decimal("0")
    if group_cap is not None:
        if scheme.aggregation == Aggregation.QUARTER_AVERAGE:
            start, end = rules.quarter_range(entry.occurred_on.year, rules.quarter_of(entry.occurred_on))
        else:
            start, end = date(scheme.year, 1, 1), date(scheme.year, 12, 31)
        part_q = confirmed.filter(occurred_on__range=(start, end)).exclude(section__in=["deduction", "veto"])
        part_q = part_q.filter(item__part=item.part) if item.part else part_q.filter(item__part="", section=item.section)
        group_already = part_q.aggregate(s=Sum("points"))["s"] or Decimal("0")
        group_cap = Decimal(str(group_cap))
    rules.check_cap(item=rules.ItemRule(id=item.pk, section=item.section, part=item.part, cap=item.cap,
                                        cap_period=item.cap_period),
                    already=already, adding=entry.points, group_cap=group_cap, group_already=group_already)


def _locked_proposed(entry: Entry) -> Entry:
    entry = Entry.objects.select_for_update().select_related("scheme__organization", "item").get(pk=entry.pk)
    if entry.status != EntryStatus.PROPOSED or entry.veto_stage == VetoStage.FILED:
        raise RuleViolation("scoring.not_pending", "该积分已认定或已处理，不能再次认定。")
    return entry


@transaction.atomic
def entry_confirm(*, acting_user: AbstractBaseUser, entry: Entry, body: str, decided_on: date | None) -> Entry:
    """The committee or general meeting confirms (认定) an entry: from now on it counts and never changes.
    A veto confirmed by the general meeting goes to the base committee for review before it applies
    ("一票否决须经支部大会认定，报所属基层党委审核", seed 000 二(四))."""
    entry = _locked_proposed(entry)
    decided_on = _check_body(body, decided_on, entry.item)
    now = timezone.now()
    entry.confirm_body, entry.decided_on, entry.decided_by = body, decided_on, acting_user
    if entry.section == SectionKind.VETO:
        entry.veto_stage = VetoStage.FILED
        entry.save(update_fields=["confirm_body", "decided_on", "decided_by", "veto_stage"])
        _file_veto(acting_user=acting_user, entry=entry)
        record(actor=acting_user, action="scoring.veto.file", organization=entry.organization, subject=entry,
               changes={"veto_stage": ["", VetoStage.FILED], "confirm_body": [None, body],
                        "decided_on": [None, decided_on]})
        return entry
    _check_caps(entry)
    entry.status, entry.confirmed_at = EntryStatus.CONFIRMED, now
    entry.save(update_fields=["status", "confirmed_at", "confirm_body", "decided_on", "decided_by"])
    record(actor=acting_user, action="scoring.entry.confirm", organization=entry.organization, subject=entry,
           changes={"status": [EntryStatus.PROPOSED, EntryStatus.CONFIRMED], "points": [None, entry.points],
                    "confirm_body": [None, body], "decided_on": [None, decided_on]})
    return entry


@transaction.atomic
def entry_reject(*, acting_user: AbstractBaseUser, entry: Entry, body: str, decided_on: date | None,
                 reason: str) -> Entry:
    entry = _locked_proposed(entry)
    decided_on = _check_body(body, decided_on, entry.item)
    reason = reason.strip()
    if not reason:
        raise RuleViolation("scoring.reject_reason", "请写明不予认定的理由。", field="reason")
    entry.status, entry.confirm_body, entry.decided_on = EntryStatus.REJECTED, body, decided_on
    entry.decided_by, entry.rejected_reason = acting_user, reason[:300]
    entry.save(update_fields=["status", "confirm_body", "decided_on", "decided_by", "rejected_reason"])
    record(actor=acting_user, action="scoring.entry.reject", organization=entry.organization, subject=entry,
           changes={"status": [EntryStatus.PROPOSED, EntryStatus.REJECTED], "reason": [None, reason],
                    "confirm_body": [None, body], "decided_on": [None, decided_on]})
    return entry


@transaction.atomic
def entry_compensate(*, acting_user: AbstractBaseUser, entry: Entry, reason: str, body: str,
                     decided_on: date | None) -> Entry:
    """Corrects a confirmed entry by a compensating one (the same points with the opposite sign), decided
    by the committee or general meeting with a reason. The original stays as it was."""
    original = Entry.objects.select_related("item", "scheme").get(pk=entry.pk)
    if original.status != EntryStatus.CONFIRMED:
        raise RuleViolation("scoring.compensate_unconfirmed", "只有已认定的积分需要更正；待认定的积分可不予认定。")
    if original.compensates_id is not None:
        raise RuleViolation("scoring.compensate_compensation", "更正记录本身不能再更正。")
    if Entry.objects.filter(compensates=original).exists():
        raise RuleViolation("scoring.already_compensated", "该积分已更正过。")
    reason = reason.strip()
    if not reason:
        raise RuleViolation("scoring.compensate_reason", "请写明更正原因。", field="reason")
    decided_on = _check_body(body, decided_on, original.item)
    now = timezone.now()
    compensation = _new_entry(
        scheme=original.scheme, item=original.item, person_id=original.person_id, occurred_on=original.occurred_on,
        points=-original.points, note=f"更正：{reason}", origin=EntryOrigin.COMPENSATION, acting_user=acting_user,
        compensates=original, status=EntryStatus.CONFIRMED, confirmed_at=now, confirm_body=body,
        decided_on=decided_on, decided_by=acting_user,
    )
    try:
        with transaction.atomic():
            compensation.save()
    except IntegrityError:
        raise RuleViolation("scoring.already_compensated", "该积分已更正过。") from None
    record(actor=acting_user, action="scoring.entry.compensate", organization=original.organization,
           subject=compensation,
           changes={"compensates": [None, original.pk], "points": [None, compensation.points],
                    "reason": [None, reason], "confirm_body": [None, body], "decided_on": [None, decided_on]})
    return compensation


def _notify_officers(*, organization: Organization, key: str, title: str, url: str) -> None:
    """Tells the branch's secretary and committee that something waits for them."""
    from audit.filings.services import handlers_of
    from audit.notifications.services import notify_many

    notify_many(users=handlers_of(organization), key=key, kind="scoring", title=title, url=url,
                organization=organization)


# --- vetoes: general meeting → base committee review (a filing) → applied -------------------------------------


VETO_SUBJECT = "scoring.entry"


def _file_veto(*, acting_user: AbstractBaseUser, entry: Entry) -> None:
    from audit.filings.models import FilingKind
    from audit.filings.services import filing_submit

    filing_submit(
        acting_user=acting_user, from_organization=entry.organization, kind=FilingKind.REVIEW,
        subject_type=VETO_SUBJECT, subject_id=entry.pk, subject_label=f"{entry.person.name}：{entry.item.name}",
        title=f"一票否决审核：{entry.person.name}",
        note=f"{entry.item.name}。{entry.note}（支部党员大会 {entry.decided_on:%Y年%m月%d日} 认定）",
    )


def veto_filing_decided(*, acting_user: AbstractBaseUser, subject_id: str, filing: Any) -> None:
    """The base committee's review: approved → the veto applies (confirmed); returned → not applied."""
    from audit.filings.models import FilingStatus

    entry = Entry.objects.select_for_update().get(pk=int(subject_id))
    if entry.veto_stage != VetoStage.FILED:
        return
    if filing.status == FilingStatus.APPROVED:
        entry.status, entry.confirmed_at, entry.veto_stage = EntryStatus.CONFIRMED, timezone.now(), VetoStage.APPLIED
        entry.save(update_fields=["status", "confirmed_at", "veto_stage"])
        action = "scoring.veto.apply"
    else:
        entry.status, entry.veto_stage = EntryStatus.REJECTED, VetoStage.RETURNED
        entry.rejected_reason = (filing.opinion or "基层党委审核未通过")[:300]
        entry.save(update_fields=["status", "veto_stage", "rejected_reason"])
        action = "scoring.veto.return"
    record(actor=acting_user, action=action, organization=entry.organization, subject=entry,
           changes={"veto_stage": [VetoStage.FILED, entry.veto_stage], "status": [EntryStatus.PROPOSED, entry.status]})


# --- automatic entries -------------------------------------------------------------------------------------


def published_scheme(organization_id: int, year: int) -> Scheme | None:
    return Scheme.objects.filter(organization_id=organization_id, year=year, status=SchemeStatus.PUBLISHED).first()


def _source_item(scheme: Scheme, source: str) -> Item | None:
    return scheme.items.filter(source=source, is_active=True).order_by("order", "pk").first()


@transaction.atomic
def source_entry_record(*, acting_user: AbstractBaseUser | None, person: Person, organization: Organization,
                        source: str, source_key: str, occurred_on: date, value: str, note: str = "") -> Entry | None:
    """An automatic, confirmed entry from another app's record (e.g. grouping's post evaluation). The
    points come from the item of the branch's published scheme of that year bound to `source`.
    Idempotent on `source_key`; None (nothing written) when there is no such scheme or item, or the
    value scores nothing."""
    if not source_key:
        raise ValueError("source_entry_record needs a source_key")
    existing = Entry.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing
    scheme = published_scheme(organization.pk, occurred_on.year)
    if scheme is None:
        return None
    item = _source_item(scheme, source)
    if item is None:
        return None
    points = rules.value_points_for(item.value_points.get(value))
    if points is None:
        return None
    now = timezone.now()
    entry = _new_entry(scheme=scheme, item=item, person_id=person.pk, occurred_on=occurred_on, points=points,
                       note=note or f"{value}", origin=EntryOrigin.AUTOMATIC, acting_user=acting_user,
                       status=EntryStatus.CONFIRMED, confirmed_at=now, confirm_body=ConfirmBody.AUTOMATIC,
                       decided_on=occurred_on, source=source, source_key=source_key[:120])
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:  # a concurrent call with the same key won
        return Entry.objects.get(source_key=source_key)
    record(actor=acting_user, action="scoring.entry.automatic", organization=organization, subject=entry,
           changes={"source": [None, source], "value": [None, value], "points": [None, points],
                    "occurred_on": [None, occurred_on]})
    return entry


class AutomaticEntry(NamedTuple):
    """One automatic entry a daily step wants: keyed by its source record, so that a rerun writes nothing."""

    key: str
    person_id: int
    occurred_on: date
    points: Decimal
    note: str


def _bound_schemes(source: str, *, year: int, organization_ids: Iterable[int] | None) -> Iterator[tuple[Scheme, Item]]:
    """The published schemes of `year` with an active item bound to `source`, each with that item."""
    schemes = Scheme.objects.filter(year=year, status=SchemeStatus.PUBLISHED, items__source=source,
                                    items__is_active=True).distinct()
    if organization_ids is not None:
        schemes = schemes.filter(organization_id__in=list(organization_ids))
    for scheme in schemes.select_related("organization"):
        item = _source_item(scheme, source)
        if item is not None:
            yield scheme, item


def _automatic_entries_create(*, scheme: Scheme, item: Item, source: str, wanted: Sequence[AutomaticEntry]) -> int:
    """Writes the confirmed automatic entries of `wanted` whose key is not written yet, each with its audit
    event, in one transaction; returns how many."""
    from audit.services import appending_in_batch

    existing = set(Entry.objects.filter(source_key__in=[w.key for w in wanted]).values_list("source_key", flat=True))
    todo = [w for w in wanted if w.key not in existing]
    if not todo:
        return 0
    now = timezone.now()
    with transaction.atomic(), appending_in_batch():
        new = Entry.objects.bulk_create([
            _new_entry(scheme=scheme, item=item, person_id=w.person_id, occurred_on=w.occurred_on, points=w.points,
                       note=w.note, origin=EntryOrigin.AUTOMATIC, acting_user=None, status=EntryStatus.CONFIRMED,
                       confirmed_at=now, confirm_body=ConfirmBody.AUTOMATIC, decided_on=w.occurred_on,
                       source=source, source_key=w.key)
            for w in todo
        ])
        for entry in new:
            record(actor=None, action="scoring.entry.automatic", organization=scheme.organization,
                   subject=entry, subject_label=entry.source_key,
                   changes={"source": [None, source], "points": [None, entry.points],
                            "occurred_on": [None, entry.occurred_on]})
    return len(todo)


def attendance_entries_sync(*, today: date, organization_ids: Iterable[int] | None = None) -> dict[str, int]:
    """Daily step: turns meeting attendance into entries for every branch whose published scheme of the
    year binds an item to "meetings.attendance". Occurrences are counted in the year, in meeting order,
    so tiered values (seed 001 第九条) come out the same on every run. Idempotent by source key."""
    from branches.meetings.rules import ATTENDANCE_STATUS_LABELS, MEETING_TYPE_LABELS
    from branches.meetings.selectors import attendance_for

    created = branches = 0
    for scheme, item in _bound_schemes(ATTENDANCE, year=today.year, organization_ids=organization_ids):
        branches += 1
        rows = list(attendance_for(organization_ids=[scheme.organization_id], start=date(today.year, 1, 1),
                                   end=today))
        member_person = dict(Member.objects.filter(pk__in={r["member_id"] for r in rows})
                             .values_list("pk", "person_id"))
        nth: dict[tuple[int, str], int] = defaultdict(int)
        wanted: list[AutomaticEntry] = []
        for row in rows:
            nth[(row["member_id"], row["status"])] += 1
            count = nth[(row["member_id"], row["status"])]
            points = rules.value_points_for(item.value_points.get(row["status"]), nth=count)
            if points is None or points == 0 or row["member_id"] not in member_person:
                continue
            wanted.append(AutomaticEntry(
                key=f"{ATTENDANCE}:{row['meeting_id']}:{row['member_id']}",
                person_id=member_person[row["member_id"]], occurred_on=row["held_on"], points=points,
                note=f"{MEETING_TYPE_LABELS.get(row['meeting_type'], '会议')}"
                     f"{ATTENDANCE_STATUS_LABELS.get(row['status'], '')}",
            ))
        created += _automatic_entries_create(scheme=scheme, item=item, source=ATTENDANCE, wanted=wanted)
    return {"branches": branches, "created": created}


def dues_entries_sync(*, today: date, organization_ids: Iterable[int] | None = None) -> dict[str, int]:
    """Daily step: turns the dues paid for the months of this year up to this month into entries, for
    every branch whose published scheme of the year binds an item to "dues.monthly" (seed 000 二(一):
    基础积分 "包括…自觉交纳党费"). A month paid by its last day, in advance included, sends "on_time";
    a later one "late". The entry falls on the payment date, or on the month's first day when paid in
    advance, so that a year paid at once still counts month by month. Idempotent by member and month."""
    from branches.dues.selectors import paid_months

    year = today.year
    bound = list(_bound_schemes(DUES, year=year, organization_ids=organization_ids))
    rows_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if bound:
        for row in paid_months(organization_ids=[scheme.organization_id for scheme, _ in bound], year=year,
                               up_to_month=today.month):
            rows_of[row["organization_id"]].append(row)
    created = 0
    for scheme, item in bound:
        wanted: list[AutomaticEntry] = []
        for row in rows_of[scheme.organization_id]:
            if row["paid_on"] > today:
                continue
            value = "on_time" if row["on_time"] else "late"
            points = rules.value_points_for(item.value_points.get(value))
            if points is None or points == 0:
                continue
            wanted.append(AutomaticEntry(
                key=f"{DUES}:{row['member_id']}:{year}-{row['month']:02d}", person_id=row["person_id"],
                occurred_on=max(row["paid_on"], date(year, row["month"], 1)), points=points,
                note=f"{year}年{row['month']}月党费 {VALUE_LABELS[value]}",
            ))
        created += _automatic_entries_create(scheme=scheme, item=item, source=DUES, wanted=wanted)
    return {"branches": len(bound), "created": created}


# --- appeals ------------------------------------------------------------------------------------------------


@transaction.atomic
def appeal_raise(*, acting_user: AbstractBaseUser, raised_by_person: Person, person: Person, organization: Organization,
                 year: int, kind: str, text: str, entry: Entry | None = None) -> Appeal:
    """"党员可对本人及其他党员积分情况向党支部提出问询、异议和申辩" (seed 000 三(三))."""
    if kind not in AppealKind.values:
        raise RuleViolation("scoring.appeal_kind", "请选择问询、异议或申辩。", field="kind")
    text = text.strip()
    if not text:
        raise RuleViolation("scoring.appeal_text", "请写明问询、异议或申辩的内容。", field="text")
    on = china_today()
    if not is_scored_in(person_id=raised_by_person.pk, organization=organization, on=on):
        raise RuleViolation("scoring.appeal_branch", "只能对本支部党员的积分提出。")
    if person.pk != raised_by_person.pk and not is_scored_in(person_id=person.pk, organization=organization, on=on):
        raise RuleViolation("scoring.appeal_branch", "只能对本支部党员的积分提出。", field="person")
    if entry is not None and (entry.person_id != person.pk or entry.organization_id != organization.pk):
        raise RuleViolation("scoring.appeal_entry", "所选积分记录不属于该党员。", field="entry")
    appeal = Appeal.objects.create(
        organization=organization, county_id=_county_id(organization), year=year, kind=kind, raised_by=acting_user,
        raised_by_person=raised_by_person, person=person, entry=entry, text=text, raised_at=timezone.now(),
    )
    record(actor=acting_user, action="scoring.appeal.raise", organization=organization, subject=appeal,
           changes={"kind": [None, kind], "person": [None, person.pk], "entry": [None, entry.pk if entry else None]})
    _notify_officers(organization=organization, key=f"scoring.appeal:{appeal.pk}",
                     title=f"积分{appeal.get_kind_display()}待答复：{person.name}", url=reverse("scoring:appeal",
                                                                                      args=[appeal.pk]))
    return appeal


@transaction.atomic
def appeal_answer(*, acting_user: AbstractBaseUser, appeal: Appeal, outcome: str, answer: str, publish_scope: str,
                  decided_on: date | None = None, body: str = ConfirmBody.COMMITTEE) -> Appeal:
    """The branch's opinion (审核意见), published within a scope and archived. An upheld objection to a
    confirmed entry corrects it with a compensating entry."""
    appeal = Appeal.objects.select_for_update(of=("self",)).select_related("entry__item").get(pk=appeal.pk)
    if appeal.status != AppealStatus.OPEN:
        raise RuleViolation("scoring.appeal_answered", "该事项已答复存档。")
    if outcome not in AppealOutcome.values:
        raise RuleViolation("scoring.appeal_outcome", "请选择审核结论。", field="outcome")
    if publish_scope not in PublishScope.values:
        raise RuleViolation("scoring.appeal_scope", "请选择公开范围。", field="publish_scope")
    answer = answer.strip()
    if not answer:
        raise RuleViolation("scoring.appeal_answer", "请填写审核意见。", field="answer")
    correction = None
    if outcome == AppealOutcome.UPHELD and appeal.entry is not None and appeal.entry.status == EntryStatus.CONFIRMED:
        correction = entry_compensate(acting_user=acting_user, entry=appeal.entry, reason=f"问询异议成立：{answer}"[:280],
                                      body=body, decided_on=decided_on or china_today())
    appeal.status, appeal.outcome, appeal.answer = AppealStatus.ANSWERED, outcome, answer
    appeal.publish_scope, appeal.answered_by, appeal.answered_at = publish_scope, acting_user, timezone.now()
    appeal.correction = correction
    appeal.save()
    if appeal.raised_by is not None:
        from audit.notifications.services import notify

        notify(user=appeal.raised_by, key=f"scoring.appeal:{appeal.pk}:answered", kind="scoring",
               title=f"党支部已答复您的积分{appeal.get_kind_display()}", url=reverse("scoring:appeal", args=[appeal.pk]),
               organization=appeal.organization)
    record(actor=acting_user, action="scoring.appeal.answer", organization=appeal.organization, subject=appeal,
           changes={"status": [AppealStatus.OPEN, AppealStatus.ANSWERED], "outcome": [None, outcome],
                    "publish_scope": [None, publish_scope],
                    "correction": [None, correction.pk if correction else None]})
    return appeal
