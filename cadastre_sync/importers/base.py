"""The interface every cadastre file format implements, and the report it writes to.

A reader streams the file once and yields staging rows `(kind, row)`; it never
touches the real tables. Kinds and their columns are defined in `staging.py`.
Spatial and cross-object checks run afterwards in SQL (`checks.py`), so a reader
only reports what it alone can see: syntax, a missing field, a bad value.
"""
import json
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import BinaryIO, ClassVar

from django.utils.translation import gettext as _

from core.problems import problem_of

from ..errors import ERROR, WARNING, Problem

Row = tuple[str, dict]
# Staged kinds an error may refuse one by one (staging.KINDS).
OBJECT_KINDS = frozenset({"precinct", "parcel", "land_use", "building", "register_unit",
                          "subject", "share"})

# How many problems a report keeps in full (the job page, the CSV); beyond that only
# their count per code. A county export with a systematic fault would otherwise fill
# the job row.
REPORT_LIMIT = 10_000


@dataclass(frozen=True)
class ImportOptions:
    unit_teryt: str
    strict: bool = False
    dry_run: bool = False
    field_map: dict[str, str] = field(default_factory=dict)


class Report:
    """Problems found in one file, in the order found."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.by_code: Counter[str] = Counter()
        self.errors = 0
        self.warnings = 0
        self.errors_by_kind: Counter[str] = Counter()
        # Objects refused one by one (lenient import): staged kind -> file lines. Kept in
        # full, whatever REPORT_LIMIT, since the merge leaves exactly these out.
        self.rejected: dict[str, set[int]] = {}
        # Unit TERYT codes the file's identifiers name, to tell another unit's file.
        self.units: Counter[str] = Counter()

    def add(self, message: str, *, code: str, severity: str = ERROR, line: int | None = None,
            gml_id: str = "", object_id: str = "", kind: str = "",
            params: dict | None = None, translate: tuple[str, ...] = (),
            numbers: tuple[str, ...] = ()) -> None:
        """Record a problem. `message` is a msgid (marked with gettext_noop) formatted with
        `params` (those named in `translate` are msgids too, those in `numbers` decimals);
        it is translated now and again wherever the report is shown."""
        self.by_code[code] += 1
        if severity == ERROR:
            self.errors += 1
            # An object's error names its kind and line; anything else is the file's.
            whose = kind if kind in OBJECT_KINDS and line else "file"
            self.errors_by_kind[whose] += 1
            if whose != "file":
                self.rejected.setdefault(kind, set()).add(line)
        else:
            self.warnings += 1
        if len(self.problems) < REPORT_LIMIT:
            self.problems.append(problem_of(
                str(message), params, translate=translate, numbers=numbers, code=code,
                severity=severity, file=self.file, line=line, feature_id=gml_id or "",
                object_id=object_id or "", kind=kind or ""))

    @property
    def has_file_errors(self) -> bool:
        return self.errors_by_kind["file"] > 0

    def rejected_count(self, kind: str) -> int:
        return len(self.rejected.get(kind, ()))

    def warn(self, message: str, **where) -> None:
        self.add(message, severity=WARNING, **where)

    @property
    def has_errors(self) -> bool:
        return self.errors > 0

    def clear(self) -> None:
        self.__init__(self.file)

    def merge(self, other: "Report") -> None:
        """Take over the problems another reader of the same file found (parallel reading)."""
        room = REPORT_LIMIT - len(self.problems)
        self.problems.extend(other.problems[:max(room, 0)])
        self.by_code.update(other.by_code)
        self.errors_by_kind.update(other.errors_by_kind)
        for kind, lines in other.rejected.items():
            self.rejected.setdefault(kind, set()).update(lines)
        self.units.update(other.units)
        self.errors += other.errors
        self.warnings += other.warnings


class CountingReader:
    """A binary file wrapper that counts bytes read, for progress in bytes."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.done = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.done += len(data)
        return data

    def readline(self) -> bytes:
        data = self.raw.readline()
        self.done += len(data)
        return data


class CadastreReader(ABC):
    """Base of the format plug-ins: short name, sniffing, and the row stream."""

    name: ClassVar[str]
    label: ClassVar[str]
    splittable: ClassVar[bool] = False  # can read a byte window of the file (parallel.py)

    def __init__(self, path: Path, report: Report, options: ImportOptions) -> None:
        self.path = path
        self.report = report
        self.options = options
        self.skipped: Counter[str] = Counter()  # feature types read past on purpose
        self.bytes_done = 0
        self.seq_base = 0  # readers of different windows of one file number apart
        self._seq = 0

    def number(self, row: dict) -> dict:
        """Give `row` its staging number now, for rows that others point at by it."""
        self._seq += 1
        row["seq"] = self.seq_base + self._seq
        return row

    @classmethod
    @abstractmethod
    def sniff(cls, head: bytes, path: Path) -> bool:
        """True when the first bytes (up to 64 KiB) look like this format."""

    @abstractmethod
    def rows(self) -> Iterator[Row]:
        """Yield staging rows; report problems to `self.report`, never raise for data."""

    def error(self, message: str, **where) -> None:
        self.report.add(message, **where)

    def note_unit(self, identifier: str) -> None:
        """Count the unit an identifier (`WWPPGG_R.…`) names."""
        code = identifier.split(".", 1)[0]
        if len(code) == 8 and code[6] == "_":
            self.report.units[code] += 1

    def warn(self, message: str, **where) -> None:
        self.report.add(message, severity=WARNING, **where)


# Short name -> reader class, as dotted paths so a format's dependencies load only when
# used (pygeoapi's plug-in registry). Detection tries them in this order.
REGISTRY: dict[str, str] = {
    "egib2021": "cadastre_sync.importers.egib_gml.Egib2021Reader",
    "egib2015": "cadastre_sync.importers.egib_gml.Egib2015Reader",
    "swde": "cadastre_sync.importers.swde.SwdeReader",
    "ogr": "cadastre_sync.importers.ogr.OgrReader",
}
AUTO = "auto"
FORMAT_CHOICES = [AUTO, *REGISTRY]
SNIFF_BYTES = 64 * 1024


def reader_class(name: str) -> type[CadastreReader]:
    module, _, cls = REGISTRY[name].rpartition(".")
    return getattr(import_module(module), cls)


def read_head(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(SNIFF_BYTES)


def detect_format(path: Path, head: bytes) -> str | None:
    """The short name of the first reader whose sniff accepts the file, or None."""
    for name in REGISTRY:
        if reader_class(name).sniff(head, path):
            return name
    return None


def parse_field_map(value: str) -> dict[str, str]:
    """`parcel_id=ID_DZIALKI,area=POLE` or a JSON object; ValueError says what is wrong."""
    value = (value or "").strip()
    if not value:
        return {}
    if value.startswith("{"):
        try:
            mapping = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(_("not well-formed JSON (line %(line)d, column %(column)d)") % {
                "line": exc.lineno, "column": exc.colno}) from exc
        if not isinstance(mapping, dict):
            raise ValueError(_("not a JSON object"))
        return {str(k): str(v) for k, v in mapping.items()}
    pairs = [item.split("=", 1) for item in value.split(",") if item.strip()]
    if any(len(p) != 2 or not p[0].strip() or not p[1].strip() for p in pairs):
        raise ValueError(_("write field=SOURCE_FIELD pairs separated by commas, "
                           "e.g. parcel_id=ID_DZIALKI,area=POLE"))
    return {k.strip(): v.strip() for k, v in pairs}
