"""Writes of the cadastre: importing a county export, and the import job around it.

`cadastre_import` is the one way data from a file reaches the cadastre tables:

1. the format's reader streams the file (bounded memory) into temporary staging
   tables with COPY, in chunks;
2. set-based SQL checks validate, transform and repair the staged rows and
   resolve links;
3. if anything is an error, nothing has been written and ImportRejected lists
   every problem; otherwise one transaction merges staging into the real tables.

So a failure at any point leaves the database exactly as it was before the import:
the staging tables are temporary and the only writes to real tables happen in the
single merge transaction (rolled back again for a dry run).
"""
import logging
import time
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from core.identifiers import LEVEL_GMINA, LEVEL_POWIAT, parse_teryt
from core.jobs import job_fail, job_finish, job_guard, job_progress, job_start, jobs_reap_dead
from core.models import AdministrativeUnit
from core.problems import problem_of

from .errors import ImportRejected, Problem
from .importers import checks, geometry_checks, links, parallel, staging
from .importers.base import (
    AUTO,
    REGISTRY,
    CadastreReader,
    ImportOptions,
    Report,
    detect_format,
    read_head,
    reader_class,
)
from .importers.egib_gml import EGIB_2015, EGIB_2021, declared_namespaces, looks_like_xml
from .importers.feature_types import held
from .importers.merge import Counts, drop_merge_tables, merge, merge_by_gmina
from .importers.values import RIGHT_CODES
from .models import CadastreImport
from .signals import cadastre_changed

log = logging.getLogger(__name__)

# Progress is written at most this often (bytes read), one UPDATE of the job row each.
PROGRESS_EVERY_BYTES = 4 * 1024 * 1024
OTHER_UNIT = N_("The file holds data of unit %(others)s, not of %(unit)s, the unit being "
                "imported.")
MEDIA_SUBDIR = "cadastre_imports"


@dataclass(frozen=True)
class ImportResult:
    source: str
    format: str
    dry_run: bool
    counts: dict[str, Counts]
    problems: list[Problem]
    errors: int = 0
    warnings: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    changed_extent: MultiPolygon | None = None
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # seconds per step
    by_code: dict[str, int] = field(default_factory=dict)  # every problem found, by code
    # A powiat's county file: where it changed the cadastre of each gmina (unit id).
    gmina_extents: dict[int, MultiPolygon | None] = field(default_factory=dict)

    @property
    def totals(self) -> Counts:
        total = Counts()
        for counts in self.counts.values():
            for name, value in counts.__dict__.items():
                setattr(total, name, getattr(total, name) + value)
        return total

    def counts_dict(self) -> dict:
        return {"totals": self.totals.as_dict(),
                **{kind: c.as_dict() for kind, c in self.counts.items()},
                "errors": self.errors, "warnings": self.warnings, "skipped": self.skipped,
                "problems": self.by_code, "seconds": self.seconds, "phases": self.phases}


def _reject(file: str, message: str, code: str, line: int | None = None,
            params: dict | None = None) -> ImportRejected:
    """The file refused whole: `message` is a msgid (gettext_noop) formatted with `params`."""
    return ImportRejected([problem_of(message, params, code=code, file=file, line=line)])


def _check_unit(unit: AdministrativeUnit, file: str) -> None:
    if parse_teryt(unit.teryt).level not in (LEVEL_GMINA, LEVEL_POWIAT):
        raise _reject(file, N_("Cadastre files are imported into a gmina, or into a powiat for "
                               "the whole county; %(teryt)s is neither."),
                      "unit_not_gmina", params={"teryt": unit.teryt})


def _is_county(unit: AdministrativeUnit) -> bool:
    """A powiat imports its county's shared cadastre: each gmina's part goes to the gmina."""
    return parse_teryt(unit.teryt).level == LEVEL_POWIAT


def _reader(path: Path, fmt: str, report: Report, options: ImportOptions) -> CadastreReader:
    """The reader for `path`: named, or detected from the first bytes."""
    if not path.is_file():
        raise _reject(report.file, N_("No such file: %(path)s"), "no_file",
                      params={"path": str(path)})
    if path.stat().st_size == 0:
        raise _reject(report.file, N_("The file is empty."), "empty_file")
    if fmt != AUTO and fmt not in REGISTRY:
        raise _reject(report.file, N_("Unknown format “%(fmt)s”; use one of: %(names)s."),
                      "unknown_format", params={"fmt": fmt, "names": ", ".join([AUTO, *REGISTRY])})
    head = read_head(path)
    name = fmt if fmt != AUTO else detect_format(path, head)
    if name is None and looks_like_xml(head):
        raise _reject(report.file, N_(
            "Unknown namespace: the file declares none of the EGiB namespaces (2021: "
            "%(ns2021)s, 2015: %(ns2015)s); it declares %(found)s. For another GML, use "
            "--format ogr with a field mapping."), "unknown_namespace", 1, params={
                "ns2021": EGIB_2021.namespace, "ns2015": EGIB_2015.namespace,
                "found": ", ".join(declared_namespaces(head)) or "-"})
    if name is None:
        raise _reject(report.file, N_(
            "Not a cadastre file this product reads: not XML (EGiB GML), not SWDE, and not "
            "a file OGR can open."), "unknown_format", 1)
    return reader_class(name)(path, report, options)


def _stage(reader: CadastreReader, job: CadastreImport | None) -> dict[str, int]:
    """Stream the file into the staging tables; progress by bytes read.

    A large GML export is read by several processes at once (parallel.py); if a window
    turns out ill-formed, the file is read again in one piece, which then says where.
    """
    plan = parallel.plan(reader.path, parallel.workers()) if reader.splittable else None
    if plan is not None:
        read = parallel.ParallelRead(reader, plan)
        staged = _copy(read.rows(), read, job, prepared=True)
        if read.well_formed:
            return staged
        log.info("%s: a parallel window was ill-formed; reading it again in one piece",
                 reader.report.file)
        reader.report.clear()
        reader.skipped.clear()
        staging.create_tables()
    return _copy(reader.rows(), reader, job, prepared=False)


def _copy(rows, source, job: CadastreImport | None, *, prepared: bool) -> dict[str, int]:
    """Stage the rows; the number staged per kind."""
    copy, reported = staging.ChunkedCopy(), 0
    add = copy.add_values if prepared else copy.add
    for kind, row in rows:
        add(kind, row)
        if job is not None and source.bytes_done - reported >= PROGRESS_EVERY_BYTES:
            reported = source.bytes_done
            job_progress(job, done=reported)
    copy.flush_all()
    return copy.staged


def _check_file(reader: CadastreReader, report: Report, unit: AdministrativeUnit,
                staged: dict[str, int]) -> None:
    """What refuses the whole file: another unit's data, or no parcels at all."""
    units = report.units
    if report.has_file_errors:
        return  # already refused, for what the reader saw
    if _is_county(unit):
        _check_county_file(report, unit)
    elif units and unit.teryt not in units:
        report.add(OTHER_UNIT, params={"others": ", ".join(units), "unit": unit.teryt},
                   code="other_unit")
    if report.has_file_errors:
        return
    if not staged.get("parcel") and not report.rejected_count("parcel"):
        found = held(staged, reader.skipped)
        report.add(N_("This file holds no parcels (only: %(held)s)."), params={
            "held": ", ".join(f"{words} {n}" for words, n in found.items()) or _("nothing")},
            code="no_parcels")


def _check_county_file(report: Report, unit: AdministrativeUnit) -> None:
    """A county file: only gminy of the powiat, each already set up here."""
    others = sorted(t for t in report.units if not t.startswith(unit.teryt))
    if others:
        report.add(OTHER_UNIT, params={"others": ", ".join(others), "unit": unit.teryt},
                   code="other_unit")
        return
    known = set(AdministrativeUnit.objects.filter(teryt__in=list(report.units))
                .values_list("teryt", flat=True))
    for teryt in sorted(set(report.units) - known):
        report.add(N_("The file holds the cadastre of gmina %(teryt)s, which is not set up on "
                      "this portal; add the unit first (manage.py units_import or the admin)."),
                   params={"teryt": teryt}, code="unknown_gmina")


def _check(report: Report, unit: AdministrativeUnit, strict: bool) -> None:
    """The set-based checks; then, importing leniently, the refused objects are flagged."""
    with transaction.atomic():
        staging.index_tables()
        # A boundary derived from earlier imports is no check: a new precinct lies outside it.
        given = unit.boundary_source != AdministrativeUnit.BOUNDARY_FROM_CADASTRE
        boundary = bytes(unit.boundary.wkb) if unit.boundary and given else None
        geometry_checks.prepare_geometry(report, strict=strict, boundary_wkb=boundary)
        checks.run_record_checks(report, strict=strict)
        links.resolve_links(report)
        checks.run_ownership_checks(report, list(RIGHT_CODES))
        if not strict:
            staging.mark_rejected(report.rejected)


def _result(reader: CadastreReader, report: Report, options: ImportOptions, started: float,
            counts: dict[str, Counts], extent: MultiPolygon | None = None,
            phases: dict[str, float] | None = None) -> ImportResult:
    for kind in report.rejected:
        counts.setdefault(kind, Counts()).rejected = report.rejected_count(kind)
    return ImportResult(report.file, reader.name, options.dry_run, counts, report.problems,
                        report.errors, report.warnings, dict(reader.skipped), extent,
                        round(time.monotonic() - started, 3), phases or {}, dict(report.by_code))


def _extent(ewkb: bytes | None) -> MultiPolygon | None:
    if not ewkb:
        return None
    geom = GEOSGeometry(memoryview(bytes(ewkb)))
    return geom if isinstance(geom, MultiPolygon) else MultiPolygon(geom, srid=geom.srid)


def _run(reader: CadastreReader, report: Report, unit: AdministrativeUnit,
         options: ImportOptions, job: CadastreImport | None, started: float) -> ImportResult:
    phases, clock = {}, time.monotonic()

    def lap(name: str) -> None:
        nonlocal clock
        phases[name] = round(time.monotonic() - clock, 3)
        clock = time.monotonic()

    staging.create_tables()
    staged = _stage(reader, job)
    _check_file(reader, report, unit, staged)
    lap("read and stage")
    # A fault of the file refuses it whole; one of an object, that object (all of them
    # under --strict).
    if not report.has_file_errors:
        _check(report, unit, options.strict)
        lap("check")
    if report.has_file_errors or (options.strict and report.has_errors):
        result = _result(reader, report, options, started, {}, phases=phases)
        raise ImportRejected(report.problems, result=result)
    if job is not None:
        job_progress(job, done=reader.bytes_done, note=_("file read and checked; merging"))
    if _is_county(unit):
        return _run_county(reader, report, unit, options, started, phases, lap)
    with transaction.atomic():
        merged = merge(unit.pk, RIGHT_CODES)
        if options.dry_run:
            transaction.set_rollback(True)
    lap("merge")
    extent = None if options.dry_run else _extent(merged.extent_ewkb)
    return _result(reader, report, options, started, merged.counts, extent, phases=phases)


def _run_county(reader: CadastreReader, report: Report, unit: AdministrativeUnit,
                options: ImportOptions, started: float, phases: dict[str, float],
                lap) -> ImportResult:
    """The merge of a county file: each gmina's part into that gmina, in one transaction."""
    gminy = list(AdministrativeUnit.objects.filter(teryt__in=list(report.units))
                 .order_by("teryt").values_list("pk", "teryt"))
    with transaction.atomic():
        merged = merge_by_gmina(gminy, RIGHT_CODES)
        if options.dry_run:
            transaction.set_rollback(True)
    lap("merge")
    counts: dict[str, Counts] = {}
    for _unit_id, result in merged:
        for kind, part in result.counts.items():
            total = counts.setdefault(kind, Counts())
            for name, value in part.__dict__.items():
                setattr(total, name, getattr(total, name) + value)
    extents = {} if options.dry_run else {
        unit_id: _extent(result.extent_ewkb) for unit_id, result in merged}
    changed = [extent for extent in extents.values() if extent is not None]
    whole = None
    for extent in changed:
        whole = extent if whole is None else whole.union(extent)
    if whole is not None and not isinstance(whole, MultiPolygon):
        whole = MultiPolygon(whole, srid=whole.srid)
    result = _result(reader, report, options, started, counts, whole, phases=phases)
    return replace(result, gmina_extents=extents)


def cadastre_import(*, unit: AdministrativeUnit, path: str | Path, fmt: str = AUTO,
                    strict: bool = False, dry_run: bool = False,
                    field_map: dict[str, str] | None = None,
                    job: CadastreImport | None = None) -> ImportResult:
    """Import a cadastre file into `unit`; raise ImportRejected (nothing written) on errors.

    With `job`, its row follows the import: status, progress in bytes, counts, the
    report and the changed extent.
    """
    path = Path(path)
    started = time.monotonic()
    report = Report(job.source_name if job else path.name)
    options = ImportOptions(unit.teryt, strict, dry_run, dict(field_map or {}))
    if job is None:
        result = _import(path, fmt, report, unit, options, None, started)
    else:
        job_start(job, total=path.stat().st_size if path.is_file() else None)
        with job_guard(job):
            result = _import(path, fmt, report, unit, options, job, started)
            _job_succeeded(job, result)
    if result.gmina_extents:
        gminy = AdministrativeUnit.objects.in_bulk(list(result.gmina_extents))
        for unit_id, extent in result.gmina_extents.items():
            if extent is not None:
                _announce_change(gminy[unit_id], extent, result, job)
                _boundary_follow(gminy[unit_id])
    elif result.changed_extent is not None:
        _announce_change(unit, result.changed_extent, result, job)
        _boundary_follow(unit)
    return result


def _import(path: Path, fmt: str, report: Report, unit: AdministrativeUnit,
            options: ImportOptions, job: CadastreImport | None, started: float) -> ImportResult:
    try:
        _check_unit(unit, report.file)
        reader = _reader(path, fmt, report, options)
        if _is_county(unit) and reader.name == "swde":
            raise _reject(report.file, N_(
                "A county's cadastre is imported from EGiB GML or OGR; a SWDE file does not "
                "say which gmina a precinct is in. Import SWDE files gmina by gmina."),
                "county_swde")
        return _run(reader, report, unit, options, job, started)
    except ImportRejected as exc:
        if job is not None:
            _job_failed(job, exc)
        raise
    except DatabaseError as exc:
        # A statement the checks should have prevented; the transaction rolled back.
        log.exception("cadastre import of %s failed in the database", report.file)
        rejected = _reject(report.file, N_("The database refused the data; nothing was "
                                           "changed. The server log says why."),
                           "database_error", params={"error": str(exc).splitlines()[0]})
        if job is not None:
            _job_failed(job, rejected)
        raise rejected from exc
    finally:
        _drop_work_tables()


def _boundary_follow(unit: AdministrativeUnit) -> None:
    """A boundary derived from the cadastre (or none yet) is derived again, once committed,
    by a background job: the union of a gmina's parcels takes seconds the import need not
    wait for. A given boundary is left alone."""
    given = unit.boundary_source != AdministrativeUnit.BOUNDARY_FROM_CADASTRE
    if unit.boundary is not None and given:
        return
    from .tasks import unit_boundary_task  # the task module imports this one

    transaction.on_commit(lambda: unit_boundary_task.defer(unit_id=unit.pk))


def _announce_change(unit: AdministrativeUnit, area: MultiPolygon, result: ImportResult,
                     job: CadastreImport | None) -> None:
    """Tell the apps above (map caches) where the cadastre changed, once it is committed."""
    reason = f"EGiB: {result.source}" + (f" (#{job.pk})" if job else "")
    transaction.on_commit(lambda: cadastre_changed.send(
        sender=CadastreImport, unit=unit, area=area, reason=reason[:200],
        job_id=job.pk if job else None))


def _drop_work_tables() -> None:
    try:
        with transaction.atomic():
            staging.drop_tables()
            drop_merge_tables()
    except DatabaseError:  # the session's temp tables go with it anyway
        log.warning("could not drop the import's temporary tables", exc_info=True)


def _job_succeeded(job: CadastreImport, result: ImportResult) -> None:
    CadastreImport.objects.filter(pk=job.pk).update(
        detected_format=result.format, changed_extent=result.changed_extent,
        report=[p.as_dict() for p in result.problems])
    totals = result.totals
    message = _("%(created)d created, %(updated)d updated, %(retired)d retired, "
                "%(unchanged)d unchanged; %(warnings)d warnings") % {
        **totals.__dict__, "warnings": result.warnings}
    if result.dry_run:
        message = _("Dry run, nothing written: ") + message
    job_finish(job, counts=result.counts_dict(), message=message)


def _job_failed(job: CadastreImport, exc: ImportRejected) -> None:
    result: ImportResult | None = exc.result
    CadastreImport.objects.filter(pk=job.pk).update(
        detected_format=result.format if result else "",
        report=[p.as_dict() for p in exc.problems])
    job_fail(job, message=str(exc.message), counts=result.counts_dict() if result else {})


def cadastre_import_job_create(*, unit: AdministrativeUnit, source_name: str,
                               source_path: str = "", fmt: str = AUTO, strict: bool = False,
                               dry_run: bool = False, field_map: dict | None = None,
                               by=None) -> CadastreImport:
    path = Path(source_path) if source_path else None
    jobs_reap_dead(unit=unit)  # an import whose process died shows as such, not "running"
    return CadastreImport.objects.create(
        unit=unit, created_by=by, source_name=source_name[:255], source_path=source_path,
        source_size=path.stat().st_size if path and path.is_file() else None, format=fmt,
        options={"strict": strict, "dry_run": dry_run, "field_map": field_map or {}})


def cadastre_import_job_run(*, job: CadastreImport) -> ImportResult | None:
    """Run a queued job (the worker's entry); a job already started is left alone."""
    claimed = CadastreImport.objects.filter(pk=job.pk, status=CadastreImport.QUEUED).update(
        status=CadastreImport.RUNNING)
    if not claimed:
        return None
    options = job.options or {}
    try:
        return cadastre_import(unit=job.unit, path=job.source_path, fmt=job.format,
                               strict=bool(options.get("strict")),
                               dry_run=bool(options.get("dry_run")),
                               field_map=options.get("field_map") or {}, job=job)
    except ImportRejected:
        return None  # recorded on the job row


def upload_limit() -> int:
    """Largest accepted upload; CADASTRE_IMPORT_MAX_BYTES, 4 GiB when not set."""
    return int(getattr(settings, "CADASTRE_IMPORT_MAX_BYTES", 4 * 1024 ** 3))


def upload_store(upload) -> Path:
    """Save an uploaded file under MEDIA_ROOT with a generated name; check its size.

    The name is ours (a UUID plus the original extension), so no user-supplied path
    ever reaches the file system or GDAL.
    """
    limit = upload_limit()
    if upload.size == 0 or upload.size > limit:
        raise _reject(upload.name, N_("The file must hold between 1 byte and %(limit)d MB."),
                      "file_size", params={"limit": limit // 1024 ** 2})
    suffix = "".join(Path(upload.name).suffixes[-2:]).lower()[:12]
    folder = Path(settings.MEDIA_ROOT) / MEDIA_SUBDIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{uuid.uuid4().hex}{suffix if suffix.isascii() else ''}"
    with target.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return target


def cadastre_import_submit(*, unit: AdministrativeUnit, upload, fmt: str = AUTO,
                           strict: bool = False, dry_run: bool = False,
                           field_map: dict | None = None, by=None) -> CadastreImport:
    """Store an upload, record the job and enqueue it once the transaction commits."""
    from .tasks import cadastre_import_task  # the task module imports this one

    stored = upload_store(upload)
    job = cadastre_import_job_create(unit=unit, source_name=upload.name,
                                     source_path=str(stored), fmt=fmt, strict=strict,
                                     dry_run=dry_run, field_map=field_map, by=by)
    transaction.on_commit(lambda: cadastre_import_task.defer(job_id=job.pk))
    return job
