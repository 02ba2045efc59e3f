"""Saving a computed bulletin, so the notebook can render one that was computed elsewhere.

``hcp run`` computes once (validating the inputs on the way), saves the result beside the
report and points the notebook at it; tests point the notebook at a hand-made fixture. The
saved form is plain JSON (data only: reading it never runs code), and the loader rebuilds the
exact objects of ``figures.py`` from it — Fractions, Decimals and dates included.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

from .. import figures
from ..figures import Bulletin

FORMAT = "hcp-bulletin"
VERSION = 1
SAVED_NAME = "bulletin.json"


class BulletinFileError(ValueError):
    """A saved bulletin that cannot be read: not JSON, another format, or a field that is off."""


def save_bulletin(bulletin: Bulletin, path: str | Path) -> Path:
    """Write ``bulletin`` as JSON (exact: rates as 'p/q'); returns the path written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"format": FORMAT, "version": VERSION, "bulletin": bulletin.to_dict()}
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def load_bulletin(path: str | Path) -> Bulletin:
    """Read a bulletin written by :func:`save_bulletin`; BulletinFileError for anything else."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise BulletinFileError(f"{path}: not a saved bulletin (not UTF-8 text; a bulletin "
                                "saved before hcp wrote JSON must be computed again)") from exc
    except json.JSONDecodeError as exc:
        raise BulletinFileError(f"{path}: not a saved bulletin (not valid JSON: {exc})") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BulletinFileError(f"{path}: not a saved bulletin (no \"format\": \"{FORMAT}\")")
    if document.get("version") != VERSION:
        raise BulletinFileError(f"{path}: saved bulletin version {document.get('version')!r}; "
                                f"this hcp reads version {VERSION}")
    try:
        return _build(Bulletin, document.get("bulletin"), "bulletin")
    except (TypeError, ValueError, KeyError, ZeroDivisionError, InvalidOperation) as exc:
        raise BulletinFileError(f"{path}: not a valid saved bulletin: {exc}") from exc


def _build(kind: Any, value: Any, where: str) -> Any:
    """``value`` (parsed JSON) as an instance of the annotated type ``kind``, checked."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(kind)
        if value is None and type(None) in options:
            return None
        rest = [o for o in options if o is not type(None)]
        return _build(rest[0], value, where)
    if dataclasses.is_dataclass(kind):
        if not isinstance(value, dict):
            raise TypeError(f"{where}: expected an object")
        hints = typing.get_type_hints(kind, vars(figures))
        fields = {f.name for f in dataclasses.fields(kind)}
        unknown = set(value) - fields
        if unknown:
            raise KeyError(f"{where}: unknown fields {sorted(unknown)}")
        args = {name: _build(hints[name], value[name], f"{where}.{name}")
                for name in fields if name in value}
        return kind(**args)
    if origin is list:
        (item,) = typing.get_args(kind)
        return [_build(item, v, f"{where}[{i}]") for i, v in enumerate(_sequence(value, where))]
    if origin is tuple:
        items = typing.get_args(kind)
        seq = _sequence(value, where)
        if len(seq) != len(items):
            raise TypeError(f"{where}: expected {len(items)} items")
        return tuple(_build(t, v, where) for t, v in zip(items, seq, strict=True))
    if origin is dict:
        key, item = typing.get_args(kind)
        if not isinstance(value, dict):
            raise TypeError(f"{where}: expected an object")
        return {_build(key, k, where): _build(item, v, f"{where}.{k}") for k, v in value.items()}
    return _scalar(kind, value, where)


def _sequence(value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise TypeError(f"{where}: expected a list")
    return value


def _scalar(kind: Any, value: Any, where: str) -> Any:
    if kind is Fraction:
        if not isinstance(value, str):
            raise TypeError(f"{where}: expected a fraction 'p/q'")
        return Fraction(value)
    if kind is Decimal:
        if not isinstance(value, str):
            raise TypeError(f"{where}: expected a decimal as text")
        return Decimal(value)
    if kind is date:
        return date.fromisoformat(value)
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind is bool and isinstance(value, bool):
        return value
    if kind is str and isinstance(value, str):
        return value
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise TypeError(f"{where}: expected {getattr(kind, '__name__', kind)}, found {value!r}")


def write_bulletin_json(bulletin: Bulletin, path: str | Path) -> Path:
    """The figures as JSON (Fractions as exact 'p/q'), for anyone reading the report later."""
    path = Path(path)
    path.write_text(
        json.dumps(bulletin.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return path
