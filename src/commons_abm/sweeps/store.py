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
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from commons_abm.core.errors import InputError

__all__ = ["KEY_COLUMNS", "RunStore", "run_schema"]

KEY_COLUMNS = ("sample_id", "replicate", "seed", "status", "error")
MANIFEST = "manifest.json"
FORMAT = 1


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


class RunStore:
    """The runs of one experiment in one output folder."""

    def __init__(self, out: Path, manifest: dict[str, Any], schema: pa.Schema) -> None:
        self.out = Path(out)
        self.runs_dir = self.out / "runs"
        self.manifest = manifest
        self.schema = schema

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(
        cls, out: Path, fingerprint: str, schema: pa.Schema, experiment_text: str, description: dict[str, Any]
    ) -> RunStore:
        """Open the store in ``out``, creating it if new; refuse a folder of another experiment."""
        out = Path(out)
        if out.exists() and not out.is_dir():
            raise InputError("--out", None, f"{out} is a file; allowed: a folder (new, or one of this experiment)")
        manifest_path = out / MANIFEST
        if manifest_path.is_file():
            try:
                manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise InputError(
                    manifest_path, None, "unreadable manifest; allowed: a folder written by `commons-abm sweep`"
                ) from None
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
            store._recover()
            return store
        if (out / "runs").exists():
            raise InputError(
                "--out",
                None,
                f"{out}/runs exists without a manifest; allowed: a new folder or one written by `commons-abm sweep`",
            )
        (out / "runs").mkdir(parents=True, exist_ok=True)
        manifest = {"format": FORMAT, "fingerprint": fingerprint, **description, "chunks": []}
        store = cls(out, manifest, schema)
        _atomic_write(out / "experiment.toml", lambda h: h.write(experiment_text.encode("utf-8")))
        store._write_manifest()
        return store

    def _recover(self) -> None:
        """Remove temporary files and adopt whole chunks missing from the manifest."""
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        for tmp in self.runs_dir.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)
        for tmp in self.out.glob(f".{MANIFEST}.*.tmp"):
            tmp.unlink(missing_ok=True)
        listed = {c["file"] for c in self.manifest["chunks"]}
        adopted = False
        for path in sorted(self.runs_dir.glob("part-*.parquet")):
            if path.name in listed:
                continue
            table = pq.read_table(path)
            self.manifest["chunks"].append(self._entry(path.name, table))
            adopted = True
        if adopted:
            self._write_manifest()
        missing = [c["file"] for c in self.manifest["chunks"] if not (self.runs_dir / c["file"]).is_file()]
        if missing:
            raise InputError(
                self.out / MANIFEST,
                None,
                f"chunks listed but missing: {', '.join(missing)}; allowed: a folder whose runs/ files are intact",
            )

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
        self.manifest["chunks"].append(self._entry(name, table))
        self._write_manifest()
        return path

    def note_session(self, session: dict[str, Any]) -> None:
        """Record one invocation (when, which engine, which model sources) in the manifest."""
        self.manifest.setdefault("sessions", []).append(session)
        self._write_manifest()

    @staticmethod
    def _entry(name: str, table: pa.Table) -> dict[str, Any]:
        samples = table.column("sample_id").to_pylist()
        replicates = table.column("replicate").to_pylist()
        return {"file": name, "rows": table.num_rows, "runs": [[s, r] for s, r in zip(samples, replicates)]}

    def _write_manifest(self) -> None:
        text = json.dumps(self.manifest, indent=1) + "\n"
        _atomic_write(self.out / MANIFEST, lambda h: h.write(text.encode("utf-8")))
