"""record(): events are hash-chained per county (DESIGN §5) and carry no raw personal data (§2.1)."""

import pytest

from audit.hashing import GENESIS, event_hash
from audit.models import ChainHead, Event, EventResult
from audit.services import GLOBAL_CHAIN, hashed_fields, record
from tests.conftest import make_org

pytestmark = pytest.mark.django_db


def _chain_events(chain: str) -> list[Event]:
    return list(Event.objects.filter(chain=chain).order_by("seq"))


def test_consecutive_events_are_linked_by_hash(county):
    first = record(actor=None, action="test.first", organization=county)
    second = record(actor=None, action="test.second", organization=county)
    assert second.seq == first.seq + 1
    assert second.prev_hash == first.hash


def test_a_chain_starts_at_seq_one_from_the_genesis_hash(county):
    first = _chain_events(str(county.pk))[0]  # the county's own creation event
    assert first.seq == 1
    assert first.prev_hash == GENESIS


def test_chain_seqs_run_one_two_three_without_gaps(county):
    for index in range(3):
        record(actor=None, action="test.step", organization=county, changes={"i": [None, index]})
    assert [e.seq for e in _chain_events(str(county.pk))] == [1, 2, 3, 4]


def test_each_county_has_its_own_chain(county, other_county, town):
    here = record(actor=None, action="test.here", organization=town)
    there = record(actor=None, action="test.there", organization=other_county)
    assert here.chain == str(county.pk) and here.county_id == county.pk
    assert there.chain == str(other_county.pk)
    assert there.seq == 2  # after other_county's own creation, unaffected by the first county
    assert there.prev_hash == _chain_events(str(other_county.pk))[0].hash


def test_chain_head_points_at_the_last_event(county):
    last = record(actor=None, action="test.last", organization=county)
    head = ChainHead.objects.get(chain=str(county.pk))
    assert (head.seq, head.last_hash) == (last.seq, last.hash)


def test_event_without_organization_goes_to_the_global_chain(db):
    event = record(actor=None, action="test.global")
    assert event.chain == GLOBAL_CHAIN
    assert event.county_id is None


def test_organization_outside_any_county_goes_to_the_global_chain(db):
    city = make_org(None, "测试市委组织部", "M01", "municipal_dept")
    assert Event.objects.get(action="organization.create", subject_id=str(city.pk)).chain == GLOBAL_CHAIN


def test_stored_hash_matches_the_reloaded_row(county):
    event = record(
        actor=None, action="test.reload", organization=county,
        changes={"name": ["旧名", "新名"], "count": [1, 2], "flag": [False, True], "nested": [None, {"b": 1, "a": [1, 2]}]},
    )
    reloaded = Event.objects.get(pk=event.pk)
    assert event_hash(prev_hash=reloaded.prev_hash, fields=hashed_fields(reloaded)) == reloaded.hash


def test_large_and_fractional_numbers_keep_the_hash_valid_after_reload(county):
    """PostgreSQL's jsonb gives 1e+20 back as an integer: the stored form must already be that."""
    event = record(actor=None, action="test.numbers", organization=county,
                   changes={"big": [1e20, 2.0], "small": [1e-7, 0.1 + 0.2]})
    reloaded = Event.objects.get(pk=event.pk)
    assert event_hash(prev_hash=reloaded.prev_hash, fields=hashed_fields(reloaded)) == reloaded.hash


def test_failure_result_is_recorded(county):
    event = record(actor=None, action="test.denied", organization=county, result=EventResult.FAILURE)
    assert Event.objects.get(pk=event.pk).result == "failure"


def test_subject_reference_is_taken_from_the_model(county, branch_a):
    event = record(actor=None, action="test.subject", organization=branch_a, subject=branch_a)
    assert (event.subject_type, event.subject_id, event.subject_label) == (
        "branches.organization", str(branch_a.pk), branch_a.name,
    )


def test_raw_id_number_in_changes_is_masked(county):
    """敏感个人信息默认脱敏显示（DESIGN §2.1）: a caller's slip must not reach the trail."""
    event = record(actor=None, action="test.leak", organization=county,
                   changes={"id_number": [None, "410105199001011234"], "note": [None, "身份证41010519900101123X已核验"]})
    assert event.changes["id_number"] == [None, "410***********1234"]
    assert "41010519900101123X" not in event.changes["note"][1]


def test_raw_mobile_number_in_changes_and_label_is_masked(county):
    event = record(actor=None, action="test.leak", organization=county, subject_label="联系人 13812345678",
                   changes={"phone": ["13912345678", "13812345678"]})
    assert event.changes["phone"] == ["139****5678", "138****5678"]
    assert event.subject_label == "联系人 138****5678"


def test_masked_values_and_other_numbers_are_left_alone(county):
    changes = {"id_number": ["410***********1234", None], "code": [None, "C01T01B01"], "account": [None, "13812345678901"]}
    event = record(actor=None, action="test.clean", organization=county, changes=changes)
    assert event.changes == changes


def test_batch_appends_link_like_single_appends_and_write_the_head_once(county):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from audit.services import appending_in_batch

    with CaptureQueriesContext(connection) as queries, appending_in_batch():
        for n in range(5):
            record(actor=None, action="test.batch", organization=county, changes={"n": [None, n]})
    events = list(Event.objects.filter(chain=str(county.pk)).order_by("seq"))
    assert [e.seq for e in events][-5:] == [events[-5].seq + i for i in range(5)]
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:], strict=False))
    head = ChainHead.objects.get(chain=str(county.pk))
    assert (head.seq, head.last_hash) == (events[-1].seq, events[-1].hash)
    head_writes = [q for q in queries.captured_queries if q["sql"].startswith('UPDATE "audit_chainhead"')]
    assert len(head_writes) == 1
