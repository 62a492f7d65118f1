"""Keeping the tile caches true to the data: refresh what a change touched, seed a unit.

Every import records what it changed (the cadastre: the old and new geometry of each
parcel and building it created, changed or retired; zoning: the zones replaced and
their successors). A TileCacheJob then redraws, through MapProxy's seeding
(layers/seeding.py), only the cached tiles over that area, widened per level by how far
each layer's lines and labels reach, at every cached level, on both grids, in every
cache showing the data (composites included). Until it has run, the old tiles are
served; once it has finished, no tile over a changed feature is older than the change.
"""
import logging
import time
from datetime import datetime

from django.contrib.gis.db.models import Collect
from django.contrib.gis.geos import GeometryCollection, GEOSGeometry, MultiPolygon
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.jobs import job_fail, job_finish, job_guard, job_progress
from core.models import AdministrativeUnit

from .errors import TileJobInvalid
from .mapproxy_config import cache_plan
from .mapserver import SRID
from .models import TileCacheJob
from .raster_layers import raster_layer_named, raster_layers
from .registry import LAYERS, composites_showing, published_named
from .seeding import checkpoint_dir, seeding_run

log = logging.getLogger(__name__)

# Progress of a job in thousandths: one UPDATE of the row per checkpoint.
PROGRESS_SCALE = 1000
# Layers drawn from the cadastre's tables: their tiles go stale when an import changes it.
CADASTRE_TABLE_PREFIX = "cadastre_sync_"
# Layers drawn from each kind of zoning plan.
ZONING_LAYERS = {"general": ("general_zones", "general_plans"),
                 "local": ("local_zones", "local_plans")}


def layers_with_composites(names: list[str] | tuple[str, ...]) -> list[str]:
    """`names` and every composite map drawing one of them, once each, in that order."""
    found = list(dict.fromkeys(names))
    for name in names:
        found += [c.name for c in composites_showing(name) if c.name not in found]
    return found


def cadastre_layer_names() -> list[str]:
    return layers_with_composites([layer.name for layer in LAYERS
                                   if CADASTRE_TABLE_PREFIX in layer.sql])


def zoning_layer_names(kind: str) -> list[str]:
    return layers_with_composites(ZONING_LAYERS.get(kind, ()))


# What of a zone shows on the map: its shape, colour (symbol), label and whether it and
# its plan are in force. A zone whose drawing is unchanged needs no new tiles.
_ZONES_DRAWN = """
SELECT md5(concat_ws('|', p.kind, p.valid_to, z.valid_to, z.label, z.symbol,
                     encode(ST_AsEWKB(z.geom), 'hex'))), ST_AsEWKB(z.geom)
FROM layers_zoningzone z JOIN layers_zoningplan p ON p.id = z.plan_id
WHERE p.unit_id = %(unit)s AND p.identifier = ANY(%(plans)s)
UNION ALL
SELECT md5(concat_ws('|', 'plan', p.kind, p.valid_to, encode(ST_AsEWKB(p.geom), 'hex'))),
       ST_AsEWKB(p.geom)
FROM layers_zoningplan p
WHERE p.unit_id = %(unit)s AND p.identifier = ANY(%(plans)s) AND p.geom IS NOT NULL
"""


def zoning_drawn_state(*, unit: AdministrativeUnit, identifiers: list[str]) -> dict[str, bytes]:
    """The zones of these plans as drawn: a fingerprint of each, with its geometry."""
    with connection.cursor() as cursor:
        cursor.execute(_ZONES_DRAWN, {"unit": unit.pk, "plans": identifiers})
        return {key: bytes(geom) for key, geom in cursor.fetchall()}


def zoning_changed_area(before: dict[str, bytes], after: dict[str, bytes]) -> GEOSGeometry | None:
    """Where zones were removed, added or drawn differently: their old and new shapes."""
    changed = [GEOSGeometry(memoryview(geom)) for key, geom in
               [*before.items(), *after.items()] if (key in before) != (key in after)]
    if not changed:
        return None
    return GeometryCollection(changed, srid=SRID).unary_union


def tile_refresh_request(*, unit: AdministrativeUnit, area: GEOSGeometry | None,
                         layer_names: list[str], reason: str) -> TileCacheJob | None:
    """Record a refresh of `layer_names`' tiles over `area` and queue it after commit.

    Nothing to do (no area, or an empty one) records nothing and returns None.
    """
    if area is None or area.empty:
        return None
    job = TileCacheJob.objects.create(
        kind=TileCacheJob.REFRESH, unit=unit, reason=reason[:200], area=_multi(area),
        caches=list(layer_names), changed_at=timezone.now())
    _enqueue(job)
    return job


def tile_seed_request(*, unit: AdministrativeUnit, levels: list[int],
                      layer_names: list[str] | None = None, by=None,
                      enqueue: bool = True) -> TileCacheJob:
    """Record the initial seed of `unit` (its boundary, else its precincts) at `levels`;
    queue it for the worker after commit unless the caller runs it (`enqueue=False`)."""
    area = unit.boundary or _precincts_area(unit)
    if area is None:
        raise TileJobInvalid(_("The unit %(unit)s has neither a boundary nor precincts: there "
                               "is no area to seed.") % {"unit": unit.teryt},
                             detail={"unit": unit.teryt})
    names = layer_names or [*[r.name for r in raster_layers()], *_published_names()]
    unknown = [name for name in names if _published(name) is None]
    if unknown:
        raise TileJobInvalid(_("No published layer is called %(names)s.")
                             % {"names": ", ".join(unknown)}, detail={"layers": unknown})
    job = TileCacheJob.objects.create(
        kind=TileCacheJob.SEED, unit=unit, created_by=by, reason=_("initial seed"),
        area=_multi(area), caches=names, levels=sorted(set(levels)))
    if enqueue:
        _enqueue(job)
    return job


def tile_seed_resumable(*, unit: AdministrativeUnit) -> TileCacheJob | None:
    """The latest seed or refresh of `unit` that stopped before its end, if any."""
    return (TileCacheJob.objects.filter(unit=unit)
            .filter(Q(status=TileCacheJob.RUNNING) | Q(status=TileCacheJob.FAILED))
            .order_by("-created_at").first())


def tile_cache_job_run(*, job: TileCacheJob, resume: bool = False) -> TileCacheJob | None:
    """Run a queued job (the worker's entry), or with `resume` one that stopped half way.

    A job someone else already runs or finished is left alone (returns None).
    """
    allowed = [TileCacheJob.QUEUED] + ([TileCacheJob.RUNNING, TileCacheJob.FAILED]
                                       if resume else [])
    now = timezone.now()
    claimed = TileCacheJob.objects.filter(pk=job.pk, status__in=allowed).update(
        status=TileCacheJob.RUNNING, started_at=now, heartbeat_at=now, finished_at=None,
        progress_total=PROGRESS_SCALE, message="")
    if not claimed:
        return None
    job.refresh_from_db()
    if job.kind == TileCacheJob.REFRESH and not resume:
        # Tiles drawn up to now may have read the data before the change committed
        # (a drawing in flight): all of them are redrawn, none drawn later.
        TileCacheJob.objects.filter(pk=job.pk).update(changed_at=now)
        job.changed_at = now
    with job_guard(job):
        try:
            outcome = _run(job, resume)
        except Exception as exc:  # recorded for the administrator, then re-raised
            log.exception("tile cache job %s failed", job.pk)
            job_fail(job, message=_("Stopped: %(error)s. Run it again to continue from where "
                                    "it stopped.") % {"error": exc or type(exc).__name__})
            raise
        job_finish(job, counts={"tasks": outcome.tasks, "tiles": outcome.tiles,
                                "seconds": outcome.seconds},
                   message=_("%(tiles)d tiles checked or drawn in %(tasks)d passes, "
                             "%(seconds).1f s") % outcome.__dict__)
    job.refresh_from_db()
    return job


def _run(job: TileCacheJob, resume: bool):
    plans = [cache_plan(item) for item in map(_published, job.caches) if item is not None]
    refresh_before = None
    if job.kind == TileCacheJob.REFRESH:
        refresh_before = _timestamp(job.changed_at)

    def progress(fraction: float, tiles: int) -> None:
        job_progress(job, done=int(fraction * PROGRESS_SCALE))

    return seeding_run(plans=plans, area_wkb=bytes(job.area.transform(SRID, clone=True).wkb),
                       levels=job.levels or None, refresh_before=refresh_before,
                       checkpoint=checkpoint_dir() / f"job-{job.pk}.progress", resume=resume,
                       on_progress=progress)


def _enqueue(job: TileCacheJob) -> None:
    from .tasks import tile_cache_task  # the task module imports this one

    transaction.on_commit(lambda: tile_cache_task.defer(job_id=job.pk))


def _published(name: str):
    return published_named(name) or raster_layer_named(name)


def _published_names() -> list[str]:
    from .registry import published_names

    return published_names()


def _precincts_area(unit: AdministrativeUnit) -> GEOSGeometry | None:
    from cadastre_sync.models import Precinct

    collected = Precinct.objects.filter(unit=unit).aggregate(g=Collect("geom"))["g"]
    return collected.unary_union if collected is not None else None


def _multi(area: GEOSGeometry) -> MultiPolygon:
    if area.srid != SRID:
        area = area.transform(SRID, clone=True)
    if isinstance(area, MultiPolygon):
        return area
    polygons = area.unary_union
    if polygons.geom_type == "Polygon":
        return MultiPolygon(polygons, srid=SRID)
    return MultiPolygon([g for g in polygons if g.geom_type == "Polygon"], srid=SRID)


def _timestamp(moment: datetime) -> float:
    return moment.timestamp() if moment else time.time()
