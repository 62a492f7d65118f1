"""Import of a tax system export: read and check every row, stage with COPY, merge once.

1. The file is read row by row (CSV of either encoding and separator, or XLSX); each
   row becomes a holder and perhaps an object, or a problem with its line and reason.
2. Strict: any problem and nothing is written. Lenient: the good rows go on, the
   problems are reported; accounts named on a refused row keep what they had.
3. Staged with COPY into temporary tables, then merged in one transaction
   (merge_sql.py): upserts that leave equal rows alone, so importing the same file
   again changes nothing; objects and holders no longer in the file are removed.
"""
import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.models import AdministrativeUnit

from ..errors import ERROR, ImportRejected, Problem
from . import merge_sql, reading
from .columns import DEFAULT_COLUMNS, header_map, value_codes
from .models import ColumnProfile, TaxImport
from .rows import Holder, RowError, TaxedObject, holder_of, object_of


class TaxImportRejected(ImportRejected):
    code = "tax_import_rejected"
    default_message = _("The tax file was not imported because it has errors; "
                        "nothing was changed.")


@dataclass
class Parsed:
    holders: dict[tuple[str, str], Holder] = field(default_factory=dict)
    objects: dict[tuple[str, str], TaxedObject] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    refused_accounts: set[str] = field(default_factory=set)
    rows: int = 0


@dataclass(frozen=True)
class TaxImportResult:
    source: str
    detected: dict
    counts: dict
    problems: list[Problem]
    unchanged_file: bool = False
    seconds: float = 0.0

    @property
    def rejected(self) -> int:
        return sum(1 for p in self.problems if p.severity == ERROR)


def import_hash(path: Path, *, columns: dict, codes: dict, strict: bool) -> str:
    """SHA-256 of the file's bytes and of how they are read: the profile's column mapping
    and value codes, and the mode. The same file read another way is another import."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    how = {"columns": columns, "values": codes, "strict": strict}
    digest.update(b"\0" + json.dumps(how, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()


def profile_for(unit: AdministrativeUnit, name: str | None) -> tuple[str, dict, dict]:
    """(name, columns, value codes) of the named profile, the unit's default, or ours."""
    profiles = ColumnProfile.objects.filter(unit__in=[unit.pk, None]) if unit.pk else \
        ColumnProfile.objects.filter(unit=None)
    if name:
        found = profiles.filter(name=name).order_by("unit").first()
        if found is None:
            raise TaxImportRejected([Problem(_("No column profile named “%(name)s”.")
                                             % {"name": name}, "no_profile")])
    else:
        found = profiles.filter(is_default=True).order_by("unit").first()
    if found is None:
        return "geo_portal", DEFAULT_COLUMNS, {}
    return found.name, found.columns, found.values


def parse(path: Path, detected: reading.Detected, columns: dict, codes: dict,
          file: str) -> Parsed:
    parsed, positions = Parsed(), None
    for line, cells in reading.rows(path, detected):
        if positions is None:
            positions, missing = header_map(cells, columns)
            if missing:
                raise TaxImportRejected([Problem(
                    _("The header row has no column for: %(fields)s (profile columns: "
                      "%(columns)s).") % {"fields": ", ".join(missing),
                                          "columns": ", ".join(columns.values())},
                    "missing_columns", ERROR, file, line)])
            continue
        if not any(cells):
            continue
        parsed.rows += 1
        values = {f: cells[i] if i < len(cells) else "" for f, i in positions.items()}
        _row(parsed, values, line, codes, file)
    if positions is None:
        raise TaxImportRejected([Problem(_("The file is empty."), "empty_file", ERROR, file)])
    return parsed


def _row(parsed: Parsed, values: dict, line: int, codes: dict, file: str) -> None:
    if not values.get("account"):
        parsed.problems.append(Problem(_("account: every row needs an account number"),
                                       "no_account", ERROR, file, line, kind="row",
                                       detail={"field": "account"}))
        return
    try:
        holder = holder_of(values, line, codes)
        taxed = object_of(values, line, codes)
        _keep(parsed, holder, taxed)
    except RowError as exc:
        parsed.problems.append(Problem(exc.message, exc.code, ERROR, file, line,
                                       object_id=values["account"], kind="row",
                                       detail={"field": exc.field} if exc.field else {}))
        parsed.refused_accounts.add(values["account"])


def _keep(parsed: Parsed, holder: Holder, taxed: TaxedObject | None) -> None:
    known = parsed.holders.get((holder.account, holder.ident_key))
    if known is None or (known.role != "owner" and holder.role == "owner"):
        parsed.holders[(holder.account, holder.ident_key)] = holder
    if taxed is None:
        return
    seen = parsed.objects.get((taxed.account, taxed.object_key))
    if seen is not None and seen.values() != taxed.values():
        raise RowError(_("the same object was given on line %(line)d with other values")
                       % {"line": seen.line}, "object_conflict")
    parsed.objects.setdefault((taxed.account, taxed.object_key), taxed)


def _stage(parsed: Parsed) -> None:
    holders = ((h.account, h.ident_key, h.kind, h.pesel, h.regon, h.nip, h.first_name,
                h.surname, h.name, h.role, h.line) for h in parsed.holders.values())
    objects = ((o.account, o.object_key, o.kind, o.parcel_ref, o.building_ref, o.category,
                o.land_use, o.soil_class, o.area_ha, o.floor_area_m2, o.line)
               for o in parsed.objects.values())
    with connection.cursor() as cur:
        for statement in merge_sql.STAGING:
            cur.execute(statement)
        for table, rows in (("stg_tax_holder", holders), ("stg_tax_object", objects)):
            with cur.copy(f"COPY {table} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        cur.execute("ANALYZE stg_tax_holder")
        cur.execute("ANALYZE stg_tax_object")


def tax_records_import(*, unit: AdministrativeUnit, path: str | Path, strict: bool = False,
                       profile: str | None = None, job: TaxImport | None = None,
                       file_name: str | None = None) -> TaxImportResult:
    """Import `path` into `unit`'s tax register; raise TaxImportRejected, nothing written."""
    path, started = Path(path), time.monotonic()
    file = file_name or path.name
    if not path.is_file() or path.stat().st_size == 0:
        raise TaxImportRejected([Problem(_("The file is missing or empty."), "empty_file",
                                         ERROR, file)])
    name, columns, extra = profile_for(unit, profile)
    detected = reading.detect(path)
    digest = import_hash(path, columns=columns, codes=extra, strict=strict)
    if job is not None:
        TaxImport.objects.filter(pk=job.pk).update(content_hash=digest, profile_name=name,
                                                   detected=detected.as_dict())
    if _same_as_last(unit, digest, job):
        return TaxImportResult(file, detected.as_dict(), {"unchanged_file": 1}, [], True,
                               round(time.monotonic() - started, 3))
    try:
        parsed = parse(path, detected, columns, value_codes(extra), file)
    except UnicodeDecodeError as exc:
        raise TaxImportRejected([Problem(_("The file is neither UTF-8 nor Windows-1250 text: "
                                           "%(error)s") % {"error": exc.reason}, "encoding",
                                         ERROR, file)]) from exc
    except reading.UnreadableWorkbook as exc:
        raise TaxImportRejected([Problem(_("The file looks like an XLSX workbook but cannot "
                                           "be read: %(error)s") % {"error": exc}, "unreadable",
                                         ERROR, file)]) from exc
    if parsed.problems and strict:
        raise TaxImportRejected(parsed.problems)
    with transaction.atomic():
        _stage(parsed)
        counts = merge_sql.merge(unit.pk, sorted(parsed.refused_accounts))
    counts.update(rows=parsed.rows, rejected_rows=len(parsed.problems))
    return TaxImportResult(file, detected.as_dict(), counts, parsed.problems,
                           seconds=round(time.monotonic() - started, 3))


def _same_as_last(unit: AdministrativeUnit, digest: str, job: TaxImport | None) -> bool:
    """The last successful import of the unit was this very file, read the same way (the
    same profile mapping and mode, see import_hash): nothing to do."""
    last = (TaxImport.objects.filter(unit=unit, status=TaxImport.SUCCEEDED)
            .exclude(pk=job.pk if job else None).order_by("-finished_at", "-pk").first())
    return last is not None and last.content_hash == digest
