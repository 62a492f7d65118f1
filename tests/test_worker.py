"""The job worker rides out a database outage: it stops when its connections fail, and
`manage.py run_worker` starts it again once the database answers, ready for jobs."""
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.db import IntegrityError, connection
from django.utils import timezone
from procrastinate.exceptions import AlreadyEnqueued

from cadastre_sync.models import CadastreImport
from core.tasks import jobs_reap_dead_task
from tests import factories

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    db = connection.settings_dict
    return f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class Output:
    """The lines a process writes to stderr, collected as they come."""

    def __init__(self, stream) -> None:
        self.lines: list[str] = []
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in iter(stream.readline, ""):
            self.lines.append(line)

    def count(self, text: str) -> int:
        return sum(text in line for line in self.lines)


def wait_for(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def outage(allow: bool) -> None:
    """Refuse (or accept again) new connections to the test database and end the ones it
    has, as a database restart does; done from the server's maintenance database, since
    a database cannot refuse connections to itself."""
    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"],
                         password=db["PASSWORD"], dbname="postgres", autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{db["NAME"]}" WITH ALLOW_CONNECTIONS {allow}')
        if not allow:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = %s", [db["NAME"]])
    connection.close()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_worker_starts_again_after_a_database_outage_and_runs_jobs():
    unit = factories.unit()
    stale = timezone.now() - timedelta(hours=1)
    job = CadastreImport.objects.create(unit=unit, source_name="a.gml")
    CadastreImport.objects.filter(pk=job.pk).update(status=CadastreImport.RUNNING,
                                                    started_at=stale, heartbeat_at=stale)
    env = {**os.environ, "DATABASE_URL": database_url()}
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--queues", "maintenance"], cwd=ROOT,
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    out = Output(worker.stderr)
    try:
        wait_for(lambda: out.count("Launching a worker") == 1, 60)
        time.sleep(1)  # let it connect and listen
        outage(allow=False)
        try:
            wait_for(lambda: out.count("worker stopped with code") == 1, 60)
        finally:
            outage(allow=True)

        wait_for(lambda: out.count("Launching a worker") == 2, 60)
        # unless the restarted worker's periodic deferrer queued the minute's reap first (one
        # may wait at a time: its queueing lock), and the worker runs that one instead
        with contextlib.suppress(AlreadyEnqueued, IntegrityError):
            jobs_reap_dead_task.defer(timestamp=0)

        wait_for(lambda: CadastreImport.objects.get(pk=job.pk).status
                 == CadastreImport.FAILED, 60)
        assert worker.poll() is None
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
    assert worker.returncode == 0
