"""Everything the cluster keeps in Redis, and the atomic operations on it.

Keys, all under ``[cluster] key_prefix`` (``syndicator`` by default):

==========================  ====================================================
``P:requests``              sorted set: the request queue (scrapy-redis's), by
                            priority then age
``P:processing``            hash id -> request: popped, in flight on a worker
``P:owners``                hash id -> "worker score": who holds it
``P:workers``               sorted set worker -> heartbeat deadline
``P:fingerprints``          sorted set fingerprint -> when first seen
``P:items``                 list: items and fetch records for ingest
``P:items:ingesting``       list: what ingest has taken and not committed yet
``P:run``                   the coordinator's current run id
``P:run:admitted``          hash source -> article pages admitted this run
``P:run:requests``          hash source -> requests sent this run (robots.txt: "")
``P:run:postponed``         hash source -> article pages postponed this run (over
                            its ``max_articles_per_run``)
``P:polite:HOST``           when the next request to HOST may start
``P:inflight:HOST``         sorted set token -> lease end: requests in flight
``P:ingest:lock``           the one ingest process
``P:teaser-places``         hash source -> JSON {site: [place, ...]}: its learned teaser places
                            (the coordinator's copy from the store, each run)
==========================  ====================================================

Moves between the queue, ``processing`` and ``items`` are Lua scripts, so a
request is always in exactly one place: a worker killed at any moment leaves
its requests in ``processing``, where :meth:`Shared.requeue_orphans` finds
them once its heartbeat has lapsed. Times are Redis's own clock (``TIME``),
so the machines' clocks need not agree.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import uuid

from syndicator.cluster.connection import PatientRedis, connect
from syndicator.config import Cluster

_NOW = "local t = redis.call('TIME'); local now = tonumber(t[1]) + tonumber(t[2]) / 1e6\n"

# KEYS queue, processing, owners; ARGV worker -> {id, data} or nil
POP = """
local got = redis.call('ZPOPMIN', KEYS[1])
if #got == 0 then return false end
local id = string.sub(redis.sha1hex(got[1]), 1, 20)
redis.call('HSET', KEYS[2], id, got[1])
redis.call('HSET', KEYS[3], id, ARGV[1] .. ' ' .. got[2])
return {id, got[1]}
"""

# KEYS queue, processing, owners; ARGV score, data, id of the request this replaces or ''
PUSH = """
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
if ARGV[3] ~= '' then
  redis.call('HDEL', KEYS[2], ARGV[3])
  redis.call('HDEL', KEYS[3], ARGV[3])
end
return 1
"""

# KEYS processing, owners, items; ARGV id, messages... : done with a request, and what it gave
ACK = """
for i = 2, #ARGV do redis.call('RPUSH', KEYS[3], ARGV[i]) end
if ARGV[1] ~= '' then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
end
return 1
"""

# KEYS workers; ARGV worker, timeout
HEARTBEAT = _NOW + "redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1]) return 1"

# KEYS queue, processing, owners: an in-flight request back to the queue
_PUT_BACK = """
local function put_back(id, score)
  local data = redis.call('HGET', KEYS[2], id)
  if data then redis.call('ZADD', KEYS[1], score, data) end
  redis.call('HDEL', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
  return 1
end
"""

# KEYS queue, processing, owners, workers -> how many requests went back to the queue
REQUEUE_ORPHANS = (
    _NOW
    + _PUT_BACK
    + """
local owners = redis.call('HGETALL', KEYS[3])
local moved = 0
for i = 1, #owners, 2 do
  local worker, score = string.match(owners[i + 1], '^(%S+) (%S+)$')
  local alive = redis.call('ZSCORE', KEYS[4], worker)
  if not alive or tonumber(alive) < now then moved = moved + put_back(owners[i], score) end
end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
return moved
"""
)

# KEYS queue, processing, owners; ARGV worker, the ids it holds... -> requests put back:
# those Redis says the worker holds and it does not know of (a POP whose answer was lost)
REQUEUE_UNHELD = (
    _PUT_BACK
    + """
local held = {}
for i = 2, #ARGV do held[ARGV[i]] = true end
local owners = redis.call('HGETALL', KEYS[3])
local moved = 0
for i = 1, #owners, 2 do
  local worker, score = string.match(owners[i + 1], '^(%S+) (%S+)$')
  if worker == ARGV[1] and not held[owners[i]] then moved = moved + put_back(owners[i], score) end
end
return moved
"""
)

# KEYS fingerprints; ARGV fingerprint, ttl -> 1 when seen within the ttl, else 0 (and noted)
SEEN = (
    _NOW
    + """
local at = redis.call('ZSCORE', KEYS[1], ARGV[1])
if at and tonumber(at) > now - tonumber(ARGV[2]) then return 1 end
redis.call('ZADD', KEYS[1], now, ARGV[1])
return 0
"""
)

# KEYS fingerprints; ARGV ttl -> entries removed
PRUNE = _NOW + "return redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))"

# KEYS polite, inflight; ARGV delay, concurrency, lease, token -> "0" to go, else seconds to wait
ACQUIRE = (
    _NOW
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[2]) then return '0.05' end
local delay = tonumber(ARGV[1])
local next_start = tonumber(redis.call('GET', KEYS[1]) or '0')
if next_start > now then return tostring(next_start - now) end
if delay > 0 then
  redis.call('SET', KEYS[1], tostring(now + delay), 'PX', math.ceil(delay * 1000) + 1000)
end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[4])
redis.call('PEXPIRE', KEYS[2], math.ceil(tonumber(ARGV[3]) * 1000))
return '0'
"""
)

# KEYS items, ingesting; ARGV n -> up to n messages, moved to ingesting
TAKE = """
local out = {}
for i = 1, tonumber(ARGV[1]) do
  local v = redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT')
  if not v then break end
  out[#out + 1] = v
end
return out
"""

# KEYS items, ingesting: what a dead ingest had taken goes back to the head, in order
RECOVER = """
local n = 0
while redis.call('LMOVE', KEYS[2], KEYS[1], 'RIGHT', 'LEFT') do n = n + 1 end
return n
"""

BACKLOG = """
return {redis.call('ZCARD', KEYS[1]), redis.call('HLEN', KEYS[2]),
        redis.call('LLEN', KEYS[3]), redis.call('LLEN', KEYS[4])}
"""


def worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def fingerprint(url: str, kind: str, date: str | None = None, run: str | None = None) -> str:
    """What makes a request "the same" for the duplicate filter: an article
    page with the same listed date, or a feed/sitemap/section in the same run."""
    key = f"{url} {date or ''}" if kind == "article" else f"{url} run {run or ''}"
    return hashlib.sha1(key.encode()).hexdigest()[:20]


def request_id(data: bytes) -> str:
    """A queued request's id while it is in flight (the same as the POP script's)."""
    return hashlib.sha1(data).hexdigest()[:20]


class Keys:
    """The names of the cluster's keys (see the module's docstring)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.requests = f"{prefix}:requests"
        self.processing = f"{prefix}:processing"
        self.owners = f"{prefix}:owners"
        self.workers = f"{prefix}:workers"
        self.fingerprints = f"{prefix}:fingerprints"
        self.items = f"{prefix}:items"
        self.ingesting = f"{prefix}:items:ingesting"
        self.run = f"{prefix}:run"
        self.admitted = f"{prefix}:run:admitted"
        self.run_requests = f"{prefix}:run:requests"
        self.postponed = f"{prefix}:run:postponed"
        self.ingest_lock = f"{prefix}:ingest:lock"
        self.teaser_places = f"{prefix}:teaser-places"


class Shared(Keys):
    """The cluster's Redis keys and operations, for one process."""

    def __init__(self, cluster: Cluster, redis: PatientRedis | None = None) -> None:
        super().__init__(cluster.key_prefix)
        self.cluster = cluster
        self.redis = redis or connect(cluster)
        self.ttl = cluster.fingerprint_ttl_hours * 3600
        # ids of the in-flight requests this process popped and has not acked
        self.held: set[str] = set()
        script = self.redis.register_script
        self._pop, self._push, self._ack = script(POP), script(PUSH), script(ACK)
        self._heartbeat, self._requeue = script(HEARTBEAT), script(REQUEUE_ORPHANS)
        self._seen, self._prune, self._acquire = script(SEEN), script(PRUNE), script(ACQUIRE)
        self._take, self._recover = script(TAKE), script(RECOVER)
        self._backlog = script(BACKLOG)
        self._requeue_unheld = script(REQUEUE_UNHELD)

    # -- the request queue ---------------------------------------------------

    def pop(self, worker: str) -> tuple[str, bytes] | None:
        got = self._pop(keys=[self.requests, self.processing, self.owners], args=[worker])
        if not got:
            return None
        request_id = got[0].decode()
        self.held.add(request_id)
        return request_id, got[1]

    def push(self, data: bytes, score: float, replaces: str | None = None) -> None:
        """Queue a request; ``replaces`` is the in-flight request it takes over
        from (a redirect or a retry), released in the same step."""
        keys = [self.requests, self.processing, self.owners]
        self._push(keys=keys, args=[repr(score), data, replaces or ""])
        self.held.discard(replaces or "")

    def ack(self, request: str | None, *messages: bytes | str) -> None:
        """Done with an in-flight request; its messages for ingest go out in the same step."""
        keys = [self.processing, self.owners, self.items]
        self._ack(keys=keys, args=[request or "", *messages])
        self.held.discard(request or "")

    def heartbeat(self, worker: str) -> None:
        self._heartbeat(keys=[self.workers], args=[worker, repr(self.cluster.worker_timeout)])

    def leave(self, worker: str) -> int:
        """A worker stops: what it still holds goes back to the queue at once."""
        self.redis.zrem(self.workers, worker)
        self.held.clear()
        return self.requeue_orphans()

    def requeue_orphans(self) -> int:
        keys = [self.requests, self.processing, self.owners, self.workers]
        return int(self._requeue(keys=keys))

    def requeue_unheld(self, worker: str) -> int:
        """Put back what Redis says ``worker`` holds but it does not know of.

        A pop is one Lua script: when Redis ran it but its answer was lost (a
        connection dropped, Redis restarting), the request sits in
        ``processing`` under a worker that lives on without it, and no
        heartbeat lapse would ever free it. Called after an outage."""
        keys = [self.requests, self.processing, self.owners]
        return int(self._requeue_unheld(keys=keys, args=[worker, *sorted(self.held)]))

    def live_workers(self) -> int:
        return int(self.redis.zcount(self.workers, "(" + repr(self._now()), "+inf"))

    def _now(self) -> float:
        seconds, micros = self.redis.time()
        return seconds + micros / 1e6

    # -- the duplicate filter ------------------------------------------------

    def seen(self, fp: str) -> bool:
        return bool(self._seen(keys=[self.fingerprints], args=[fp, repr(self.ttl)]))

    def forget(self, fp: str) -> None:
        self.redis.zrem(self.fingerprints, fp)

    def prune_fingerprints(self) -> int:
        return int(self._prune(keys=[self.fingerprints], args=[repr(self.ttl)]))

    def current_run(self) -> str:
        value = self.redis.get(self.run)
        return value.decode() if value else ""

    def admit(self, source: str) -> int:
        """Count an article page of the source admitted this run; returns the count."""
        return int(self.redis.hincrby(self.admitted, source, 1))

    def postpone(self, source: str) -> None:
        """Count an article page of the source postponed to the next run."""
        self.redis.hincrby(self.postponed, source, 1)

    def count_request(self, source: str) -> None:
        """Count a request sent this run (before the request it serves is
        released, so the count is complete once the cluster has drained)."""
        self.redis.hincrby(self.run_requests, source, 1)

    def new_run(self, run_id: int) -> None:
        """The coordinator starts a run: its id, and its per-run counts at zero."""
        self.redis.set(self.run, str(run_id))
        self.redis.delete(self.admitted, self.run_requests, self.postponed)

    def share_teaser_places(self, learned: dict[str, dict[str, list[str]]]) -> None:
        """The places of each source's related-story blocks the store has
        learned, for the workers (which have no store) to use this run."""
        self.redis.delete(self.teaser_places)
        shared = {source: json.dumps(places) for source, places in learned.items() if places}
        if shared:
            self.redis.hset(self.teaser_places, mapping=shared)

    def learned_teaser_places(self, source: str) -> dict[str, list[str]]:
        value = self.redis.hget(self.teaser_places, source)
        return dict(json.loads(value)) if value else {}

    def run_counts(self) -> dict[str, int]:
        """The current run's counts that only the workers know, for its ``runs`` row."""
        return {
            "requests": sum(int(n) for n in self.redis.hvals(self.run_requests)),
            "postponed": sum(int(n) for n in self.redis.hvals(self.postponed)),
        }

    # -- politeness ----------------------------------------------------------

    def acquire(self, host: str, delay: float, concurrency: int, lease: float, token: str) -> float:
        """0 when a request to host may start now (and it is counted in
        flight), else how long to wait before asking again."""
        keys = [f"{self.prefix}:polite:{host}", f"{self.prefix}:inflight:{host}"]
        args = [repr(delay), concurrency, repr(lease), token]
        return float(self._acquire(keys=keys, args=args))

    def release(self, host: str, token: str) -> None:
        self.redis.zrem(f"{self.prefix}:inflight:{host}", token)

    # -- items for ingest ----------------------------------------------------

    def take_items(self, count: int, wait: float) -> list[bytes]:
        """Up to count messages, moved to ``ingesting`` until :meth:`items_done`;
        waits up to ``wait`` seconds for the first one."""
        first = self.redis.blmove(self.items, self.ingesting, wait, "LEFT", "RIGHT")
        if first is None:
            return []
        more = self._take(keys=[self.items, self.ingesting], args=[count - 1]) if count > 1 else []
        return [first, *more]

    def items_done(self) -> None:
        """The taken messages are committed to the store (one ingest at a time)."""
        self.redis.delete(self.ingesting)

    def recover_items(self) -> int:
        return int(self._recover(keys=[self.items, self.ingesting]))

    def lock_ingest(self, owner: str, seconds: int) -> bool:
        """Take or renew the ingest lock; False when another ingest holds it."""
        if self.redis.set(self.ingest_lock, owner, ex=seconds, nx=True):
            return True
        held = self.redis.get(self.ingest_lock)
        if held is not None and held.decode() == owner:
            return bool(self.redis.expire(self.ingest_lock, seconds))
        return False

    def unlock_ingest(self, owner: str) -> None:
        held = self.redis.get(self.ingest_lock)
        if held is not None and held.decode() == owner:
            self.redis.delete(self.ingest_lock)

    # -- watching ------------------------------------------------------------

    def backlog(self) -> dict[str, int]:
        """What is left: queued requests, requests in flight, messages for ingest."""
        # one script, so a request moving between the keys is never missed
        keys = [self.requests, self.processing, self.items, self.ingesting]
        queued, in_flight, items, ingesting = self._backlog(keys=keys)
        return {"queued": queued, "in_flight": in_flight, "items": items + ingesting}

    def drained(self) -> bool:
        return not any(self.backlog().values())
