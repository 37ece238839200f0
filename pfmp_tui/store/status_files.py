"""Candidates' statuses kept on disk beside each bucket file, so that a new process
(`pfmp check`, the TUI's launch) gets them without reading the bucket (issue 13).

A bucket's statuses (store/checks.py) are a function of:
- the bucket file's content: its name, its SHA-256 from the manifest, and its identity
  as the kernel sees it (device, inode, size, mtime, ctime: what shard_cache keys a
  parse by) at the moment it was read, verified and checked — a file rewritten or
  damaged since has another identity, so its statuses are computed again from the file
  (which is then verified and refused if it must be);
- the core records the bucket names (its cohort, the organisations and tutors of its
  placements): each one's content digest, checked against the core read now; and the
  file holding the periods its placements name (its cohort's head), by its checksum;
- the day (overdue rules): an entry says the day it was computed for and the last
  day its statuses stay the same (the earliest of its learners', domain/stability.py),
  and serves any day of that range, never one before it;
- the requirement profile, and the code that computes them (a digest of the sources
  of the domain and of the store's readers).
A kept entry is used only when every one of these is equal (the day: within the
range); anything else — another
key, a file that does not parse, a digest that does not match its content, a field
of the wrong type — is a miss: the statuses are computed from the bucket and the entry
written again. An entry is never trusted because it is there.

The file is ``<bucket file>.statuses`` (pfmp.json.c-…-b3-5.41.json.statuses): its
lifetime is its bucket file's (the store's clean-up deletes it with it, storage.py), so
a learner removed or anonymised (RGPD purge) does not linger in it. Written by readers,
best effort (a store that cannot be written to is read as before), with the store's
file mode (0600, 0660 shared), temp file and os.replace (a reader sees the old or the
new entry), not fsynced: a torn entry after a crash fails its digest and is a miss.

Layout: the hex BLAKE2b digest of the payload, a newline, the payload (JSON).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, NamedTuple

import orjson

from ..domain.rules import CandidateStatus, Flag

SUFFIX = ".statuses"
FORMAT = "pfmp-statuses"
VERSION = 2  # 2: a range of days (computed, through) instead of one day
MAX_BYTES = 16 * 1024 * 1024  # a bucket holds a few dozen learners: anything bigger is not ours

_code: str | None = None


def code_version() -> str:
    """Digest of the code statuses depend on: every source of `pfmp_tui.domain` (rules,
    requirements, calendars…), the store's readers (documents ⇄ records, checks) and this
    module; a change of any of them makes every kept entry a miss."""
    global _code
    if _code is None:
        root = Path(__file__).resolve().parent.parent
        h = hashlib.blake2b(digest_size=16)
        h.update(f"{FORMAT}/{VERSION}".encode())
        domain = sorted(p for p in (root / "domain").rglob("*") if p.is_file())
        sources = [p for p in domain if p.suffix != ".pyc"]
        # Sources, or (an installation without them) the compiled files: never nothing.
        files = sources if any(p.suffix == ".py" for p in sources) else domain
        files += [p for n in ("checks", "documents", "lazy", "views", "status_files")
                  for p in [root / "store" / f"{n}.py"] if p.exists()]
        for p in files:
            h.update(str(p.relative_to(root)).encode() + b"\0")
            h.update(p.read_bytes())
            h.update(b"\0")
        try:
            import dateutil  # the rules' month arithmetic

            h.update(str(getattr(dateutil, "__version__", "")).encode())
        except ImportError:  # pragma: no cover
            pass
        _code = h.hexdigest()
    return _code


def record_digest(record: Any) -> str:
    """Digest of a typed record's content (a frozen dataclass of the domain)."""
    return hashlib.blake2b(orjson.dumps(record), digest_size=16).hexdigest()


SHARD = "shard"  # a dependency on a whole file of the store: (SHARD, shard name), by its checksum


def fingerprint(deps: Iterable[tuple[str, str]], core: Mapping[str, Mapping[str, Any]],
                digests: dict[tuple[str, str], str], shard_sum: Callable[[str], str | None]) -> str | None:
    """One digest of what `deps` names as the store holds it now: core records (kind, id)
    by their content as `core` holds them, whole files (SHARD, shard) by the checksum
    `shard_sum` gives. None if one is missing (the bucket names a record of no file).
    `digests` memoises each core record's digest."""
    h = hashlib.blake2b(digest_size=16)
    for kind, name in deps:
        if kind == SHARD:
            d = shard_sum(name)
            if d is None:
                return None
        else:
            d = digests.get((kind, name))
            if d is None:
                record = core.get(kind, {}).get(name)
                if record is None:
                    return None
                d = digests[(kind, name)] = record_digest(record)
        h.update(f"{kind}\0{name}\0{d}\0".encode())
    return h.hexdigest()


def path_for(store_path: Path, file_name: str) -> Path:
    return store_path.with_name(file_name + SUFFIX)


def is_status_file(store_path: Path, name: str) -> str | None:
    """The bucket file `name` keeps the statuses of, if it is one of this store's."""
    prefix = store_path.name + "."
    if name.startswith(prefix) and name.endswith(".json" + SUFFIX):
        return name[: -len(SUFFIX)]
    return None


# -- encoding --------------------------------------------------------------------------------
def _encode(r: CandidateStatus) -> list:
    return [r.student_id, r.name, r.cohort_id, r.voie, r.required_days, r.attested_days, r.planned_days, r.status,
            [[f.rule, f.code, f.blocking, f.placement_id, f.message] for f in r.flags],
            r.requirement_rule, r.derogation_reason, r.deadline.isoformat()]


def _str(v: Any) -> str:
    if type(v) is not str:
        raise ValueError
    return v


def _opt_str(v: Any) -> str | None:
    return None if v is None else _str(v)


def _int(v: Any) -> int:
    if type(v) is not int:
        raise ValueError
    return v


def _decode(row: Any) -> CandidateStatus:
    (sid, name, cohort, voie, required, attested, planned, status, flags, rule, reason, deadline) = row
    out_flags = []
    for f in flags:
        frule, code, blocking, pid, message = f
        if type(blocking) is not bool:
            raise ValueError
        out_flags.append(Flag(_str(frule), _str(code), blocking, _opt_str(pid), _str(message)))
    return CandidateStatus(_str(sid), _str(name), _str(cohort), _str(voie),
                           None if required is None else _int(required), _int(attested), _int(planned), _str(status),
                           tuple(out_flags), _str(rule), _opt_str(reason), date.fromisoformat(_str(deadline)))


def key(file_name: str, sha: str, identity: tuple, uid: str, profile: str) -> dict:
    """What an entry must say of itself to be used (besides its core records' digest
    and a range of days holding the day asked for)."""
    return {"file": file_name, "sha": sha, "identity": list(identity), "uid": uid, "code": code_version(),
            "profile": profile}


def write(path: Path, entry_key: dict, deps: list[tuple[str, str]], fp: str,
          statuses: list[CandidateStatus], mode: int, computed: date, through: date) -> bool:
    """Keep one bucket's statuses, computed for `computed` and the same through
    `through` (best effort: False if the folder cannot be written)."""
    payload = orjson.dumps({"format": FORMAT, "version": VERSION, "key": entry_key, "computed": computed.isoformat(),
                            "through": through.isoformat(), "deps": [list(d) for d in deps],
                            "fp": fp, "statuses": [_encode(r) for r in statuses]})
    data = hashlib.blake2b(payload, digest_size=32).hexdigest().encode() + b"\n" + payload
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{os.urandom(6).hex()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    except OSError:
        return False
    try:
        try:
            os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.replace(tmp, path)
        return True
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return False


class Entry(NamedTuple):
    deps: list[tuple[str, str]]
    fp: str  # the fingerprint of `deps` when the statuses were computed
    statuses: list[CandidateStatus]
    computed: date  # the day they were computed for ...
    through: date  # ... and the last day they stay the same


def read(path: Path, entry_key: dict, day: date) -> Entry | None:
    """The entry at `path` if it is whole, well formed, kept under exactly `entry_key`
    and valid on `day` (computed <= day <= through); None otherwise (never an exception)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_BYTES:
            return None
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    digest, sep, payload = raw.partition(b"\n")
    if not sep or hashlib.blake2b(payload, digest_size=32).hexdigest().encode() != digest:
        return None
    try:
        doc = orjson.loads(payload)
        if (type(doc) is not dict or doc.get("format") != FORMAT or doc.get("version") != VERSION
                or doc.get("key") != entry_key):
            return None
        computed, through = date.fromisoformat(_str(doc["computed"])), date.fromisoformat(_str(doc["through"]))
        if not computed <= day <= through:
            return None
        deps = [(_str(k), _str(i)) for k, i in doc["deps"]]
        fp = _str(doc["fp"])
        statuses = [_decode(row) for row in doc["statuses"]]
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        return None
    return Entry(deps, fp, statuses, computed, through)
