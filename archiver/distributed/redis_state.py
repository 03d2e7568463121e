"""The shared crawl state in Redis: frontier, seen-set, item list, worker liveness, domain leases.

Everything several worker processes (on any number of hosts) and the one archive writer share
lives here, as Redis data structures, so no other module spells a Redis key (but for the
published validators, archiver.distributed.validators). No Scrapy: the
frontier stores requests as opaque bytes (the Scrapy side serialises them).

Key layout (prefix `archiver:` by default):

- `{p}{site}:queue`        sorted set: request id -> -priority (lowest score pops first)
- `{p}{site}:reqs`         hash: request id -> serialised request
- `{p}{site}:inflight:{w}` hash: request id -> time popped by worker `w` (until acknowledged)
- `{p}{site}:seen`         sorted set: request fingerprint -> time first seen (pruned by age)
- `{p}{site}:budget`       pages this run may still queue (set by seeding; absent: no limit)
- `{p}worker:{w}`          string with a TTL: worker `w` is alive while it exists
- `{p}items`               list: finished articles and run records, for the writer
- `{p}items:writing`       list: the batch the writer is committing (replayed after a crash)
- `{p}items:deferred`      list: run records kept until the archive has a `runs` table
- `{p}lease:{domain}:next` / `:held`: the domain's next allowed request time, and its leases
- `{p}run:{w}`             string with a TTL: worker `w`'s run is going on (heartbeat thread)
- `{p}validators:{url}`    string with a TTL: JSON ETag / Last-Modified of an archived page,
                           published by the writer after commit, read by the workers
                           (archiver.distributed.validators)

Delivery is at-least-once everywhere: a request popped by a worker that dies returns to the
queue; an item taken by a writer that dies is taken again. The archive's upsert by URL makes
the repeats harmless.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import redis

from archiver.errors import ArchiverError, ExitCode

PREFIX = "archiver:"
WORKER_TTL_MS = 10_000  #: a worker silent this long is dead; its in-flight requests return
RECOVERED_SCORE = -1_000_000  #: requests taken back from a dead worker go to the front


class RedisUnavailable(ArchiverError):
    """The Redis server named by --redis cannot be reached or refused a command."""

    exit_code = ExitCode.FAILED


def connect(url: str) -> redis.Redis:
    """A Redis client for `url`, checked with a PING so a bad URL fails at once, in one line."""
    try:
        client = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10,
                                      retry_on_timeout=True)
        client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise RedisUnavailable(f"redis {url}: {exc}") from None
    return client


def worker_id() -> str:
    """A name unique to this process, readable in logs: host, pid and a random suffix."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


# -- Lua: each script runs atomically on the server, with the server's clock ------------------

_POP = """
local ids = redis.call('ZRANGE', KEYS[1], 0, 0)
if #ids == 0 then return false end
local id = ids[1]
redis.call('ZREM', KEYS[1], id)
local data = redis.call('HGET', KEYS[2], id)
if not data then return false end
local t = redis.call('TIME')
redis.call('HSET', KEYS[3], id, t[1])
return {id, data}
"""

_RECOVER = """
local ids = redis.call('HKEYS', KEYS[1])
for _, id in ipairs(ids) do
  if redis.call('HEXISTS', KEYS[3], id) == 1 then
    redis.call('ZADD', KEYS[2], ARGV[1], id)
  end
end
redis.call('DEL', KEYS[1])
return #ids
"""

_BUDGET = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 1 end
if redis.call('DECR', KEYS[1]) >= 0 then return 1 end
return 0
"""

_SEEN = """
local t = redis.call('TIME')
local now = tonumber(t[1])
local old = redis.call('ZSCORE', KEYS[1], ARGV[1])
if old and tonumber(old) > now - tonumber(ARGV[2]) then return 1 end
redis.call('ZADD', KEYS[1], now, ARGV[1])
return 0
"""

_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
if now < nxt then return nxt - now end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[1]) then
  -- leases of workers that died mid-download go at once, not when they time out
  for _, held in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
    local owner = string.match(held, '^(.*)|')
    if owner and owner ~= '' and redis.call('EXISTS', ARGV[5] .. owner) == 0 then
      redis.call('ZREM', KEYS[2], held)
    end
  end
  if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[1]) then return -1 end
end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[4])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[3]) + 60000)
if tonumber(ARGV[2]) > 0 then
  redis.call('SET', KEYS[1], now + tonumber(ARGV[2]), 'PX', tonumber(ARGV[2]) + 1000)
end
return 0
"""


class Frontier:
    """One site's shared queue of requests, with acknowledgement and recovery.

    A pop moves the request into this worker's in-flight hash; `ack` removes it once its page
    is fully dealt with (links queued, article pushed). A worker whose liveness key expired
    has its in-flight requests put back by whichever worker notices first.
    """

    def __init__(self, client: redis.Redis, site: str, worker: str, prefix: str = PREFIX) -> None:
        self.r = client
        self.site = site
        self.worker = worker
        self.prefix = prefix
        base = f"{prefix}{site}:"
        self.queue_key = base + "queue"
        self.reqs_key = base + "reqs"
        self.inflight_key = f"{base}inflight:{worker}"
        self.budget_key = base + "budget"
        self._pop = client.register_script(_POP)
        self._budget = client.register_script(_BUDGET)
        self._recover = client.register_script(_RECOVER)

    def push(self, data: bytes, priority: int = 0, *, replaces: str | None = None) -> str:
        """Queue a serialised request; `replaces` acknowledges the request it stands for."""
        rid = uuid.uuid4().hex
        with self.r.pipeline() as pipe:
            pipe.hset(self.reqs_key, rid, data)
            pipe.zadd(self.queue_key, {rid: -priority})
            if replaces:
                pipe.hdel(self.inflight_key, replaces)
                pipe.hdel(self.reqs_key, replaces)
            pipe.execute()
        return rid

    def set_budget(self, pages: int) -> None:
        """This run may queue `pages` more pages (seeds not counted), found by any worker."""
        self.r.set(self.budget_key, pages)

    def take_budget(self) -> bool:
        """Count one page against the run's budget; False when it is spent."""
        return bool(self._budget(keys=[self.budget_key]))

    def pop(self) -> tuple[str, bytes] | None:
        """The highest-priority request, now in flight for this worker (None when empty)."""
        got = self._pop(keys=[self.queue_key, self.reqs_key, self.inflight_key])
        if not got:
            return None
        rid, data = got
        return rid.decode() if isinstance(rid, bytes) else rid, data

    def ack(self, rid: str) -> None:
        """The request is done: forget it."""
        with self.r.pipeline() as pipe:
            pipe.hdel(self.inflight_key, rid)
            pipe.hdel(self.reqs_key, rid)
            pipe.execute()

    def queued(self) -> int:
        return int(self.r.zcard(self.queue_key))

    def in_flight(self) -> int:
        """Requests popped and not yet acknowledged, by any worker."""
        return sum(int(self.r.hlen(k)) for k in self._inflight_keys())

    def _inflight_keys(self) -> list[bytes]:
        return list(self.r.scan_iter(match=f"{self.prefix}{self.site}:inflight:*", count=500))

    def recover(self, *, include_self: bool = False) -> int:
        """Put back the in-flight requests of dead workers (and our own, when closing)."""
        count = 0
        for key in self._inflight_keys():
            name = key.decode().rsplit(":", 1)[1]
            mine = name == self.worker
            if (mine and include_self) or (not mine and not is_alive(self.r, name, self.prefix)):
                count += int(self._recover(keys=[key, self.queue_key, self.reqs_key],
                                           args=[RECOVERED_SCORE]))
        return count

    def clear(self) -> None:
        """Drop the whole frontier of this site (queued and in-flight requests)."""
        keys: list[str | bytes] = [self.queue_key, self.reqs_key, self.budget_key,
                                   *self._inflight_keys()]
        self.r.delete(*keys)


class SeenSet:
    """Request fingerprints of one site, each forgotten `ttl` seconds after it was first seen.

    A plain Redis set (scrapy-redis's default) grows by every URL ever discovered, month after
    month; here every member carries its time, a request seen longer ago than `ttl` counts as
    new again (a revisit), and `prune` drops the expired members so memory stays bounded by
    the number of URLs discovered within one `ttl`.
    """

    def __init__(self, client: redis.Redis, site: str, ttl: float,
                 prefix: str = PREFIX) -> None:
        self.r = client
        self.key = f"{prefix}{site}:seen"
        self.ttl = ttl
        self._seen = client.register_script(_SEEN)

    def add(self, fingerprint: bytes | str) -> bool:
        """Record the fingerprint; True when it was already seen within the TTL."""
        return bool(self._seen(keys=[self.key], args=[fingerprint, int(self.ttl)]))

    def prune(self) -> int:
        """Forget fingerprints older than the TTL; return how many went."""
        now = self.r.time()[0]
        return int(self.r.zremrangebyscore(self.key, "-inf", now - self.ttl))

    def __len__(self) -> int:
        return int(self.r.zcard(self.key))


def is_alive(client: redis.Redis, worker: str, prefix: str = PREFIX) -> bool:
    return bool(client.exists(f"{prefix}worker:{worker}"))


def heartbeat(client: redis.Redis, worker: str, prefix: str = PREFIX) -> None:
    """Say this worker is alive for the next WORKER_TTL_MS."""
    client.set(f"{prefix}worker:{worker}", str(time.time()), px=WORKER_TTL_MS)


def retire(client: redis.Redis, worker: str, prefix: str = PREFIX) -> None:
    client.delete(f"{prefix}worker:{worker}")


def live_workers(client: redis.Redis, prefix: str = PREFIX) -> list[str]:
    return [k.decode().removeprefix(f"{prefix}worker:")
            for k in client.scan_iter(match=f"{prefix}worker:*", count=500)]


class ItemQueue:
    """The list workers push finished articles (and run records) to, drained by one writer.

    The writer moves a batch into `items:writing`, commits it to SQLite, then deletes it: a
    writer killed mid-batch finds the batch there on restart and commits it again.
    """

    def __init__(self, client: redis.Redis, prefix: str = PREFIX) -> None:
        self.r = client
        self.key = f"{prefix}items"
        self.writing_key = f"{prefix}items:writing"
        self.deferred_key = f"{prefix}items:deferred"

    def push(self, data: bytes) -> None:
        self.r.lpush(self.key, data)

    def pending(self) -> int:
        return int(self.r.llen(self.key))

    def unfinished(self) -> list[bytes]:
        """A batch a previous writer took and did not confirm, oldest first."""
        batch = cast(list[bytes], self.r.lrange(self.writing_key, 0, -1))  # no decode_responses
        return batch[::-1]

    def take(self, limit: int, timeout: float) -> list[bytes]:
        """Move up to `limit` items into the writing list (waiting `timeout` s for the first)."""
        # BLMOVE takes seconds with decimals; redis-py's stub says int
        first = self.r.blmove(self.key, self.writing_key, cast(int, timeout), "RIGHT", "LEFT")
        if first is None:
            return []
        batch: list[bytes] = [cast(bytes, first)]  # the client does not decode responses
        with self.r.pipeline(transaction=False) as pipe:
            for _ in range(limit - 1):
                pipe.lmove(self.key, self.writing_key, "RIGHT", "LEFT")
            batch += [item for item in pipe.execute() if item is not None]
        return batch

    def confirm(self, *, deferred: Sequence[bytes] = ()) -> None:
        """The writing batch is committed: drop it, keeping `deferred` messages for later."""
        with self.r.pipeline() as pipe:
            for message in deferred:
                pipe.lpush(self.deferred_key, message)
            pipe.delete(self.writing_key)
            pipe.execute()

    def take_deferred(self) -> list[bytes]:
        """Move the messages kept for later into the writing list; return them, oldest first."""
        n = int(self.r.llen(self.deferred_key))
        with self.r.pipeline() as pipe:
            for _ in range(n):
                pipe.lmove(self.deferred_key, self.writing_key, "RIGHT", "LEFT")
            return [m for m in pipe.execute() if m is not None]


RUN_TTL_SECONDS = 10.0  #: a run whose heartbeat is this old is lost (its worker died)


def run_beat(client: redis.Redis, worker: str, ttl: float = RUN_TTL_SECONDS,
             prefix: str = PREFIX) -> None:
    """Say worker `worker`'s run goes on for the next `ttl` seconds."""
    client.set(f"{prefix}run:{worker}", str(time.time()), px=max(1, int(ttl * 1000)))


def run_end(client: redis.Redis, worker: str, prefix: str = PREFIX) -> None:
    """The run ended cleanly (its final record is already pushed)."""
    client.delete(f"{prefix}run:{worker}")


def run_alive(client: redis.Redis, worker: str, prefix: str = PREFIX) -> bool:
    return bool(client.exists(f"{prefix}run:{worker}"))


def live_runs(client: redis.Redis, prefix: str = PREFIX) -> list[str]:
    return [k.decode().removeprefix(f"{prefix}run:")
            for k in client.scan_iter(match=f"{prefix}run:*", count=500)]


@dataclass(frozen=True)
class Lease:
    """A right to send one request to a domain now."""

    domain: str
    token: str


class DomainLeases:
    """Per-domain politeness shared by every worker: at most `concurrency` requests at once,
    and at least `delay` seconds between the starts of two requests, counted on the Redis
    server's clock (so hosts with skewed clocks agree).
    """

    def __init__(self, client: redis.Redis, *, concurrency: int, delay: float,
                 lease_seconds: float, worker: str = "", prefix: str = PREFIX) -> None:
        self.r = client
        self.worker = worker  #: leases of a worker whose liveness key expired are freed early
        self.concurrency = max(1, concurrency)
        self.delay_ms = int(delay * 1000)
        self.lease_ms = int(lease_seconds * 1000)
        self.prefix = prefix
        self._acquire = client.register_script(_ACQUIRE)

    def try_acquire(self, domain: str) -> tuple[Lease | None, float]:
        """A lease, or None and how long to wait before asking again (seconds)."""
        token = f"{self.worker}|{uuid.uuid4().hex}"
        base = f"{self.prefix}lease:{domain}:"
        wait = int(self._acquire(keys=[base + "next", base + "held"],
                                 args=[self.concurrency, self.delay_ms, self.lease_ms, token,
                                       f"{self.prefix}worker:"]))
        if wait == 0:
            return Lease(domain, token), 0.0
        return None, (wait / 1000 if wait > 0 else 0.01)

    def release(self, lease: Lease) -> None:
        self.r.zrem(f"{self.prefix}lease:{lease.domain}:held", lease.token)


def frontier_busy(client: redis.Redis, prefix: str = PREFIX) -> bool:
    """True while any site's frontier holds a queued or in-flight request."""
    for pattern in (f"{prefix}*:queue", f"{prefix}*:inflight:*"):
        for key in client.scan_iter(match=pattern, count=500):
            if client.type(key) in (b"zset", b"hash") and (
                    client.zcard(key) if client.type(key) == b"zset" else client.hlen(key)):
                return True
    return False


def frontier_status(client: redis.Redis, sites: list[str], prefix: str = PREFIX
                    ) -> dict[str, Any]:
    """Queued and in-flight requests per site, live workers, and items waiting for the writer."""
    out: dict[str, Any] = {"sites": {}, "workers": live_workers(client, prefix),
                           "items": ItemQueue(client, prefix).pending()}
    for site in sites:
        f = Frontier(client, site, "-", prefix)
        out["sites"][site] = {"queued": f.queued(), "in_flight": f.in_flight()}
    return out
