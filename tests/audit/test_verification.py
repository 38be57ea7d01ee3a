"""verify_audit_chain: recompute every hash and report the first broken link (DESIGN §5)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from audit.hashing import event_hash
from audit.models import ChainHead, Event
from audit.services import hashed_fields, record
from audit.verification import verify_chain, verify_chains

from .factories import make_events
from .helpers import triggers_disabled

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(county) -> str:
    """A county chain of exactly three events: the county's creation (seq 1) and two more."""
    make_events(county, 2)
    assert Event.objects.filter(chain=str(county.pk)).count() == 3
    return str(county.pk)


def _run(*args: str) -> str:
    out = StringIO()
    call_command("verify_audit_chain", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_intact_chains_pass_with_the_event_count(chain, other_county):
    total = Event.objects.count()
    assert f"审计链完整：{total} 条" in _run()


def test_one_county_can_be_checked_alone(chain, county, other_county):
    assert "审计链完整：3 条" in _run("--county", str(county.pk))


def test_one_chain_can_be_checked_by_name(chain):
    assert "审计链完整：3 条" in _run("--chain", chain)


def test_unknown_chain_is_an_error(chain):
    with pytest.raises(CommandError, match="没有这些审计链"):
        _run("--chain", "no-such-chain")


def test_altered_content_is_reported_at_its_seq(chain):
    with triggers_disabled():
        Event.objects.filter(chain=chain, seq=2).update(changes={"n": [None, 999]})
    with pytest.raises(CommandError) as error:
        _run()
    tampered = Event.objects.get(chain=chain, seq=2)
    assert f"审计链 {chain} 断裂：第 2 条（事件 {tampered.pk}）" in str(error.value)
    assert "摘要与内容不符" in str(error.value)


def test_altered_action_is_reported_as_the_first_broken_link(chain):
    with triggers_disabled():
        Event.objects.filter(chain=chain, seq=2).update(action="test.innocent")
    report = verify_chain(chain)
    assert not report.ok
    assert (report.broken.seq, report.count) == (2, 1)


def test_relinked_row_with_a_recomputed_hash_breaks_the_next_link(chain):
    """An attacker who rewrites seq 2 and its own hash still breaks seq 3's prev_hash."""
    with triggers_disabled():
        Event.objects.filter(chain=chain, seq=2).update(hash="f" * 64)
    report = verify_chain(chain)
    assert report.broken.seq == 2  # its stored hash no longer matches its content either
    with triggers_disabled():
        event = Event.objects.get(chain=chain, seq=2)
        event.action = "test.rewritten"
        event.hash = event_hash(prev_hash=event.prev_hash, fields=hashed_fields(event))
        event.save()
    report = verify_chain(chain)
    assert report.broken.seq == 3
    assert "前一条摘要" in report.broken.problem


def test_deleted_middle_row_is_a_seq_gap(chain):
    with triggers_disabled():
        Event.objects.filter(chain=chain, seq=2).delete()
    with pytest.raises(CommandError, match="第 2 条记录缺失"):
        _run("--chain", chain)
    assert verify_chain(chain).broken.seq == 3


def test_deleted_last_row_is_caught_by_the_chain_head(chain):
    with triggers_disabled():
        Event.objects.filter(chain=chain, seq=3).delete()
    report = verify_chain(chain)
    assert report.broken.seq is None
    assert "最后一条记录是第 2 条" in report.broken.problem


def test_only_the_first_break_per_chain_is_reported(chain, other_county):
    with triggers_disabled():
        Event.objects.filter(chain=chain, seq__in=[2, 3]).update(action="test.innocent")
    result = verify_chains()
    assert [(b.chain, b.seq) for b in result.breaks] == [(chain, 2)]
    assert [r.ok for r in result.chains if r.chain == str(other_county.pk)] == [True]


def test_small_batches_walk_the_whole_chain(county):
    make_events(county, 6)
    report = verify_chain(str(county.pk), batch_size=2)
    assert report.ok and report.count == 7


def test_tampering_is_found_across_batch_boundaries(county):
    make_events(county, 6)
    with triggers_disabled():
        Event.objects.filter(chain=str(county.pk), seq=5).update(changes={})
    assert verify_chain(str(county.pk), batch_size=2).broken.seq == 5


def test_missing_chain_head_is_reported(db):
    record(actor=None, action="test.global")
    with triggers_disabled():
        ChainHead.objects.filter(chain="global").delete()
    report = verify_chain("global")
    assert "没有链头" in report.broken.problem


def test_rewound_chain_head_is_reported(chain):
    with triggers_disabled():
        ChainHead.objects.filter(chain=chain).update(seq=2)
    assert "链头" in str(verify_chain(chain).broken)
