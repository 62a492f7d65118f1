"""Writes of the layers app: importing zoning plans."""
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Count

from core.identifiers import parse_teryt
from core.models import AdministrativeUnit

from .cache_refresh import (
    tile_refresh_request,
    zoning_changed_area,
    zoning_drawn_state,
    zoning_layer_names,
)
from .errors import (
    ZoningFileNotFound,
    ZoningImportConflict,
    ZoningImportInvalid,
    ZoningImportRejected,
    ZoningUnitNotFound,
)
from .models import ZoningPlan
from .zoning_import import READERS, reader_for
from .zoning_import.checks import plan_checks
from .zoning_import.ogr_local import TARGETS
from .zoning_import.parsed import ParsedPlan
from .zoning_import.problems import ERROR, WARNING, Problem, zoning_problem
from .zoning_import.spatial import Staged, spatial_checks, stage_load
from .zoning_import.write import plans_write


@dataclass(frozen=True)
class PlanSummary:
    identifier: str
    name: str
    kind: str
    zones: int
    zones_before: int  # zones the stored plan had, replaced by these; 0 for a new plan
    created: bool
    plan_id: int | None  # None on a dry run or a rejected import


@dataclass(frozen=True)
class ZoningImportResult:
    unit: str
    kind: str
    files: tuple[str, ...]
    dry_run: bool
    imported: bool
    plans: tuple[PlanSummary, ...]
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == WARNING)


def zoning_import(*, unit: AdministrativeUnit | str, paths: Iterable[str | Path],
                  kind: str = "general", mapping: dict[str, str] | None = None,
                  dry_run: bool = False) -> ZoningImportResult:
    """Check zoning plan files and, when they hold no errors, import them for `unit`.

    All or nothing: any error leaves the database as it was and raises
    ZoningImportRejected with the full report; warnings alone do not stop the import.
    A plan imported again (same identifier) keeps its row and has its zones replaced
    in the same transaction. `dry_run` checks everything and writes nothing.
    """
    unit = _unit(unit)
    files = _paths(paths)
    mapping = _mapping(kind, mapping or {})
    read = reader_for(kind)(files, mapping)
    problems = list(read.problems)
    for plan in read.plans:
        problems += plan_checks(plan) + _plan_checks(plan, unit)
    try:
        with transaction.atomic():
            summaries, problems = _check_and_write(unit, read.plans, problems, dry_run)
    except IntegrityError as exc:
        raise ZoningImportConflict(detail={"unit": unit.teryt}) from exc
    result = ZoningImportResult(
        unit=unit.teryt, kind=kind, files=tuple(str(p) for p in files), dry_run=dry_run,
        imported=not dry_run and not any(p.is_error for p in problems),
        plans=tuple(summaries), problems=tuple(problems),
    )
    if result.errors:
        raise ZoningImportRejected(result)
    return result


def _check_and_write(unit, plans: list[ParsedPlan], problems: list[Problem],
                     dry_run: bool) -> tuple[list[PlanSummary], list[Problem]]:
    with connection.cursor() as cursor:
        staged = stage_load(cursor, plans)
        problems = problems + _spatial(cursor, staged)
        if dry_run or any(p.is_error for p in problems):
            preview = _preview(unit, plans)
            transaction.set_rollback(True)
            return preview, problems
        identifiers = [plan.identifier for plan in plans]
        before = zoning_drawn_state(unit=unit, identifiers=identifiers)
        written = plans_write(cursor, unit, staged)
        area = zoning_changed_area(before, zoning_drawn_state(unit=unit, identifiers=identifiers))
    if plans:
        # Tiles drawn before the import show the old zones: refresh those over the zones
        # that changed (old and new shapes) once it is committed.
        names = ", ".join(identifiers)
        transaction.on_commit(lambda: tile_refresh_request(
            unit=unit, area=area, layer_names=zoning_layer_names(plans[0].kind),
            reason=f"APP/MPZP: {names}"))
    return [PlanSummary(w.identifier, w.name, p.kind, w.zones, w.zones_replaced, w.created,
                        w.plan_id) for w, p in zip(written, plans, strict=True)], problems


def _spatial(cursor, staged: Staged) -> list[Problem]:
    # A geometry GEOS cannot work with at all fails the query; report it, do not crash.
    try:
        with transaction.atomic():
            return spatial_checks(cursor, staged)
    except DatabaseError as exc:
        reason = str(exc).strip().splitlines()[0]
        return [zoning_problem("invalid_geometry", detail={"reason": reason, "at": "–"})]


def _plan_checks(plan: ParsedPlan, unit: AdministrativeUnit) -> list[Problem]:
    problems = []
    if plan.teryt and not plan.teryt.startswith(unit.teryt.split("_")[0]):
        problems.append(zoning_problem("plan_of_other_unit", file=plan.file, line=plan.line,
                                detail={"plan_teryt": plan.teryt, "unit": unit.teryt}))
    if plan.kind == "general" and not plan.zones:
        problems.append(zoning_problem("plan_without_zones", file=plan.file, line=plan.line))
    return problems


def _preview(unit: AdministrativeUnit, plans: list[ParsedPlan]) -> list[PlanSummary]:
    stored = dict(ZoningPlan.objects.filter(unit=unit, identifier__in=[p.identifier
                                                                       for p in plans])
                  .annotate(n=Count("zones")).values_list("identifier", "n"))
    return [PlanSummary(p.identifier, p.name, p.kind, len(p.zones), stored.get(p.identifier, 0),
                        p.identifier not in stored, None) for p in plans]


def _unit(unit: AdministrativeUnit | str) -> AdministrativeUnit:
    if isinstance(unit, AdministrativeUnit):
        return unit
    try:
        code = parse_teryt(unit).code
    except ValidationError as exc:
        raise ZoningUnitNotFound(exc.messages[0], detail={"unit": unit}) from exc
    found = AdministrativeUnit.objects.filter(teryt=code).first()
    if found is None:
        raise ZoningUnitNotFound(detail={"unit": code})
    return found


def _paths(paths: Iterable[str | Path]) -> list[Path]:
    files = [Path(p) for p in paths]
    if not files:
        raise ZoningImportInvalid("Podaj co najmniej jeden plik.", detail={"paths": []})
    for path in files:
        if not path.is_file():
            raise ZoningFileNotFound(detail={"path": str(path)})
    return files


def _mapping(kind: str, mapping: dict[str, str]) -> dict[str, str]:
    if kind not in READERS:
        raise ZoningImportInvalid(detail={"kind": kind, "allowed": sorted(READERS)})
    if kind == "general" and mapping:
        raise ZoningImportInvalid(detail={"mapping": "APP GML has fixed element names; "
                                                     "--map applies to local plans"})
    unknown = sorted(set(mapping) - set(TARGETS))
    if unknown:
        raise ZoningImportInvalid(detail={"mapping": unknown, "allowed": sorted(TARGETS)})
    return mapping
