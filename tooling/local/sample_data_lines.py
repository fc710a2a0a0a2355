"""The raw lines of one day, as precomputed bytes: good orders, each kind of bad one, customers.

Formatting a timestamp or a JSON object per row would dominate the generator's time, so the day's
timestamps and a pool of order tails are formatted once and spliced into a byte template.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from tooling.local.sample_data_types import COUNTRIES, DRIFT_FIELDS, RECORD_KINDS, STATUSES, DaySummary

TAIL_POOL = 4_096
SECONDS_PER_DAY = 86_400
# Good orders are created before the last hour of the day, so updated_at (up to an hour later) stays in it.
LAST_CREATED = SECONDS_PER_DAY - 3_600
ORDER_LINE = b'{"order_id":"O%s-%08d","customer_id":"C%s-%06d",%s"created_at":"%s","updated_at":"%s"}\n'


def timestamps(day: date) -> list[bytes]:
    """Every second of the day as ISO-8601 UTC bytes: formatting once beats formatting per row."""
    prefix = day.isoformat().encode()
    return [b"%sT%02d:%02d:%02dZ" % (prefix, s // 3600, s // 60 % 60, s % 60) for s in range(SECONDS_PER_DAY)]


def customer_lines(rng: random.Random, day: date, count: int) -> Iterator[bytes]:
    stamp = day.strftime("%Y%m%d").encode()
    seconds = timestamps(day)
    signup = (day - timedelta(days=365)).isoformat().encode() + b"T08:00:00Z"
    for k in range(count):
        country = COUNTRIES[rng.getrandbits(3)].encode()
        yield (
            b'{"customer_id":"C%s-%06d","customer_name":"Customer %d","email":"customer%d@example.com",'
            b'"country":"%s","signup_at":"%s","updated_at":"%s"}\n'
            % (stamp, k, k, k, country, signup, seconds[rng.getrandbits(16)])
        )


class OrderLines:
    """The order lines of one day, good and bad, counting the expected outcome as it goes."""

    def __init__(
        self,
        rng: random.Random,
        day: date,
        rows: int,
        bad_share: float,
        kinds: tuple[str, ...],
        customer_count: int,
        summary: DaySummary,
    ) -> None:
        self.rng = rng
        self.day = day
        self.rows = rows
        self.bad_share = bad_share if kinds else 0.0
        self.kinds = kinds
        self.customer_count = customer_count
        self.counts = summary.orders
        self.bad = summary.bad_records
        self.stamp = day.strftime("%Y%m%d").encode()
        self.seconds = timestamps(day)
        self.tails = [self._tail(rng.choice(STATUSES).encode()) for _ in range(TAIL_POOL)]
        self.last_good: tuple[int, int] | None = None
        self.bad_seen = 0

    def _tail(self, status: bytes, total: bytes | None = None, items: bytes | None = None) -> bytes:
        if total is None:
            total = b"%d.%02d" % (self.rng.randint(5, 2_000), self.rng.randint(0, 99))
        if items is None:
            items = b"%d" % self.rng.randint(1, 10)
        return b'"order_total":%s,"currency":"CAD","order_status":"%s","item_count":%s,' % (
            total,
            status,
            items,
        )

    def _line(self, order: int, customer: int, tail: bytes, created: bytes, updated: bytes) -> bytes:
        return ORDER_LINE % (self.stamp, order, self.stamp, customer, tail, created, updated)

    def lines(self, start: int, stop: int) -> Iterator[bytes]:
        """Order lines `start` to `stop` of the day; call for consecutive ranges, one per file."""
        getrandbits, seconds, tails, stamp = self.rng.getrandbits, self.seconds, self.tails, self.stamp
        customers, kinds = self.customer_count, self.kinds
        next_bad = self._next_bad(start)
        for i in range(start, stop):
            if i == next_bad:
                next_bad = self._next_bad(i + 1)
                kind = kinds[self.bad_seen % len(kinds)]
                if kind != "duplicate" or self.last_good is not None:
                    self.bad_seen += 1
                    self.bad[kind] += 1
                    yield self._bad_line(kind, i, self.bad[kind])
                    continue
            r = getrandbits(64)
            created = (r >> 12) % LAST_CREATED
            self.last_good = (i, r)
            yield ORDER_LINE % (
                stamp,
                i,
                stamp,
                (r >> 30) % customers,
                tails[r & (TAIL_POOL - 1)],
                seconds[created],
                seconds[created + (r >> 40) % 3_600],
            )

    def _next_bad(self, i: int) -> int:
        """The first bad line at or after `i`: line i is bad when i * share crosses an integer."""
        if not self.bad_share:
            return -1
        while int((i + 1) * self.bad_share) == int(i * self.bad_share):
            i += 1
        return i

    def _bad_line(self, kind: str, i: int, nth: int) -> bytes:
        """One bad line of `kind`; also books its expected outcome in the day's counts."""
        outcome = RECORD_KINDS[kind]
        if outcome == "deduplicated":
            self.counts.deduplicated += 1
        elif outcome != "written":
            self.counts.quarantined[outcome] += 1
        customer = self.rng.randrange(self.customer_count)
        created = self.rng.randrange(LAST_CREATED)
        created_at, updated_at = self.seconds[created], self.seconds[created + 60]
        tail = self._tail(b"confirmed")
        if kind == "malformed_json":
            line = self._line(i, customer, tail, created_at, updated_at)
            return line[: len(line) // 2] + b"\n"
        if kind == "missing_key":
            line = self._line(i, customer, tail, created_at, updated_at)
            return line.replace(b'"customer_id":"C%s-%06d",' % (self.stamp, customer), b"")
        if kind == "null_key":
            return self._line(i, customer, self._tail(b"confirmed", total=b"null"), created_at, updated_at)
        if kind == "wrong_type":
            wrong = (
                self._tail(b"confirmed", total=b'"12.50"')
                if nth % 2
                else self._tail(b"shipped", items=b'"three"')
            )
            return self._line(i, customer, wrong, created_at, updated_at)
        if kind == "negative_total":
            return self._line(i, customer, self._tail(b"confirmed", total=b"-12.50"), created_at, updated_at)
        if kind == "absurd_total":
            return self._line(
                i, customer, self._tail(b"confirmed", total=b"1000000000.00"), created_at, updated_at
            )
        if kind == "unknown_status":
            return self._line(i, customer, self._tail(b"lost_in_space"), created_at, updated_at)
        if kind == "duplicate":
            return self._duplicate(nth)
        if kind == "unknown_customer":
            line = self._line(i, customer, tail, created_at, updated_at)
            return line.replace(b'"customer_id":"C', b'"customer_id":"UNKNOWN-C', 1)
        if kind == "created_outside_partition":
            yesterday = (self.day - timedelta(days=1)).isoformat().encode() + b"T23:30:00Z"
            return self._line(i, customer, tail, yesterday, updated_at)
        if kind == "non_utf8":
            line = self._line(i, customer, tail, created_at, updated_at)
            return line.replace(b'"order_id":"O', b'"order_id":"\xff\xfeO', 1)
        drift = DRIFT_FIELDS[nth % len(DRIFT_FIELDS)]
        self.counts.schema_drift[drift] += 1
        extra = b'"coupon_code":"SAVE10",' if drift == "coupon_code" else b'"gift_wrap":true,'
        return self._line(i, customer, tail + extra, created_at, updated_at)

    def _duplicate(self, nth: int) -> bytes:
        """Another version of the last good order: newer (it wins) or older (it loses), in turn."""
        assert self.last_good is not None
        order, r = self.last_good
        created = (r >> 12) % LAST_CREATED
        updated = created + 3_600 if nth % 2 else created
        customer = (r >> 30) % self.customer_count
        return self._line(
            order, customer, self._tail(b"delivered"), self.seconds[created], self.seconds[updated]
        )
