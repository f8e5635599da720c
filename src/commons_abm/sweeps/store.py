"""The results store of a sweep: a Parquet dataset written in atomic chunks, with a manifest.

Layout of an output folder::

    DIR/manifest.json       the experiment's fingerprint and the chunks written
    DIR/experiment.toml     a copy of the experiment file
    DIR/runs/part-*.parquet one row per run (``pandas.read_parquet(DIR / "runs")``)

A chunk is written to a hidden temporary file in ``runs/`` (ignored by Parquet readers),
flushed to disk with ``fsync`` and renamed into place with ``os.replace``; the manifest
is then replaced the same way. A process killed at any point leaves either a whole
chunk or none: a chunk renamed into place but missing from the manifest (a kill between
the two renames) is read back and adopted when the store is opened again, and
leftover temporary files are removed. Each run appears in exactly one chunk.

As a database keeps its files:

* **one writer per folder**: a sweep holds an exclusive lock on ``DIR/.writer.lock`` (an
  operating-system file lock, released when the process ends, however it ends) from the
  moment it opens the store to the moment it is done; a second sweep on the same folder is
  refused with one line;
* **chunks checked on open**: the manifest records each chunk's size and SHA-256; a chunk
  listed but missing, truncated, altered or unreadable, a chunk the manifest does not list
  whose runs are already stored elsewhere (a copy), and a manifest that is not a
  manifest, are found before anything is read or computed, and the store is refused with
  one line that says how to repair it;
* ``commons-abm store check DIR`` reports that state, and ``commons-abm store repair DIR
  [EXPERIMENT]`` moves every damaged or unknown chunk into ``DIR/quarantine/``, rebuilds
  the manifest from the intact chunks (with the experiment file, also when the manifest
  itself is lost) and says how many runs the next sweep will recompute.

Over 400 lines: the store's format, the checks of its files and their repair read and write
the same files with the same rules, and are kept together.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from commons_abm.core.errors import InputError

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows: one writer per folder is not enforced there
    fcntl = None

__all__ = ["KEY_COLUMNS", "Health", "RunStore", "inspect_store", "repair_store", "run_schema"]

KEY_COLUMNS = ("sample_id", "replicate", "seed", "status", "error")
MANIFEST = "manifest.json"
LOCK = ".writer.lock"
QUARANTINE = "quarantine"
FORMAT = 2  # 2: chunks carry their size and SHA-256 (format 1 chunks are checked by reading them)


def run_schema(parameters: list[tuple[str, pa.DataType]], outputs: list[str]) -> pa.Schema:
    """The columns of the runs table: keys, then one per parameter and per output."""
    fields = [
        pa.field("sample_id", pa.int64()),
        pa.field("replicate", pa.int64()),
        pa.field("seed", pa.int64()),
        pa.field("status", pa.string()),
        pa.field("error", pa.string()),
    ]
    fields += [pa.field(name, kind) for name, kind in parameters]
    fields += [pa.field(name, pa.float64()) for name in outputs]
    return pa.schema(fields)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory descriptors
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _atomic_write(path: Path, write) -> None:
    """Write through ``write(file_object)`` to a hidden temporary file, fsync, rename into place."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _entry(path: Path, table: pa.Table) -> dict[str, Any]:
    """A chunk's manifest entry: its file, size, checksum and runs."""
    samples = table.column("sample_id").to_pylist()
    replicates = table.column("replicate").to_pylist()
    return {
        "file": path.name,
        "rows": table.num_rows,
        "bytes": path.stat().st_size,
        "sha256": _sha256(path),
        "runs": [[s, r] for s, r in zip(samples, replicates)],
    }


def _read_manifest(out: Path) -> dict[str, Any] | None:
    """The manifest of ``out`` if it is one (a JSON object with a list of chunks), else None."""
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("chunks"), list):
        return None
    if not all(
        isinstance(c, dict) and isinstance(c.get("file"), str) and isinstance(c.get("runs"), list)
        for c in manifest["chunks"]
    ):
        return None
    return manifest


def _chunk_problem(path: Path, entry: dict[str, Any] | None, schema: pa.Schema | None) -> str | None:
    """Why a chunk cannot be read as its manifest entry says (None: it can)."""
    if not path.is_file():
        return "missing"
    if entry is not None and "bytes" in entry and path.stat().st_size != entry["bytes"]:
        return f"{path.stat().st_size} bytes where the manifest says {entry['bytes']}"
    if entry is not None and "sha256" in entry and _sha256(path) != entry["sha256"]:
        return "checksum differs from the manifest's"
    try:
        table = pq.read_table(path, schema=schema) if schema is not None else pq.read_table(path)
    except (OSError, ValueError, pa.ArrowException) as exc:
        return f"unreadable ({type(exc).__name__})"
    if entry is not None and table.num_rows != len(entry["runs"]):
        return f"{table.num_rows} rows where the manifest lists {len(entry['runs'])} runs"
    return None


@dataclass
class Health:
    """What :func:`inspect_store` found in an output folder."""

    out: Path
    manifest_ok: bool
    intact: list[str] = field(default_factory=list)  # listed chunks that check
    damaged: dict[str, str] = field(default_factory=dict)  # listed chunks that do not: file -> why
    adoptable: list[str] = field(default_factory=list)  # unlisted whole chunks of new runs (a kill before the manifest)
    unknown: dict[str, str] = field(default_factory=dict)  # unlisted chunks not to trust: file -> why
    runs: int = 0  # runs in intact chunks

    @property
    def healthy(self) -> bool:
        """Nothing to repair (adoptable chunks are taken in when a sweep opens the store)."""
        return self.manifest_ok and not self.damaged and not self.unknown

    def describe(self) -> str:
        """The state in one line."""
        if self.healthy:
            extra = f", {len(self.adoptable)} whole chunk(s) to adopt" if self.adoptable else ""
            return f"{self.out}: healthy: {len(self.intact)} chunks, {self.runs} runs{extra}"
        parts = [] if self.manifest_ok else ["manifest missing or not a manifest"]
        parts += [f"{name} {why}" for name, why in {**self.damaged, **self.unknown}.items()]
        return f"{self.out}: damaged: {'; '.join(parts)}; {len(self.intact)} intact chunks, {self.runs} runs"


def inspect_store(out: Path, schema: pa.Schema | None = None) -> Health:
    """Check every chunk of the store in ``out`` against its manifest, reading nothing else."""
    out = Path(out)
    runs_dir = out / "runs"
    manifest = _read_manifest(out)
    health = Health(out, manifest is not None)
    stored: set[tuple[int, int]] = set()
    listed = set()
    for entry in manifest["chunks"] if manifest is not None else []:
        listed.add(entry["file"])
        problem = _chunk_problem(runs_dir / entry["file"], entry, schema)
        keys = {(int(s), int(r)) for s, r in entry["runs"]}
        if problem is None and keys & stored:
            problem = "holds runs another chunk holds"
        if problem is None:
            health.intact.append(entry["file"])
            stored |= keys
            health.runs += len(keys)
        else:
            health.damaged[entry["file"]] = problem
    for path in sorted(runs_dir.glob("part-*.parquet")) if runs_dir.is_dir() else []:
        if path.name in listed:
            continue
        problem = _chunk_problem(path, None, schema)
        if problem is None:
            table = pq.read_table(path, columns=["sample_id", "replicate"])
            keys = set(zip(table.column("sample_id").to_pylist(), table.column("replicate").to_pylist()))
            if keys & stored or len(keys) != table.num_rows:
                problem = "holds runs already stored (a copy?)"
            else:
                stored |= keys
        if problem is None:
            health.adoptable.append(path.name)
        else:
            health.unknown[path.name] = f"not in the manifest, {problem}"
    return health


def repair_store(out: Path, manifest_base: dict[str, Any] | None = None) -> tuple[Health, list[Path]]:
    """Quarantine every damaged or unknown chunk of ``out`` and rebuild the manifest from the
    intact ones; ``manifest_base`` (fingerprint, experiment, ...) replaces a lost manifest.
    Returns what was found and the quarantined files' new paths."""
    out = Path(out)
    health = inspect_store(out)
    manifest = _read_manifest(out)
    if manifest is None:
        if manifest_base is None:
            raise InputError(
                out / MANIFEST,
                None,
                "missing or not a manifest; allowed: `commons-abm store repair DIR EXPERIMENT` "
                "with the experiment file of the sweep, to rebuild it",
            )
        manifest = {"format": FORMAT, **manifest_base, "chunks": []}
    with _writer_lock(out):
        moved = []
        if health.damaged or health.unknown:
            quarantine = out / QUARANTINE / time.strftime("%Y%m%dT%H%M%S")
            quarantine.mkdir(parents=True, exist_ok=True)
            for name in [*health.damaged, *health.unknown]:
                source = out / "runs" / name
                if source.is_file():
                    shutil.move(source, quarantine / name)
                    moved.append(quarantine / name)
        entries = {c["file"]: c for c in manifest["chunks"]}
        chunks = []
        for name in [*health.intact, *health.adoptable]:
            path = out / "runs" / name
            entry = entries.get(name)
            if entry is None or "sha256" not in entry:
                entry = _entry(path, pq.read_table(path))
            chunks.append(entry)
        manifest = {**manifest, "format": FORMAT, "chunks": chunks}
        manifest.setdefault("repairs", []).append(
            {"utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "quarantined": [p.name for p in moved]}
        )
        text = json.dumps(manifest, indent=1) + "\n"
        _atomic_write(out / MANIFEST, lambda h: h.write(text.encode("utf-8")))
    return inspect_store(out), moved


class _writer_lock:
    """The store's exclusive writer lock (a context manager; :meth:`acquire` / :meth:`release`)."""

    def __init__(self, out: Path) -> None:
        self.path = Path(out) / LOCK
        self.handle = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # noqa: SIM115 - held for the store's lifetime
        if fcntl is not None:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                handle.close()
                raise InputError(
                    "--out",
                    None,
                    f"{self.path.parent} is being written by {holder}; allowed: wait for that sweep "
                    "to finish, or another folder",
                ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"sweep pid {os.getpid()}")
        handle.flush()
        self.handle = handle

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()  # closing releases the lock
            self.handle = None

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


class RunStore:
    """The runs of one experiment in one output folder.

    Opened for writing (a sweep), it holds the folder's writer lock until :meth:`close`
    (or the end of a ``with`` block, or of the process)."""

    def __init__(self, out: Path, manifest: dict[str, Any], schema: pa.Schema) -> None:
        self.out = Path(out)
        self.runs_dir = self.out / "runs"
        self.manifest = manifest
        self.schema = schema
        self._lock: _writer_lock | None = None

    def close(self) -> None:
        """Release the writer lock (if held)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(
        cls,
        out: Path,
        fingerprint: str,
        schema: pa.Schema,
        experiment_text: str,
        description: dict[str, Any],
        *,
        write: bool = True,
    ) -> RunStore:
        """Open the store in ``out``, creating it if new (``write``); refuse a folder of
        another experiment, a damaged store, and (``write``) a folder another sweep writes."""
        out = Path(out)
        if out.exists() and not out.is_dir():
            raise InputError("--out", None, f"{out} is a file; allowed: a folder (new, or one of this experiment)")
        lock = _writer_lock(out) if write else None
        if lock is not None:
            lock.acquire()
        try:
            store = cls._open(out, fingerprint, schema, experiment_text, description, write)
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        store._lock = lock
        return store

    @classmethod
    def _open(cls, out, fingerprint, schema, experiment_text, description, write) -> RunStore:
        manifest_path = out / MANIFEST
        repair = f"`commons-abm store repair {out} EXPERIMENT`"
        if manifest_path.exists():
            manifest = _read_manifest(out)
            if manifest is None:
                raise InputError(manifest_path, None, f"not a manifest; allowed: {repair} rebuilds it from the chunks")
            if manifest.get("fingerprint") != fingerprint:
                raise InputError(
                    "--out",
                    None,
                    f"{out} holds the runs of a different experiment "
                    f"({manifest.get('experiment', '?')!r} from "
                    f"{manifest.get('experiment_file', '?')}); allowed: the same experiment "
                    "file, or a new folder",
                )
            store = cls(out, manifest, schema)
            store._check(write)
            return store
        if (out / "runs").exists():
            raise InputError(
                "--out",
                None,
                f"{out}/runs exists without a manifest; allowed: {repair} to rebuild the manifest "
                "from its chunks, or a new folder",
            )
        if not write:
            raise InputError("--out", None, f"{out} holds no sweep; allowed: a folder written by `commons-abm sweep`")
        (out / "runs").mkdir(parents=True, exist_ok=True)
        manifest = {"format": FORMAT, "fingerprint": fingerprint, **description, "chunks": []}
        store = cls(out, manifest, schema)
        _atomic_write(out / "experiment.toml", lambda h: h.write(experiment_text.encode("utf-8")))
        store._write_manifest()
        return store

    def _check(self, write: bool) -> None:
        """Check every chunk; a writer removes temporary files and adopts whole chunks
        that a kill left out of the manifest."""
        if write:
            self.runs_dir.mkdir(parents=True, exist_ok=True)
            for tmp in [*self.runs_dir.glob(".*.tmp"), *self.out.glob(f".{MANIFEST}.*.tmp")]:
                tmp.unlink(missing_ok=True)
        health = inspect_store(self.out, self.schema)
        if health.damaged or health.unknown:
            raise InputError(
                self.out,
                None,
                f"{health.describe().split(': ', 1)[1]}; allowed: `commons-abm store repair "
                f"{self.out}` (it quarantines them; the next sweep recomputes their runs)",
            )
        if write and health.adoptable:
            for name in health.adoptable:
                path = self.runs_dir / name
                self.manifest["chunks"].append(_entry(path, pq.read_table(path)))
            self._write_manifest()

    # ------------------------------------------------------------------ reading
    def done(self) -> set[tuple[int, int]]:
        """``(sample_id, replicate)`` of every stored run."""
        keys: set[tuple[int, int]] = set()
        for chunk in self.manifest["chunks"]:
            keys.update((int(s), int(r)) for s, r in chunk["runs"])
        return keys

    def read(self):
        """All stored runs as a pandas DataFrame sorted by sample and replicate."""

        files = [self.runs_dir / c["file"] for c in self.manifest["chunks"]]
        if not files:
            return self.schema.empty_table().to_pandas()
        frame = pa.concat_tables([pq.read_table(f, schema=self.schema) for f in files]).to_pandas()
        return frame.sort_values(["sample_id", "replicate"], kind="stable").reset_index(drop=True)

    # ------------------------------------------------------------------ writing
    def write(self, rows: Iterable[dict[str, Any]]) -> Path | None:
        """Store runs as one new chunk (atomically), then record it in the manifest."""
        rows = sorted(rows, key=lambda r: (r["sample_id"], r["replicate"]))
        if not rows:
            return None
        done = self.done()
        if any((r["sample_id"], r["replicate"]) in done for r in rows):
            raise RuntimeError("a run is already stored; refusing to duplicate it")
        table = pa.Table.from_pylist(rows, schema=self.schema)
        first, last = rows[0], rows[-1]
        name = (
            f"part-{first['sample_id']:09d}-{first['replicate']:04d}"
            f"-{last['sample_id']:09d}-{last['replicate']:04d}.parquet"
        )
        path = self.runs_dir / name
        _atomic_write(path, lambda h: pq.write_table(table, h))
        self.manifest["chunks"].append(_entry(path, table))
        self._write_manifest()
        return path

    def note_session(self, session: dict[str, Any]) -> None:
        """Record one invocation (when, which engine, which model sources) in the manifest."""
        self.manifest.setdefault("sessions", []).append(session)
        self._write_manifest()

    def _write_manifest(self) -> None:
        text = json.dumps(self.manifest, indent=1) + "\n"
        _atomic_write(self.out / MANIFEST, lambda h: h.write(text.encode("utf-8")))
