"""Schemes, entries, confirmation, immutability, compensation, automatic entries, vetoes, appeals."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction

from audit.filings.models import Filing
from audit.filings.services import filing_decide
from audit.models import Event
from branches.meetings.rules import AttendanceStatus, MeetingType
from partyadmin.errors import RuleViolation
from scoring import selectors, services
from scoring.models import Entry, EntryStatus, Evidence, SchemeStatus, SchemeVersion, VetoStage
from tests.branches.meetings.factories import jpeg_with_gps
from tests.branches.meetings.factories import record as record_meeting

from .conftest import item, published

pytestmark = pytest.mark.django_db
D = Decimal


def day_in(today, days_back: int = 1) -> date:
    day = today - timedelta(days=days_back)
    return day if day.year == today.year else today


# --- schemes ------------------------------------------------------------------------------------------


def test_scheme_from_template_is_a_draft_and_entries_wait_for_publication(alice, branch_a, member_a, today):
    """000 三(一): "积分定星项目确定后，要及时召开支部党员大会进行通报，并在党务公开栏内公开"."""
    scheme = services.scheme_create_from_template(acting_user=alice, organization=branch_a, year=today.year,
                                                  template_code="seed000_jiaozuo")
    assert scheme.status == SchemeStatus.DRAFT and scheme.items.count() == 18
    assert scheme.star_policy["label"].startswith("焦作")
    with pytest.raises(RuleViolation) as error:
        services.entries_record(acting_user=alice, scheme=scheme, item=item(scheme, "b2"),
                                person_ids=[member_a.person_id], occurred_on=today)
    assert error.value.code == "scoring.scheme_draft"
    with pytest.raises(RuleViolation, match="通报"):
        services.scheme_publish(acting_user=alice, scheme=scheme)
    services.item_change(acting_user=alice, item=item(scheme, "b2"), points="4")  # draft: in place, no version
    assert item(scheme, "b2").points == D("4") and scheme.items.count() == 18
    services.scheme_announce(acting_user=alice, scheme=scheme, announced_on=today)
    services.scheme_publish(acting_user=alice, scheme=scheme)
    assert SchemeVersion.objects.filter(scheme=scheme).count() == 1


def test_change_after_publication_is_a_new_version(scheme_a, alice, member_a, today):
    old = item(scheme_a, "b2")
    entry = services.entries_record(acting_user=alice, scheme=scheme_a, item=old, person_ids=[member_a.person_id],
                                    occurred_on=today, confirm_body="committee", decided_on=today)[0]
    with pytest.raises(RuleViolation, match="原因"):
        services.item_change(acting_user=alice, item=old, points="5")
    new = services.item_change(acting_user=alice, item=old, points="5", reason="支部党员大会决定提高分值")
    old.refresh_from_db()
    scheme_a.refresh_from_db()
    assert not old.is_active and old.retired_in_version == 2 and new.since_version == 2 and new.points == D("5")
    assert scheme_a.version == 2
    assert list(scheme_a.versions.values_list("version", flat=True)) == [1, 2]
    assert scheme_a.versions.get(version=1).snapshot["items"][1]["points"] == "3.00"
    entry.refresh_from_db()
    assert entry.item_id == old.pk and entry.points == D("3")  # the confirmed entry keeps its item and points
    assert Event.objects.filter(action="scoring.item.change").exists()


# --- entries ------------------------------------------------------------------------------------------


def test_declaration_with_photo_then_confirmation(scheme_a, mary, member_a, alice, today):
    """000 三(二): "对需要党员本人提供依据的积分事项…定期组织党员进行申报"; 二(二) "经支委会或支部大会认定后予以加分"."""
    photo = SimpleUploadedFile("现场.jpg", jpeg_with_gps(), content_type="image/jpeg")
    entry = services.entry_declare(acting_user=mary, person=member_a.person, scheme=scheme_a, item=item(scheme_a, "c1"),
                                   occurred_on=day_in(today), points=D("6"), note="抗洪抢险值守三昼夜",
                                   files=[services.EvidenceUpload(file=photo)])
    assert entry.status == EntryStatus.PROPOSED and entry.points == D("6")
    evidence = Evidence.objects.get(entry=entry)
    assert evidence.content_type == "image/jpeg" and b"PhoneMaker" not in evidence.file.read()
    assert selectors.person_totals(person_ids=[member_a.person_id], year=today.year)[member_a.person_id] == 0
    from audit.notifications.models import Notification

    assert Notification.objects.filter(user=alice, key=f"scoring.entry:{entry.pk}:proposed").exists()
    services.entry_confirm(acting_user=alice, entry=entry, body="committee", decided_on=today)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.CONFIRMED and entry.decided_by == alice and entry.confirm_body == "committee"
    assert selectors.person_totals(person_ids=[member_a.person_id], year=today.year)[member_a.person_id] == D("6")
    with pytest.raises(RuleViolation):
        services.entry_confirm(acting_user=alice, entry=entry, body="committee", decided_on=today)


def test_declaration_rules(scheme_a, mary, member_a, member_a2, today):
    with pytest.raises(RuleViolation, match="证明材料"):
        services.entry_declare(acting_user=mary, person=member_a.person, scheme=scheme_a, item=item(scheme_a, "c3"),
                               occurred_on=today, points=D("5"), note="县级表彰")
    with pytest.raises(RuleViolation, match="不接受"):
        services.entry_declare(acting_user=mary, person=member_a.person, scheme=scheme_a, item=item(scheme_a, "d1"),
                               occurred_on=today, note="x")
    with pytest.raises(RuleViolation, match="本人"):
        services.entry_declare(acting_user=mary, person=member_a2.person, scheme=scheme_a, item=item(scheme_a, "c2"),
                               occurred_on=today, points=D("2"), note="x")
    bad = SimpleUploadedFile("a.exe", b"MZ\x90\x00" + b"0" * 100)
    with pytest.raises(RuleViolation):
        services.entry_declare(acting_user=mary, person=member_a.person, scheme=scheme_a, item=item(scheme_a, "c3"),
                               occurred_on=today, points=D("5"), note="x", files=[services.EvidenceUpload(file=bad)])
    assert not Entry.objects.exists()


def test_mass_suggestion_and_clerk_batch(scheme_a, mary, alice, clerk_a, member_a, member_a2, today):
    """000 三(二): "对党支部不掌握、党员本人无法提供依据的积分事项，可由受惠党员群众证实积分"."""
    entry = services.entry_suggest(acting_user=mary, person_id=member_a2.person_id, scheme=scheme_a,
                                   item=item(scheme_a, "c4"), occurred_on=today, points=D("2"),
                                   note="帮助孤寡老人修缮房屋", proposer_name="受惠群众 张大娘")
    assert entry.origin == "suggestion" and entry.proposer_name == "受惠群众 张大娘"
    entries = services.entries_record(acting_user=clerk_a, scheme=scheme_a, item=item(scheme_a, "b2"),
                                      person_ids=[member_a.person_id, member_a2.person_id], occurred_on=today)
    assert [e.status for e in entries] == [EntryStatus.PROPOSED] * 2
    assert selectors.pending_confirmations(user=alice).count() == 3
    assert not selectors.may_confirm(user=clerk_a, organization=scheme_a.organization)


def test_caps_are_enforced_at_confirmation(scheme_a, alice, member_a, today):
    """佩戴党徽 1 分，每季度上限 4 分: the fifth in a quarter is refused when confirmed."""
    badge = item(scheme_a, "b4")
    entries = services.entries_record(acting_user=alice, scheme=scheme_a, item=badge, person_ids=[member_a.person_id],
                                      occurred_on=today)
    for _ in range(4):
        entries += services.entries_record(acting_user=alice, scheme=scheme_a, item=badge,
                                           person_ids=[member_a.person_id], occurred_on=today)
    for entry in entries[:4]:
        services.entry_confirm(acting_user=alice, entry=entry, body="committee", decided_on=today)
    with pytest.raises(RuleViolation) as error:
        services.entry_confirm(acting_user=alice, entry=entries[4], body="committee", decided_on=today)
    assert error.value.code == "scoring.item_cap"
    deduction = services.entries_record(acting_user=alice, scheme=scheme_a, item=item(scheme_a, "d4"),
                                        person_ids=[member_a.person_id], occurred_on=today, points=D("20"),
                                        confirm_body="committee", decided_on=today)
    assert deduction[0].points == D("-20")  # deductions: no cap


def test_confirmed_entries_are_immutable_and_corrected_by_compensation(scheme_a, alice, member_a, today):
    """001 第二十六条: "积分生成后,原则上不能更改"."""
    entry = services.entries_record(acting_user=alice, scheme=scheme_a, item=item(scheme_a, "b2"),
                                    person_ids=[member_a.person_id], occurred_on=today, confirm_body="committee",
                                    decided_on=today)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(points=D("30"))
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(RuleViolation, match="原因"):
        services.entry_compensate(acting_user=alice, entry=entry, reason=" ", body="committee", decided_on=today)
    compensation = services.entry_compensate(acting_user=alice, entry=entry, reason="误记，当日未召开组织生活会",
                                             body="committee", decided_on=today)
    assert compensation.points == D("-3") and compensation.compensates == entry
    assert selectors.person_totals(person_ids=[member_a.person_id], year=today.year)[member_a.person_id] == 0
    with pytest.raises(RuleViolation):
        services.entry_compensate(acting_user=alice, entry=entry, reason="again", body="committee", decided_on=today)
    entry.refresh_from_db()
    assert entry.points == D("3") and entry.status == EntryStatus.CONFIRMED


def test_rejection_needs_a_reason(scheme_a, alice, member_a, today):
    entry = services.entries_record(acting_user=alice, scheme=scheme_a, item=item(scheme_a, "b2"),
                                    person_ids=[member_a.person_id], occurred_on=today)[0]
    with pytest.raises(RuleViolation):
        services.entry_reject(acting_user=alice, entry=entry, body="committee", decided_on=today, reason="")
    services.entry_reject(acting_user=alice, entry=entry, body="committee", decided_on=today, reason="未参加")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REJECTED


# --- automatic entries ------------------------------------------------------------------------------------


def test_source_entry_record_is_idempotent_and_none_without_scheme_or_item(scheme_a, branch_a, branch_b, member_a,
                                                                         member_b, today):
    entry = services.source_entry_record(acting_user=None, person=member_a.person, organization=branch_a,
                                         source="grouping.post_evaluation", source_key="grouping.evaluation:1",
                                         occurred_on=today, value="优秀")
    assert entry.status == EntryStatus.CONFIRMED and entry.points == D("10") and entry.confirm_body == "automatic"
    again = services.source_entry_record(acting_user=None, person=member_a.person, organization=branch_a,
                                         source="grouping.post_evaluation", source_key="grouping.evaluation:1",
                                         occurred_on=today, value="优秀")
    assert again.pk == entry.pk and Entry.objects.count() == 1
    assert services.source_entry_record(  # no published scheme in branch B
        acting_user=None, person=member_b.person, organization=branch_b, source="grouping.post_evaluation",
        source_key="grouping.evaluation:2", occurred_on=today, value="优秀") is None
    assert services.source_entry_record(  # no item bound to that source
        acting_user=None, person=member_a.person, organization=branch_a, source="dues.unpaid",
        source_key="dues:3", occurred_on=today, value="x") is None
    assert services.source_entry_record(  # another year: no scheme
        acting_user=None, person=member_a.person, organization=branch_a, source="grouping.post_evaluation",
        source_key="grouping.evaluation:4", occurred_on=date(today.year - 1, 12, 1), value="优秀") is None
    assert Entry.objects.count() == 1


def test_attendance_entries_job_runs_twice_without_duplicates(scheme_a, alice, branch_a, member_a, member_a2, today):
    """000 二(一): 基础积分…"包括党员按时参加“三会一课”…"; meetings create entries automatically."""
    held = day_in(today, 3)
    record_meeting(branch_a, MeetingType.PARTY_LECTURE, held, acting_user=alice, today=today,
                   attendance={member_a.pk: AttendanceStatus.PRESENT, member_a2.pk: AttendanceStatus.ABSENT})
    first = services.attendance_entries_sync(today=today)
    assert first == {"branches": 1, "created": 2}
    assert services.attendance_entries_sync(today=today) == {"branches": 1, "created": 0}
    points = dict(Entry.objects.values_list("person_id", "points"))
    assert points == {member_a.person_id: D("2"), member_a2.person_id: D("-2")}
    assert set(Entry.objects.values_list("status", flat=True)) == {EntryStatus.CONFIRMED}


# --- vetoes -----------------------------------------------------------------------------------------------


def test_veto_is_confirmed_by_general_meeting_reviewed_by_base_committee_then_applied(scheme_a, alice, rita,
                                                                                    member_a, today):
    """000 二(四): "一票否决须经支部大会认定，报所属基层党委审核"."""
    entry = services.entries_record(acting_user=alice, scheme=scheme_a, item=item(scheme_a, "v2"),
                                    person_ids=[member_a.person_id], occurred_on=today, note="受到刑事处罚")[0]
    with pytest.raises(RuleViolation, match="党员大会"):
        services.entry_confirm(acting_user=alice, entry=entry, body="committee", decided_on=today)
    services.entry_confirm(acting_user=alice, entry=entry, body="general_meeting", decided_on=today)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PROPOSED and entry.veto_stage == VetoStage.FILED
    filing = Filing.objects.get(subject_type="scoring.entry", subject_id=str(entry.pk))
    assert filing.kind == "review" and filing.to_organization.name == "城关镇党委"
    assert not selectors.person_score(person=member_a.person, scheme=scheme_a, year=today.year,
                                      today=today).score.vetoed
    filing_decide(acting_user=rita, filing=filing, decision="approve", opinion="同意")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.CONFIRMED and entry.veto_stage == VetoStage.APPLIED
    assert selectors.person_score(person=member_a.person, scheme=scheme_a, year=today.year,
                                  today=today).score.vetoed


def test_veto_returned_by_base_committee_is_not_applied(scheme_a, alice, rita, member_a, today):
    entry = services.entries_record(acting_user=alice, scheme=scheme_a, item=item(scheme_a, "v1"),
                                    person_ids=[member_a.person_id], occurred_on=today)[0]
    services.entry_confirm(acting_user=alice, entry=entry, body="general_meeting", decided_on=today)
    filing_decide(acting_user=rita, filing=Filing.objects.get(subject_id=str(entry.pk)), decision="return",
                  opinion="事实不清")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REJECTED and entry.rejected_reason == "事实不清"


# --- standing, totals ------------------------------------------------------------------------------------


def test_activist_standing(scheme_a, alice, branch_a, branch_b, member_a, today):
    standing = selectors.activist_standing(person_id=member_a.person_id, organization=branch_a, on=today)
    assert standing.score == 0 and standing.threshold == D("30") and standing.is_low
    assert selectors.activist_standing(person_id=member_a.person_id, organization=branch_b, on=today) is None


def test_scored_people_registry_includes_activists(scheme_a, alice, branch_a, today):
    from scoring import registry
    from scoring.registry import ScoredPerson
    from tests.membership.factories import PersonFactory

    activist = PersonFactory(county=branch_a.county, name="积极分子甲")

    def provider(*, organization_ids, on):
        return [ScoredPerson(activist.pk, branch_a.pk, "activist")] if branch_a.pk in organization_ids else []

    registry.register_scored_people(provider)
    try:
        entries = services.entries_record(acting_user=alice, scheme=scheme_a, item=item(scheme_a, "b2"),
                                          person_ids=[activist.pk], occurred_on=today, confirm_body="committee",
                                          decided_on=today)
        assert selectors.activist_standing(person_id=activist.pk, organization=branch_a, on=today).score == D("3")
        assert entries[0].person == activist
    finally:
        registry._providers.remove(provider)


# --- appeals ---------------------------------------------------------------------------------------------


def test_appeal_upheld_compensates_and_is_archived(scheme_a, alice, mary, member_a, member_a2, today):
    """000 三(三): "党员可对本人及其他党员积分情况向党支部提出问询、异议和申辩，党支部应及时研究并提出审核意见，
    在一定范围内进行公开，审核结果由党支部存档"."""
    entry = services.entries_record(acting_user=alice, scheme=scheme_a, item=item(scheme_a, "d2"),
                                    person_ids=[member_a.person_id], occurred_on=today, confirm_body="committee",
                                    decided_on=today)[0]
    appeal = services.appeal_raise(acting_user=mary, raised_by_person=member_a.person, person=member_a.person,
                                   organization=scheme_a.organization, year=today.year, kind="appeal",
                                   text="当天因公出差，已向支部请假", entry=entry)
    appeal = services.appeal_answer(acting_user=alice, appeal=appeal, outcome="upheld", answer="经核实情况属实，予以更正",
                                    publish_scope="branch", decided_on=today)
    assert appeal.status == "answered" and appeal.correction.points == D("3")
    with pytest.raises(RuleViolation):
        services.appeal_answer(acting_user=alice, appeal=appeal, outcome="dismissed", answer="x",
                               publish_scope="branch")
    other = services.appeal_raise(acting_user=mary, raised_by_person=member_a.person, person=member_a2.person,
                                  organization=scheme_a.organization, year=today.year, kind="query",
                                  text="陈强同志的贡献加分依据是什么？")
    assert other.person == member_a2.person


def test_published_scheme_helper(alice, branch_b, today):
    scheme = published(alice, branch_b, today.year, template="seed001_company")
    assert scheme.aggregation == "quarter_average" and scheme.star_policy_key == "seed001_threshold"
