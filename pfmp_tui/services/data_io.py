"""Use cases around whole documents: open a store, load and dump interchange files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import orjson

from ..domain.errors import FieldError, ValidationFailed
from ..domain.interchange import FORMAT, OPTIONAL_KINDS, VERSION, parse_document
from ..domain.json_guard import check_tree, loads_guarded
from ..domain.model import Dataset
from ..store.repository import Repository
from ..store.storage import Store
from .files import write_private

DEFAULT_DB = Path("db") / "pfmp.json"


def store_path(db: str | os.PathLike | None) -> Path:
    """--db, else $PFMP_DB, else db/pfmp.json under the current folder (CONTRACT.md)."""
    if db:
        return _store_file(Path(db), "--db")
    env = os.environ.get("PFMP_DB")
    return _store_file(Path(env), "PFMP_DB") if env else DEFAULT_DB


def _store_file(path: Path, where: str) -> Path:
    """The main file a user named: a file name, not « . », « .. », nor a folder."""
    if path.name in ("", ".", "..") or path.is_dir():
        raise ValidationFailed(FieldError(
            where, f"« {path} » est un dossier : indiquez le fichier principal du magasin, par exemple {path / 'pfmp.json'}"
        ))
    return path


def open_repository(db: str | os.PathLike | None = None) -> Repository:
    return Repository(Store(store_path(db)))


def parse_json_text(text: str | bytes, source: str) -> Any:
    """JSON → Python, with a French message giving line and column on a syntax error."""
    try:
        doc = loads_guarded(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            FieldError(source, f"JSON invalide, ligne {exc.lineno}, colonne {exc.colno} : {exc.msg}")
        ) from None
    except UnicodeDecodeError:
        raise ValidationFailed(FieldError(source, "le fichier n'est pas encodé en UTF-8")) from None
    except RecursionError:
        raise ValidationFailed(FieldError(source, "JSON imbriqué trop profondément")) from None
    check_tree(doc, source)  # huge integers, duplicate keys, lone surrogates, nesting: named by path
    return doc


def read_document(path: str, *, resolve_references: bool = True) -> Dataset:
    """Read and validate an interchange file ('-' for standard input)."""
    if path == "-":
        import sys

        raw = sys.stdin.buffer.read()
    else:
        try:
            raw = Path(path).read_bytes()
        except FileNotFoundError:
            raise ValidationFailed(FieldError(path, "fichier introuvable")) from None
        except IsADirectoryError:
            raise ValidationFailed(FieldError(path, "c'est un dossier, pas un fichier")) from None
    return parse_document(parse_json_text(raw, path), resolve_references=resolve_references)


def load(repo: Repository, path: str, *, replace: bool = False) -> dict[str, int]:
    """`pfmp load`: all or nothing; returns the number of records loaded per kind."""
    repo.store.check()  # a corrupt or newer store is refused before anything else
    # References may point to records already in the store: add_all checks them.
    data = read_document(path, resolve_references=False)
    repo.add_all(data, replace=replace)
    return data.counts()


def dump_bytes(repo: Repository) -> bytes:
    """The whole store as an interchange document (stable: dump → load → dump is identical)."""
    # The same document as `to_document(repo.dataset())`, made from the stored documents
    # (a large school's levels are never built as objects just to be written out).
    doc: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    for kind, records in repo.document().items():
        if kind in OPTIONAL_KINDS and not records:
            continue
        doc[kind] = records
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"


def dump(repo: Repository, output: str | None) -> Path | None:
    data = dump_bytes(repo)
    if output is None or output == "-":
        import sys

        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return None
    return write_private(Path(output), data)  # personal data: 0600 like the store, folders 0700
