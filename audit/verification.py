"""Checking the hash chains of the event log (DESIGN §5: "reports the first broken link").

Each chain is walked in `seq` order in keyset-paginated batches, so memory stays constant however
long the chain is. For every row: the seq follows the previous one, `prev_hash` is the previous
row's hash (the genesis value for seq 1), and the stored hash is what SM3 gives over the row's
content. At the end the chain head must point at the last row. The first failure ends the walk of
that chain: everything after a broken link is unverifiable anyway.

Called by the `verify_audit_chain` command; a periodic task can call `verify_chains` the same way.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .hashing import GENESIS, event_hash
from .models import ChainHead, Event
from .services import hashed_fields

BATCH_SIZE = 2000


@dataclass(frozen=True)
class ChainBreak:
    """The first broken link of a chain. `seq`/`event_id` are None when the problem is the head."""

    chain: str
    seq: int | None
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"第 {self.seq} 条（事件 {self.event_id}）" if self.seq is not None else "链头"
        return f"审计链 {self.chain} 断裂：{where}{self.problem}"


@dataclass(frozen=True)
class ChainReport:
    chain: str
    count: int  # rows checked before the walk ended
    broken: ChainBreak | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None


@dataclass
class VerificationResult:
    chains: list[ChainReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(report.ok for report in self.chains)

    @property
    def count(self) -> int:
        return sum(report.count for report in self.chains)

    @property
    def breaks(self) -> list[ChainBreak]:
        return [report.broken for report in self.chains if report.broken is not None]


def chain_names() -> list[str]:
    """Every chain that has a head or at least one event (a missing head is itself a break)."""
    heads = set(ChainHead.objects.values_list("chain", flat=True))
    orphans = set(Event.objects.exclude(chain__in=heads).values_list("chain", flat=True).distinct())
    return sorted(heads | orphans)


def _events(chain: str, batch_size: int) -> Iterator[Event]:
    """The chain's rows in seq order, one batch at a time (keyset pagination on (chain, seq))."""
    last_seq = 0
    while True:
        batch = list(Event.objects.filter(chain=chain, seq__gt=last_seq).order_by("seq")[:batch_size])
        yield from batch
        if len(batch) < batch_size:
            return
        last_seq = batch[-1].seq


def _gap(expected: int, found: int) -> str:
    problem = f"序号不连续：应为第 {expected} 条，实为第 {found} 条"
    if found > expected:
        missing = f"第 {expected} 条" if found == expected + 1 else f"第 {expected} 至 {found - 1} 条"
        problem += f"（{missing}记录缺失）"
    return problem


def verify_chain(chain: str, *, batch_size: int = BATCH_SIZE) -> ChainReport:
    expected_seq = 1
    expected_prev = GENESIS
    count = 0
    for event in _events(chain, batch_size):
        problem = None
        if event.seq != expected_seq:
            problem = _gap(expected_seq, event.seq)
        elif event.prev_hash != expected_prev:
            problem = "前一条摘要与上一条记录的摘要不符（链被改接或上一条被替换）"
        elif event_hash(prev_hash=event.prev_hash, fields=hashed_fields(event)) != event.hash:
            problem = "摘要与内容不符（记录内容被改动）"
        if problem is not None:
            return ChainReport(chain, count, ChainBreak(chain, event.seq, event.pk, problem))
        count += 1
        expected_seq += 1
        expected_prev = event.hash
    head = ChainHead.objects.filter(chain=chain).first()
    last_seq = expected_seq - 1
    if head is None:
        return ChainReport(chain, count, ChainBreak(chain, None, None, "缺失（有记录但没有链头）"))
    if head.seq != last_seq:
        return ChainReport(chain, count, ChainBreak(
            chain, None, None, f"序号为 {head.seq}，但最后一条记录是第 {last_seq} 条（末尾记录缺失或链头被改动）",
        ))
    if last_seq and head.last_hash != expected_prev:
        return ChainReport(chain, count, ChainBreak(chain, None, None, "摘要与最后一条记录的摘要不符"))
    return ChainReport(chain, count)


def verify_chains(chains: Iterable[str] | None = None, *, batch_size: int = BATCH_SIZE) -> VerificationResult:
    """Verify the given chains (default: all of them)."""
    names = chain_names() if chains is None else list(chains)
    return VerificationResult([verify_chain(name, batch_size=batch_size) for name in names])
