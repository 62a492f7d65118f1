"""Refreshing tiles after a change against seeding the whole unit again.

The demo gmina with ctx.parcels parcels (BENCH_PARCELS) is generated in the harness's
database when it does not hold about that many already. Each repeat, with a tile cache
of its own in a temporary folder:
- baseline: the whole unit is seeded from an empty cache (what a portal without
  change-driven refresh does after an import: drop the cache, draw everything again),
  through the same seeding job as `manage.py seed_tiles`;
- ours: 100 neighbouring parcels (those nearest a random parcel: what a county's
  update of one surveyed area brings) are moved by a metre, the changed area being
  their old and new shapes, as the cadastre import records it; the refresh job redraws
  the cached tiles over them at every cached level on both grids.
Samples are seconds per job; the ratio refresh / re-seed should be far below 1.
BENCH_SEED_LEVELS (pl1992 levels, default 0-11: 1.5 m/px) and BENCH_SEED_LAYERS
(default parcels) bound the seed, so a run takes minutes, not hours; the deeper the
cached levels, the smaller the share of tiles a local change touches.
"""
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection
from harness import Context, Result, timed
from procrastinate import testing
from procrastinate.contrib.django import app

from core.models import AdministrativeUnit
from geo_portal.demo.generator import REPLACE, SKIP, demo_data_generate
from layers.cache_refresh import tile_cache_job_run, tile_refresh_request, tile_seed_request
from layers.mapproxy_config import publications_reset

UNIT = "026101_1"
CHANGED = 100


def run(ctx: Context) -> list[Result]:
    unit = _unit_with_parcels(ctx.parcels)
    levels = _levels(os.environ.get("BENCH_SEED_LEVELS", "0-11"))
    layers = os.environ.get("BENCH_SEED_LAYERS", "parcels").split(",")
    rng = random.Random(1)
    seeds, refreshes, tiles = [], [], {"seed": [], "refresh": []}
    with tempfile.TemporaryDirectory(prefix="bench_cache_") as tmp, \
            app.replace_connector(testing.InMemoryConnector()):
        _isolate(Path(tmp))
        for _ in range(ctx.repeat):
            shutil.rmtree(Path(tmp) / "cache", ignore_errors=True)
            job = tile_seed_request(unit=unit, levels=levels, layer_names=layers)
            seeds.append(timed(lambda job=job: tile_cache_job_run(job=job)))
            tiles["seed"].append(_tiles(job))
            time.sleep(1.1)  # tile times count in whole seconds
            area = _move_parcels(unit, rng)
            job = tile_refresh_request(unit=unit, area=area, layer_names=layers,
                                       reason="bench: 100 neighbouring parcels moved")
            refreshes.append(timed(lambda job=job: tile_cache_job_run(job=job)))
            tiles["refresh"].append(_tiles(job))
    publications_reset()
    extra = {"parcels": ctx.parcels, "changed_parcels": CHANGED, "levels": levels,
             "layers": layers, "concurrency": settings.MAP_SEED_CONCURRENCY,
             "tiles_seeded": tiles["seed"], "tiles_refreshed": tiles["refresh"]}
    return [Result("tile refresh after 100 parcels changed (vs re-seeding the unit)", "s",
                   refreshes, seeds, extra=extra,
                   goal="a small change costs a small fraction of a full re-seed")]


def _unit_with_parcels(parcels: int) -> AdministrativeUnit:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cadastre_sync_parcel p JOIN core_administrativeunit u"
                       " ON u.id = p.unit_id WHERE u.teryt = %s AND p.retired_at IS NULL", [UNIT])
        (have,) = cursor.fetchone()
    close_enough = abs(have - parcels) <= parcels * 0.05
    demo_data_generate(teryt=UNIT, parcels=parcels, seed=1,
                       existing=SKIP if close_enough else REPLACE)
    return AdministrativeUnit.objects.get(teryt=UNIT)


def _isolate(tmp: Path) -> None:
    settings.VAR_DIR = tmp / "var"
    settings.MAPPROXY_CACHE_DIR = tmp / "cache"
    settings.DEBUG = False
    publications_reset()


def _levels(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def _move_parcels(unit: AdministrativeUnit, rng: random.Random) -> GEOSGeometry:
    """Move the CHANGED parcels nearest a random one by 1 m east; their old and new shapes."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM cadastre_sync_parcel WHERE unit_id = %s "
                       "AND retired_at IS NULL ORDER BY id", [unit.pk])
        centre = rng.choice([row[0] for row in cursor.fetchall()])
        cursor.execute("SELECT p.id FROM cadastre_sync_parcel p, cadastre_sync_parcel c "
                       "WHERE c.id = %s AND p.unit_id = %s AND p.retired_at IS NULL "
                       "ORDER BY p.geom <-> c.geom LIMIT %s", [centre, unit.pk, CHANGED])
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "WITH moved AS (UPDATE cadastre_sync_parcel n SET geom = ST_Translate(n.geom, 1, 0) "
            "FROM cadastre_sync_parcel o WHERE n.id = o.id AND n.id = ANY(%s) "
            "RETURNING o.geom AS old, n.geom AS new) "
            "SELECT ST_AsEWKB(ST_Multi(ST_Union(ST_Union(old, new)))) FROM moved", [ids])
        (ewkb,) = cursor.fetchone()
    return GEOSGeometry(memoryview(bytes(ewkb)))


def _tiles(job) -> int:
    job.refresh_from_db()
    return int(job.counts.get("tiles", 0))
