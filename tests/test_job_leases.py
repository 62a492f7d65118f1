"""A job whose process died is seen as dead: a running job stamps a heartbeat, and one whose
heartbeat lapsed is marked failed; a new import of the unit then goes ahead."""
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone, translation

from cadastre_sync.models import CadastreImport, Parcel, ReconciliationRun
from cadastre_sync.services import cadastre_import, cadastre_import_job_create
from core.jobs import job_guard, job_start, jobs_reap_dead
from layers.models import TileCacheJob
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
OLDER = Path(__file__).parent / "fixtures" / "cadastre" / "egib2021_legnica.gml"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def running(model, unit, *, silent_for: float, **fields):
    job = model.objects.create(unit=unit, **fields)
    last = timezone.now() - timedelta(seconds=silent_for)
    model.objects.filter(pk=job.pk).update(status=model.RUNNING, started_at=last,
                                           heartbeat_at=last)
    return job


def test_a_running_job_silent_longer_than_its_lease_is_marked_failed(settings):
    settings.JOB_LEASE_SECONDS = 60
    unit = factories.unit()
    dead = running(ReconciliationRun, unit, silent_for=61, year=2026)
    alive = running(TileCacheJob, unit, silent_for=10, kind=TileCacheJob.SEED)
    queued = CadastreImport.objects.create(unit=unit, source_name="a.gml")

    assert jobs_reap_dead() == 1

    dead.refresh_from_db()
    assert dead.status == ReconciliationRun.FAILED and dead.finished_at is not None
    assert dead.message.startswith("The process running this job stopped without finishing")
    assert TileCacheJob.objects.get(pk=alive.pk).status == TileCacheJob.RUNNING
    assert CadastreImport.objects.get(pk=queued.pk).status == CadastreImport.QUEUED


def test_a_job_started_before_heartbeats_counts_from_its_start(settings):
    settings.JOB_LEASE_SECONDS = 60
    job = running(CadastreImport, factories.unit(), silent_for=3600, source_name="a.gml")
    CadastreImport.objects.filter(pk=job.pk).update(heartbeat_at=None)

    assert jobs_reap_dead() == 1
    assert CadastreImport.objects.get(pk=job.pk).status == CadastreImport.FAILED


def test_starting_an_import_marks_the_units_dead_import_failed(settings):
    settings.JOB_LEASE_SECONDS = 60
    unit, other = factories.unit(), factories.unit("026201_1", "Chojnów")
    dead = running(CadastreImport, unit, silent_for=600, source_name="a.gml")
    elsewhere = running(CadastreImport, other, silent_for=600, source_name="b.gml")

    cadastre_import_job_create(unit=unit, source_name="c.gml")

    assert CadastreImport.objects.get(pk=dead.pk).status == CadastreImport.FAILED
    assert CadastreImport.objects.get(pk=elsewhere.pk).status == CadastreImport.RUNNING


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_keeps_a_long_job_alive(settings):
    settings.JOB_LEASE_SECONDS = 1  # a beat every 0.25 s
    job = CadastreImport.objects.create(unit=factories.unit(), source_name="a.gml")
    job_start(job)
    started = CadastreImport.objects.get(pk=job.pk).heartbeat_at

    with job_guard(job):
        time.sleep(2.5)  # work longer than the lease, the job's own connection idle
        reaped = jobs_reap_dead()

    assert reaped == 0
    assert CadastreImport.objects.get(pk=job.pk).heartbeat_at > started


def database_url() -> str:
    db = connection.settings_dict
    return f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def generated_export(tmp_path: Path, parcels: int) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from bench_cadastre_import import ExportWriter
    finally:
        sys.path.remove(str(ROOT / "bench"))
    path = tmp_path / "egib.gml"
    with path.open("w", encoding="utf-8") as out:
        out.writelines(ExportWriter(parcels, 1).chunks())
    return path


def wait_for(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_import_killed_mid_way_is_marked_failed_and_a_new_one_proceeds(tmp_path, settings):
    settings.JOB_LEASE_SECONDS = 2
    unit = factories.unit()
    env = {**os.environ, "DATABASE_URL": database_url(), "GEO_PORTAL_JOB_LEASE_SECONDS": "2"}
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "import_cadastre", str(generated_export(tmp_path, 1500)),
         "--unit", unit.teryt], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Killed once it has beaten at least once (well into reading the file).
        wait_for(lambda: CadastreImport.objects.filter(
            status=CadastreImport.RUNNING, heartbeat_at__gt=F("started_at")).exists(), 60)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    job = CadastreImport.objects.get()

    wait_for(lambda: jobs_reap_dead() == 1, 10)

    job.refresh_from_db()
    assert job.status == CadastreImport.FAILED
    assert "stopped without finishing" in job.message
    assert Parcel.objects.count() == 0
    with connection.cursor() as cursor:  # waiting on the dead import's locks would fail
        cursor.execute("SET lock_timeout = '10s'")
    again = cadastre_import_job_create(unit=unit, source_name=OLDER.name, source_path=str(OLDER))
    cadastre_import(unit=unit, path=OLDER, job=again)
    assert CadastreImport.objects.get(pk=again.pk).status == CadastreImport.SUCCEEDED
    assert Parcel.objects.count() == 5
