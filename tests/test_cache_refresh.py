"""Tile caches follow the data: refreshed where an import changed it, seeded per unit.

MapServer and the seeding processes read the test database through their own
connections, so these are transactional tests (rows committed, tables flushed after).
"""
import io
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, Point
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation
from mapproxy.cache.tile import Tile
from mapproxy.config.loader import load_configuration
from mapproxy.seed.config import SeedingConfiguration
from procrastinate import testing
from procrastinate.contrib.django import app

from cadastre_sync.models import Parcel
from cadastre_sync.services import cadastre_import
from layers.cache_refresh import (
    cadastre_layer_names,
    tile_cache_job_run,
    tile_seed_request,
    tile_seed_resumable,
)
from layers.mapproxy_config import publication
from layers.models import TileCacheJob
from layers.seeding import checkpoint_dir
from layers.services import zoning_import
from layers.tasks import tile_cache_task
from layers.zoning_import import reader_for
from tests import factories
from tests.conftest import APP_ACT, APP_SET2

FIXTURES = Path(__file__).parent / "fixtures" / "cadastre"
OLDER = FIXTURES / "egib2021_legnica.gml"
NEWER = FIXTURES / "egib2021_legnica_newer.gml"
PL1992_LEVEL = 13  # 0.38 m/px: a 98 m tile, parcels drawn
MERCATOR_LEVEL = 17  # 1.19 m/px (0.73 m on the ground)
FAR = 3000.0  # metres east of the fixture's parcels


@pytest.fixture
def queue():
    connector = testing.InMemoryConnector()
    with app.replace_connector(connector):
        yield connector


@pytest.fixture
def fast_checkpoints(settings):
    settings.MAP_SEED_CHECKPOINT_SECONDS = 0
    settings.MAP_SEED_CONCURRENCY = 1


def tile_url(layer: str, grid: str, point: Point) -> str:
    """The WMTS REST address of the tile holding `point` (EPSG:2180)."""
    if grid == "pl1992":
        res = 3125 / 2 ** PL1992_LEVEL
        col = int((point.x - 100_000) // (256 * res))
        row = int((900_000 - point.y) // (256 * res))
        return f"/mapproxy/wmts/{layer}/pl1992/{PL1992_LEVEL}/{col}/{row}.png"
    lonlat = point.transform(4326, clone=True)
    n = 2 ** MERCATOR_LEVEL
    col = int((lonlat.x + 180) / 360 * n)
    lat = math.radians(lonlat.y)
    row = int((1 - math.log(math.tan(lat) + 1 / math.cos(lat)) / math.pi) / 2 * n)
    return f"/mapproxy/wmts/{layer}/GLOBAL_WEBMERCATOR/{MERCATOR_LEVEL}/{col}/{row}.png"


def tile_file(layer: str, grid: str, point: Point) -> Path:
    """Where MapProxy keeps the tile holding `point`, asked of MapProxy itself."""
    conf = load_configuration(str(publication().files.mapproxy), seed=True)
    with conf:
        seeding = SeedingConfiguration({}, mapproxy_conf=conf)
        manager = seeding.cache(f"{layer}_cache")[grid]
        tile_grid = seeding.grids[grid]
        at = point if grid == "pl1992" else point.transform(3857, clone=True)
        level = PL1992_LEVEL if grid == "pl1992" else MERCATOR_LEVEL
        coord = tile_grid.tile_coord_for_point(at.x, at.y, level)
        return Path(manager.cache.tile_location(Tile(coord)))


def state(path: Path) -> tuple:
    info = path.lstat()
    return info.st_ino, info.st_mtime_ns, path.read_bytes()


def fetch(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response.content


def run_queued(queue) -> list[TileCacheJob]:
    jobs = []
    for queued in list(queue.jobs.values()):
        if queued["task_name"] == "layers.tile_cache" and queued["status"] == "todo":
            queued["status"] = "succeeded"
            tile_cache_task(**queued["args"])
            jobs.append(TileCacheJob.objects.get(pk=queued["args"]["job_id"]))
    return jobs


@pytest.mark.django_db(transaction=True)
def test_a_cadastre_import_refreshes_the_tiles_over_what_changed_and_nothing_else(
        client, map_services, queue):
    # given the older export imported, a parcel far away, and tiles cached over both
    unit = factories.unit()
    cadastre_import(unit=unit, path=OLDER)
    run_queued(queue)
    elsewhere = factories.precinct(unit, number="0099", name="Daleko")
    old = Parcel.objects.get(number="2/1").geom
    far = factories.parcel("99/1", p=elsewhere, geom=factories.box(
        old.extent[0] + FAR, old.extent[1], old.extent[0] + FAR + 30, old.extent[1] + 30))
    changed_at = old.centroid
    far_at = far.geom.centroid
    before = {}
    for grid in ("pl1992", "GLOBAL_WEBMERCATOR"):
        for name, at in (("changed", changed_at), ("far", far_at)):
            before[grid, name] = fetch(client, tile_url("parcels", grid, at))
            assert tile_file("parcels", grid, at).exists()
    far_files = {grid: tile_file("parcels", grid, far_at) for grid in before_grids(before)}
    far_before = {grid: state(path) for grid, path in far_files.items()}
    time.sleep(1.1)  # tile times are compared in whole seconds

    # when the newer export (parcel 2/1 reshaped, 3 retired, 6 added) is imported and the
    # refresh job it queued runs
    cadastre_import(unit=unit, path=NEWER)
    (job,) = run_queued(queue)

    # then the job refreshed the cadastre layers and their composites over the change ...
    assert (job.kind, job.status, job.progress) == ("refresh", "succeeded", 1.0)
    assert job.caches == cadastre_layer_names() and "general_plan_map" in job.caches
    assert job.area.buffer(0.01).contains(old)
    assert job.counts["tiles"] > 0 and job.finished_at >= job.started_at
    # ... the tiles over the changed parcel differ from before on both grids, on disk too,
    # and what is served now is what a fresh drawing gives
    for grid in ("pl1992", "GLOBAL_WEBMERCATOR"):
        served = fetch(client, tile_url("parcels", grid, changed_at))
        assert served != before[grid, "changed"], grid
        assert tile_file("parcels", grid, changed_at).read_bytes() == served
    # ... and the far tiles were not drawn again: same file, same time, same bytes
    for grid, path in far_files.items():
        assert state(path) == far_before[grid], grid
        assert fetch(client, tile_url("parcels", grid, far_at)) == before[grid, "far"]


def before_grids(before: dict) -> list[str]:
    return sorted({grid for grid, _ in before})


@pytest.mark.django_db(transaction=True)
def test_reimporting_the_same_export_queues_no_refresh(client, map_services, queue):
    # given an export imported once
    unit = factories.unit()
    cadastre_import(unit=unit, path=OLDER)
    first = TileCacheJob.objects.count()

    # when the same file is imported again (nothing changes)
    cadastre_import(unit=unit, path=OLDER)

    # then no refresh is recorded or queued
    assert TileCacheJob.objects.count() == first == 1


@pytest.mark.django_db(transaction=True)
def test_a_zoning_import_refreshes_the_zone_tiles_over_the_new_plan(client, map_services, queue):
    # given general plan tiles cached where a plan's first zone will be, and far from it
    unit = factories.unit("121201_1", "Gmina Testowa")
    paths = [APP_SET2 / APP_ACT, APP_SET2 / "StrefaPlanistyczna_OK.gml"]
    at = _first_zone_in_file(paths).point_on_surface
    far_at = Point(at.x + 20 * FAR, at.y, srid=2180)
    before = fetch(client, tile_url("general_zones", "pl1992", at))
    far_before = fetch(client, tile_url("general_zones", "pl1992", far_at))
    far_file = tile_file("general_zones", "pl1992", far_at)
    far_state = state(far_file)
    time.sleep(1.1)

    # when the plan is imported and the refresh job it queued runs
    zoning_import(unit=unit, paths=paths)
    (job,) = run_queued(queue)

    # then the tile over the zone is drawn again and shows it; the far tile is untouched
    assert (job.kind, job.status) == ("refresh", "succeeded")
    assert job.caches == ["general_zones", "general_plans", "general_plan_map"]
    assert job.area.buffer(0.01).contains(at)
    assert tile_file("general_zones", "pl1992", at).read_bytes() != before
    assert fetch(client, tile_url("general_zones", "pl1992", at)) != before
    assert state(far_file) == far_state
    assert fetch(client, tile_url("general_zones", "pl1992", far_at)) == far_before


def _first_zone_in_file(paths: list[Path]):
    """The first zone's shape as the importer reads it, in EPSG:2180."""
    read = reader_for("general")(paths, {})
    zone = read.plans[0].zones[0]
    return GEOSGeometry(memoryview(zone.geometry), srid=zone.srid).transform(2180, clone=True)


@pytest.mark.django_db(transaction=True)
def test_an_interrupted_seed_resumes_from_its_checkpoint(map_services, fast_checkpoints):
    # given a unit with parcels and a seed of it started in another process
    unit = factories.unit(boundary=factories.box(317_000, 385_000, 319_500, 387_500))
    factories.precinct(unit)
    for i in range(6):
        factories.parcel(f"{i + 1}", geom=factories.box(318_000 + 60 * i, 386_000,
                                                        318_040 + 60 * i, 386_040))
    publication()  # the generated files the other process will use too
    cache = map_services / "cache" / connection.settings_dict["NAME"]
    process = _seed_in_another_process(map_services, unit.teryt, levels="0-11")

    # when that process is killed once it checkpointed some progress
    job = _wait_for_progress(process)
    _kill(process)
    drawn_before = {p: p.lstat().st_mtime_ns for p in cache.rglob("*.png")
                    if "single_color" not in str(p)}
    job.refresh_from_db()
    stopped_at = job.progress_done

    # then the seed is resumable, and resuming finishes it without drawing again what it drew
    assert tile_seed_resumable(unit=unit) == job and 0 < stopped_at < 1000
    assert (checkpoint_dir() / f"job-{job.pk}.progress").exists()
    done = tile_cache_job_run(job=job, resume=True)
    assert (done.status, done.progress) == ("succeeded", 1.0)
    assert not (checkpoint_dir() / f"job-{job.pk}.progress").exists()
    for path, mtime in drawn_before.items():
        assert path.lstat().st_mtime_ns == mtime, path
    # and the result is the complete seed: a fresh seed of the same finds nothing to draw
    after = {p: p.lstat().st_mtime_ns for p in cache.rglob("*.png")}
    assert len(after) > len(drawn_before)
    again = tile_seed_request(unit=unit, levels=list(range(12)))
    tile_cache_job_run(job=again)
    assert {p: p.lstat().st_mtime_ns for p in cache.rglob("*.png")} == after


def _seed_in_another_process(tmp: Path, teryt: str, levels: str) -> subprocess.Popen:
    db = connection.settings_dict
    env = {**os.environ,
           "DATABASE_URL": f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "GEO_PORTAL_VAR_DIR": str(tmp / "var"), "MAPPROXY_CACHE_DIR": str(tmp / "cache"),
           "DJANGO_DEBUG": "0", "MAP_SEED_CHECKPOINT_SECONDS": "0", "MAP_SEED_CONCURRENCY": "1"}
    env.pop("MAPSERVER_CONFIG_FILE", None)
    return subprocess.Popen(
        [sys.executable, "manage.py", "seed_tiles", "--skip-checks", "--unit", teryt,
         "--levels", levels],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True)


def _wait_for_progress(process: subprocess.Popen) -> TileCacheJob:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = TileCacheJob.objects.filter(kind="seed").first()
        if job is not None and job.progress_done > 0:
            return job
        assert process.poll() is None, process.stderr.read().decode()[-2000:]
        time.sleep(0.05)
    raise AssertionError("the seed made no progress in 60 s")


def _kill(process: subprocess.Popen) -> None:
    # The whole group we started: the seed and the drawing processes it forked.
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


@pytest.mark.django_db
def test_tile_cache_jobs_are_shown_in_the_admin_to_their_unit_only(client):
    # given a refresh job of Legnica halfway, its unit administrator and another unit's
    legnica, other = factories.unit(), factories.unit("026201_1", "Chojnów")
    job = TileCacheJob.objects.create(kind="refresh", unit=legnica, reason="EGiB: eksport.gml",
                                      status="running", progress_done=250, progress_total=1000)
    ours = factories.staff(legnica, "unit_admin")
    theirs = factories.staff(other, "unit_admin")
    for person in (ours, theirs):
        person.is_staff = True
        person.save()

    # when each opens the list of tile cache jobs
    client.force_login(ours)
    seen = client.get("/admin/layers/tilecachejob/")
    detail = client.get(f"/admin/layers/tilecachejob/{job.pk}/change/")
    client.force_login(theirs)
    unseen = client.get("/admin/layers/tilecachejob/")

    # then Legnica's administrator sees the job with its reason and progress, the other not
    assert seen.status_code == 200 and "EGiB: eksport.gml" in seen.content.decode()
    assert "25%" in seen.content.decode()
    assert detail.status_code == 200
    assert unseen.status_code == 200 and "EGiB: eksport.gml" not in unseen.content.decode()


@pytest.mark.django_db
def test_seed_tiles_names_what_is_wrong_and_records_nothing(queue):
    # given a unit with a boundary
    factories.unit(boundary=factories.box(317_000, 385_000, 319_500, 387_500))

    # when seed_tiles is asked for levels the grid lacks, an unknown layer, an unknown unit,
    # or to resume a seed that never stopped
    cases = [({"levels": "0-20"}, "^--levels 0-20: the pl1992 grid has levels 0 to 16"),
             ({"levels": "a-b"}, "^--levels a-b: write levels as 0-12"),
             ({"layers": "parcels,ortho"}, "No published layer is called ortho"),
             ({"resume": True}, "^--resume: 026101_1 has no stopped seed to continue")]
    for options, message in cases:
        with translation.override("en"), pytest.raises(CommandError, match=message):
            call_command("seed_tiles", unit="026101_1", **options)
    with pytest.raises(CommandError, match="^--unit 026199_1: no unit"):
        call_command("seed_tiles", unit="026199_1")

    # then no job was recorded or queued
    assert TileCacheJob.objects.count() == 0 and not queue.jobs


@pytest.mark.django_db
def test_seed_tiles_in_the_background_queues_the_job_for_the_worker(
        queue, django_capture_on_commit_callbacks):
    # given a unit with a boundary
    unit = factories.unit(boundary=factories.box(317_000, 385_000, 319_500, 387_500))

    # when its seed is asked for in the background
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_tiles", unit="026101_1", levels="0-10", layers="parcels",
                     background=True, stdout=io.StringIO())

    # then the job is recorded with its area, layers and levels, and queued once
    job = TileCacheJob.objects.get()
    assert (job.kind, job.status, job.caches, job.levels) == ("seed", "queued", ["parcels"],
                                                              list(range(11)))
    assert job.area.equals(unit.boundary)
    (queued,) = queue.jobs.values()
    assert (queued["task_name"], queued["args"]) == ("layers.tile_cache", {"job_id": job.pk})
