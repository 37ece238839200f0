"""Bounded shards: a cohort's learners in buckets of a few dozen, found by hashing.

A cohort's shards (issue 13: the cost of an edit must not depend on how the school
groups its learners):

    c-<cohort>-<hash>           the cohort's « head »: its periods
    c-<cohort>-<hash>-b<d>-<i>  a bucket: the learners whose id hashes to i modulo 2**d,
                                with their placements, sheets, certificates, contracts

Buckets never overlap and a learner is in exactly one (extendible hashing: each
bucket has its own depth d). A bucket holding more than `CAPACITY` learners after a
write is split in two of depth d + 1 in the same commit, so that a shard stays a few
hundred KB whatever the size of the cohort (a cohort of 3,750 learners is ~100 files).

``index`` lists the ids each cohort shard holds (kind -> ids), rewritten in the same
commit as any change of those ids: a process that wants one learner or one placement
reads the index and one shard, not the school. Its presence also says that the store
is in this layout; a store of the previous layout (one shard per cohort holding
everything, no index) is read as it is and rearranged by its first write (one commit,
as crash-safe as any other).
"""

from __future__ import annotations

import hashlib
import re
from typing import Iterable

from .layout import SHEETS, STUDENT_KINDS

CAPACITY = 48  # learners in a bucket before it is split (a division is ≤ 35: one bucket)
INDEX = "index"
LAYOUT_VERSION = 2
INDEXED_KINDS = ("students", "periods", "placements", "work_certificates", "contracts")

_BUCKET = re.compile(r"^(?P<head>c-[a-z0-9-]*-[0-9a-f]{10})-b(?P<depth>\d+)-(?P<index>\d+)$")


def student_hash(student_id: str) -> int:
    return int.from_bytes(hashlib.sha1(student_id.encode("utf-8")).digest()[:8], "big")


def bucket_name(head: str, depth: int, index: int) -> str:
    return f"{head}-b{depth}-{index}"


def parse_bucket(shard: str) -> tuple[str, int, int] | None:
    """(head, depth, index) of a bucket's shard name, None for another shard."""
    m = _BUCKET.match(shard)
    return None if m is None else (m["head"], int(m["depth"]), int(m["index"]))


def head_of(shard: str) -> str | None:
    """The cohort head a bucket belongs to (the head itself for a head)."""
    parsed = parse_bucket(shard)
    if parsed is not None:
        return parsed[0]
    return shard if shard.startswith("c-") else None


def buckets_of(head: str, shards: Iterable[str]) -> dict[str, tuple[int, int]]:
    """name -> (depth, index) of the head's buckets among `shards`."""
    out = {}
    for shard in shards:
        parsed = parse_bucket(shard)
        if parsed is not None and parsed[0] == head:
            out[shard] = (parsed[1], parsed[2])
    return out


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    (da, ia), (db, ib) = a, b
    return (ib % (1 << da) == ia) if da <= db else (ia % (1 << db) == ib)


def bucket_for(head: str, student_id: str, shards: Iterable[str], fresh_depth: int = 0) -> str:
    """The bucket a new learner of this cohort goes to: the one covering their hash,
    or (when that range has no bucket, e.g. its learners all left) the widest new
    bucket that overlaps none of the others."""
    h = student_hash(student_id)
    existing = buckets_of(head, shards)
    for name, (depth, index) in existing.items():
        if h % (1 << depth) == index:
            return name
    taken = list(existing.values())
    depth = 0 if taken else fresh_depth
    while any(_overlaps((depth, h % (1 << depth)), t) for t in taken):
        depth += 1
    return bucket_name(head, depth, h % (1 << depth))


def depth_for(learners: int) -> int:
    """Depth at which `learners` fill buckets to about three quarters of their capacity
    (a division of 35 is one bucket; hashing spreads the others evenly enough)."""
    depth = 0
    while learners > (CAPACITY * 3 // 4) * (1 << depth):
        depth += 1
    return depth


def partition(tables: dict, student_ids: set[str]) -> dict:
    """The tables of `tables` that belong to `student_ids`: those learners, their records
    and their placements' sheets (documents shared, never copied: they are not changed)."""
    out: dict = {}
    students = {sid: doc for sid, doc in tables.get("students", {}).items() if sid in student_ids}
    if students:
        out["students"] = students
    placements: set[str] = set()
    for kind in STUDENT_KINDS:
        docs = {rid: doc for rid, doc in tables.get(kind, {}).items() if doc["student_id"] in student_ids}
        if docs:
            out[kind] = docs
            if kind == "placements":
                placements = set(docs)
    sheets = {pid: doc for pid, doc in tables.get(SHEETS, {}).items() if pid in placements}
    if sheets:
        out[SHEETS] = sheets
    return out


def index_entry(tables: dict) -> dict[str, list[str]]:
    """What the index says of one cohort shard: kind -> its ids, sorted."""
    return {kind: sorted(tables[kind]) for kind in INDEXED_KINDS if tables.get(kind)}
