"""The journal's file: one append-only file of JSON lines beside the store.

The manifest names the file and the length of its committed part
(``"journal": {"file": "pfmp.json.journal.7.jsonl", "size": 48213}``). A commit appends
its entry past that length (fsynced) *before* the manifest is replaced, and the new
manifest gives the new length: the one os.replace of the manifest commits the data
and the journal together. A writer killed in between leaves bytes past the
committed length: readers never read them, and the next writer cuts them off
before appending. An edit only appends: its cost never depends on the journal's
length.

A rewrite (a purge removing personal data from old entries, a restore) writes a
whole new file, named with the new generation, that the new manifest names; the
old file is then deleted with the other files the manifest no longer names.

Each line is one entry (see store/audit.py); it carries its generation too.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import threading
from pathlib import Path
from typing import Any, Callable


def valid_ref(ref: Any) -> bool:
    return ref is None or (
        isinstance(ref, dict)
        and isinstance(ref.get("file"), str)
        and bool(ref["file"])
        and "/" not in ref["file"]
        and isinstance(ref.get("size"), int)
        and not isinstance(ref["size"], bool)
        and ref["size"] >= 0
        and isinstance(ref.get("last", 0), int)
    )


def last_id(ref: dict | None) -> int:
    """The id of the journal's last committed entry (0 for none): the next is this + 1."""
    return 0 if ref is None else ref.get("last", 0)


def _last_of(data: bytes) -> int | None:
    import orjson

    lines = data.rstrip(b"\n").rsplit(b"\n", 1)
    if not lines or not lines[-1]:
        return None
    return orjson.loads(lines[-1]).get("id")


def is_journal_file(store_path: Path, name: str) -> bool:
    """A journal file of this store's own naming (after the whole main-file name, issue 10:
    pfmp.json and pfmp.test in one folder never share one)."""
    whole = re.escape(store_path.name)
    return re.match(rf"^\.?{whole}\.journal\.\d+\.jsonl(\.\d+-[0-9a-f]+\.tmp)?$", name) is not None


class JournalError(Exception):
    """The journal named by the manifest cannot be read (the store turns it into a StoreError)."""


def write(store_path: Path, ref: dict | None, generation: int, lines: list[bytes], rewrite: bytes | None, *,
          write_temp: Callable[[Path, bytes], Path], fsync_dir: Callable[[Path], None],
          file_mode: Callable[[], int]) -> tuple[dict | None, list[str]]:
    """Put this commit's journal on disk; returns the new manifest reference and the
    files created (removed again if the commit fails). The store's own file helpers are
    passed in (temp file + fsync, folder fsync, the store's mode)."""
    tail = b"".join(line if line.endswith(b"\n") else line + b"\n" for line in lines)
    if rewrite is None and not tail:
        return ref, []
    if rewrite is not None or ref is None:
        content = (rewrite or b"") + tail
        name = f"{store_path.name}.journal.{generation}.jsonl"
        path = store_path.with_name(name)
        tmp = write_temp(path, content)
        try:
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        fsync_dir(store_path.parent)
        return {"file": name, "size": len(content), "last": _last_of(content) or 0}, [name]
    path = store_path.with_name(ref["file"])
    fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW)
    try:
        size = ref["size"]
        os.ftruncate(fd, size)  # what a killed writer appended past the committed part
        view = memoryview(tail)
        offset = size
        while view:
            n = os.pwrite(fd, view, offset)
            view, offset = view[n:], offset + n
        os.fsync(fd)
        with contextlib.suppress(OSError):
            if os.fstat(fd).st_mode & 0o777 != file_mode() and os.fstat(fd).st_uid == os.geteuid():
                os.fchmod(fd, file_mode())
    finally:
        os.close(fd)
    return {"file": ref["file"], "size": size + len(tail), "last": _last_of(tail) or last_id(ref)}, []


class Pending:
    """`write` run in a thread while the commit writes its shards: the journal's fsync
    overlaps theirs instead of adding its own wait. `result()` joins (and re-raises);
    `settle()` joins after a failed commit and names the files to remove.

    One worker thread per process serves them (`_submit`): starting a thread per commit
    made the committing thread wait for the new one to be scheduled (up to 37 ms a save
    on a loaded machine)."""

    def __init__(self, *args: Any, **kwargs: Any):
        self._out: tuple[dict | None, list[str]] | None = None
        self._error: BaseException | None = None
        self._args, self._kwargs = args, kwargs
        self._done = threading.Event()
        _submit(self)

    def _run(self) -> None:
        try:
            self._out = write(*self._args, **self._kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the committing thread
            self._error = exc
        finally:
            self._done.set()

    def result(self) -> tuple[dict | None, list[str]]:
        self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._out is not None
        return self._out

    def settle(self) -> list[str]:
        self._done.wait()
        return [] if self._out is None else self._out[1]


_worker: threading.Thread | None = None
_jobs: "queue.SimpleQueue[Pending]" = queue.SimpleQueue()
_worker_lock = threading.Lock()


def _serve(jobs: "queue.SimpleQueue[Pending]") -> None:
    while True:
        jobs.get()._run()


def _submit(job: Pending) -> None:
    """Hand `job` to the process's journal worker, started on first use (and again in a
    forked child, where it does not exist)."""
    global _worker, _jobs
    with _worker_lock:
        if _worker is None or not _worker.is_alive():
            _jobs = queue.SimpleQueue()
            _worker = threading.Thread(target=_serve, args=(_jobs,), name="pfmp-journal", daemon=True)
            _worker.start()
        _jobs.put(job)


def undo(store_path: Path, ref: dict | None) -> None:
    """Cut off what a failed commit appended (a crash leaves it to the next writer)."""
    if ref is not None:
        fd = os.open(store_path.with_name(ref["file"]), os.O_WRONLY | os.O_NOFOLLOW)
        try:
            if os.fstat(fd).st_size > ref["size"]:
                os.ftruncate(fd, ref["size"])
        finally:
            os.close(fd)


def read(store_path: Path, ref: dict | None) -> bytes:
    """The committed part of the journal (call under the store's lock); JournalError if it
    cannot be read whole."""
    if ref is None:
        return b""
    path = store_path.with_name(ref["file"])
    try:
        with open(path, "rb") as f:
            data = f.read(ref["size"])
    except FileNotFoundError:
        raise JournalError(f"magasin incomplet : le journal {path} manque") from None
    except OSError as exc:
        raise JournalError(f"journal illisible : {path} : {exc.strerror}") from None
    if len(data) != ref["size"]:
        raise JournalError(f"journal tronqué : {path}")
    return data
