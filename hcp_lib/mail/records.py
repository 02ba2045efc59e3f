"""A report's fitness to be sent, judged from its manifest, and the record of each sending.

Only a finished report goes out: its folder has a ``manifest.json`` (a failed run is kept as
``<QUARTER>.failed`` and has none), the manifest is not ``"status": "provisional"``, and every
output it lists still has the SHA-256 it was written with. Each sending is appended to the
manifest's ``deliveries`` list; the file is replaced atomically (temp file + ``os.replace``).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"


class NotSendable(Exception):
    """The report must not be sent; the message says why and what to do."""


def load_manifest(report: Path) -> dict[str, Any]:
    """The manifest of a finished report, or NotSendable naming what is wrong."""
    if report.name.endswith(".failed"):
        raise NotSendable(f"{report} is a failed run; run `hcp run` again and send the report it makes")
    if not report.is_dir():
        failed = report.with_name(report.name + ".failed")
        hint = (f"; the last run failed (see {failed / 'run.log'})" if failed.is_dir()
                else "; run `hcp run` first")
        raise NotSendable(f"没有通报 / no report at {report}{hint}")
    path = report / MANIFEST
    if not path.is_file():
        raise NotSendable(f"{report} has no {MANIFEST}: it is not a finished report "
                          "(run `hcp run` again)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise NotSendable(f"{path} cannot be read: {exc}") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("outputs"), list):
        raise NotSendable(f"{path} lists no outputs: it is not a finished report")
    return manifest


def check_sendable(report: Path, manifest: dict[str, Any]) -> None:
    """Refuse a provisional report, or one whose files differ from the manifest's hashes."""
    if manifest.get("status", "complete") == "provisional":
        raise NotSendable(f"{report} is provisional (made with --allow-partial); "
                          "it is not sent to leadership")
    changed = [o["path"] for o in manifest["outputs"] if not _matches(report / o["path"], o)]
    if changed:
        shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
        raise NotSendable(f"{report} does not match its manifest: {shown} missing or changed "
                          "since the run; run `hcp run` again")


def _matches(path: Path, output: dict[str, Any]) -> bool:
    if not path.is_file():
        return False
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest() == output.get("sha256")


def listed(manifest: dict[str, Any]) -> set[str]:
    """The report's files the manifest vouches for (relative paths)."""
    return {o["path"] for o in manifest["outputs"]}


def deliveries(manifest: dict[str, Any], *, tests: bool = False) -> list[dict[str, Any]]:
    """Sendings recorded so far; test sendings (``--to``) only when ``tests``."""
    return [d for d in manifest.get("deliveries", []) if tests or not d.get("test")]


def record_delivery(report: Path, entry: dict[str, Any]) -> None:
    """Append ``entry`` to the manifest's ``deliveries``, replacing the file atomically."""
    path = report / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.setdefault("deliveries", []).append(entry)
    write_atomic(path, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write beside ``path`` and rename over it: readers see the old file or the new one."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
