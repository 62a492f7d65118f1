"""Writing checked plans: the plan row, then its zones replaced in one statement each.

Runs inside the import's transaction after every check passed; the geometries come
from the temporary tables of spatial.py, already in EPSG:2180.
"""
import json
from dataclasses import dataclass

from django.utils import timezone

from core.models import AdministrativeUnit

from ..models import PlanArea, PlanDocument, PlanDrawing, ZoningPlan, ZoningZone
from .checks import PARAMETERS, zone_values
from .parsed import ParsedPlan
from .spatial import Staged

_PLAN_FIELDS = ("name", "kind", "legal_status", "valid_from", "valid_to", "resolution_number",
                "resolution_date", "text_url", "scale_denominator")
_ZONE_COLUMNS = ("local_id", "label", "symbol", "designation", "provisions", "status",
                 "regulation_nature", *(p.field for p in PARAMETERS))
_ZONE_TYPES = ("text",) * 7 + ("numeric",) * len(PARAMETERS)
_DOCUMENT_FIELDS = ("local_id", "role", "title", "short_name", "number", "issuer", "date",
                    "date_type", "in_force_from", "repealed_on", "detail_reference",
                    "official_journal", "links")
_DRAWING_FIELDS = ("local_id", "title", "url", "legend_url", "crs", "resolution",
                   "description", "valid_from", "valid_to")


@dataclass(frozen=True)
class PlanWritten:
    plan_id: int
    identifier: str
    name: str
    zones: int
    zones_replaced: int  # zones the plan had before; 0 for a new plan
    created: bool


def plans_write(cursor, unit: AdministrativeUnit, staged: Staged) -> list[PlanWritten]:
    return [_plan_write(cursor, unit, staged, i) for i in range(len(staged.plans))]


def _plan_write(cursor, unit: AdministrativeUnit, staged: Staged, i: int) -> PlanWritten:
    parsed = staged.plans[i]
    # The row lock makes a second import of the same plan wait for this one to finish.
    plan = (ZoningPlan.objects.select_for_update()
            .filter(unit=unit, identifier=parsed.identifier).first())
    created = plan is None
    before = 0 if created else plan.zones.count()
    if created:
        plan = ZoningPlan(unit=unit, identifier=parsed.identifier)
    for name in _PLAN_FIELDS:
        setattr(plan, name, getattr(parsed, name))
    # A version the file does not date starts now (a new plan) or stays as it was.
    plan.version_started = parsed.version_started or plan.version_started or timezone.now()
    plan.save()
    ZoningZone.objects.filter(plan=plan).delete()
    count = _zones_insert(cursor, plan.pk, staged, i)
    PlanArea.objects.filter(plan=plan).delete()
    _areas_insert(cursor, plan.pk, staged, i)
    _papers_write(plan, parsed)
    _boundary_update(cursor, plan.pk, i)
    return PlanWritten(plan.pk, plan.identifier, plan.name, count, before, created)


def _zones_insert(cursor, plan_id: int, staged: Staged, i: int) -> int:
    rows = [(n, zone) for n, (plan, zone) in enumerate(staged.zones) if plan == i]
    if not rows:
        return 0
    values = [{**vars(zone), **zone_values(zone)} for _, zone in rows]
    columns = {"n": [n for n, _ in rows]}
    for name in (*_ZONE_COLUMNS, "valid_from", "valid_to"):
        columns[name] = [row[name] for row in values]
    columns["profiles"] = [json.dumps(row["profiles"], ensure_ascii=False) for row in values]
    names = ["n", *_ZONE_COLUMNS, "valid_from", "valid_to", "profiles"]
    types = ["int", *_ZONE_TYPES, "date", "date", "jsonb"]
    arrays = ", ".join(f"%({name})s::{kind}[]" for name, kind in zip(names, types, strict=True))
    cursor.execute(
        f"INSERT INTO {ZoningZone._meta.db_table} (plan_id, {', '.join(names[1:])}, geom) "  # noqa: S608 - our own column names
        f"SELECT %(plan_id)s, {', '.join('a.' + n for n in names[1:])}, ST_Multi(z.geom) "
        f"FROM unnest({arrays}) AS a({', '.join(names)}) "
        f"JOIN zoning_stage_zone z ON z.n = a.n ORDER BY a.n",
        {**columns, "plan_id": plan_id},
    )
    return cursor.rowcount


def _areas_insert(cursor, plan_id: int, staged: Staged, i: int) -> int:
    rows = [(n, area) for n, (plan, area) in enumerate(staged.areas) if plan == i]
    if not rows:
        return 0
    cursor.execute(
        f"INSERT INTO {PlanArea._meta.db_table} "  # noqa: S608 - our own table
        "(plan_id, kind, local_id, regulation_nature, label, standards, geom) "
        "SELECT %(plan_id)s, a.kind, a.local_id, a.nature, a.label, a.standards, "
        "ST_Multi(s.geom) "
        "FROM unnest(%(n)s::int[], %(kind)s::text[], %(local_id)s::text[], %(nature)s::text[], "
        "%(label)s::text[], %(standards)s::jsonb[]) "
        "AS a(n, kind, local_id, nature, label, standards) "
        "JOIN zoning_stage_area s ON s.n = a.n "
        "WHERE NOT ST_IsEmpty(s.geom) ORDER BY a.n",
        {"plan_id": plan_id, "n": [n for n, _ in rows], "kind": [a.kind for _, a in rows],
         "local_id": [a.local_id for _, a in rows],
         "nature": [a.regulation_nature for _, a in rows],
         "label": [a.label for _, a in rows],
         "standards": [json.dumps(a.standards, ensure_ascii=False) for _, a in rows]})
    return cursor.rowcount


def _papers_write(plan: ZoningPlan, parsed: ParsedPlan) -> None:
    """The plan's formal documents and drawings, replaced by those APP files hold (files
    without any leave none: they describe this version of the plan); a plan read from
    another format (a local plan's shapefile) keeps those stored."""
    if not parsed.papers_read:
        return
    PlanDocument.objects.filter(plan=plan).delete()
    PlanDrawing.objects.filter(plan=plan).delete()
    PlanDocument.objects.bulk_create(
        PlanDocument(plan=plan, **{name: getattr(d, name) for name in _DOCUMENT_FIELDS})
        for d in parsed.documents)
    PlanDrawing.objects.bulk_create(
        PlanDrawing(plan=plan, **{name: getattr(d, name) for name in _DRAWING_FIELDS})
        for d in parsed.drawings)


def _boundary_update(cursor, plan_id: int, i: int) -> None:
    """The act's boundary; for a local plan without one, the union of its zones."""
    cursor.execute(
        f"UPDATE {ZoningPlan._meta.db_table} SET geom = COALESCE("  # noqa: S608 - our own table
        "(SELECT ST_Multi(geom) FROM zoning_stage_plan WHERE plan = %(i)s),"
        "(SELECT ST_Multi(ST_Union(zz.geom)) FROM "
        f"{ZoningZone._meta.db_table} zz WHERE zz.plan_id = %(plan_id)s)) "
        "WHERE id = %(plan_id)s",
        {"i": i, "plan_id": plan_id},
    )
