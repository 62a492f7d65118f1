"""Writers of a job's status and progress (each one UPDATE of the job row), the guard every
job runs under, and the finding of jobs whose process died.

They are cheap to call often. A job that does its main work inside one long
transaction must write progress through another connection for anyone to see
it before the end; jobs that commit in chunks can call these directly.

A running job proves it is alive by its heartbeat: while `job_guard` holds, a thread
stamps `heartbeat_at` through a connection of its own, so the stamp lands even while the
job's own connection sits in one long transaction. A job whose stamp is older than
JOB_LEASE_SECONDS died with its process (kill -9, out of memory, a database restart) and
`jobs_reap_dead` marks it failed (imports and reconciliation write in one transaction,
which died with the process; a seed keeps the tiles it drew and resumes).
"""
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, connections
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Concat
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .models import Job

log = logging.getLogger(__name__)


def job_start(job: Job, *, total: int | None = None) -> None:
    now = timezone.now()
    type(job).objects.filter(pk=job.pk).update(
        status=Job.RUNNING, started_at=now, heartbeat_at=now, progress_total=total,
        progress_done=0)


def job_progress(job: Job, *, done: int, total: int | None = None, note: str = "") -> None:
    changes = {"progress_done": done}
    if total is not None:
        changes["progress_total"] = total
    if note:
        changes["log"] = Concat(F("log"), Value(f"{timezone.now():%H:%M:%S} {note}\n"))
    type(job).objects.filter(pk=job.pk).update(**changes)


def job_finish(job: Job, *, counts: dict | None = None, message: str = "") -> None:
    type(job).objects.filter(pk=job.pk).update(
        status=Job.SUCCEEDED, finished_at=timezone.now(), counts=counts or {}, message=message)


def job_fail(job: Job, *, message: str, counts: dict | None = None) -> None:
    type(job).objects.filter(pk=job.pk).update(
        status=Job.FAILED, finished_at=timezone.now(), message=message, counts=counts or {})


def lease_seconds() -> float:
    """How long a running job may go without a heartbeat before it counts as dead."""
    return float(getattr(settings, "JOB_LEASE_SECONDS", 120))


def heartbeat_seconds() -> float:
    return lease_seconds() / 4


@contextmanager
def job_guard(job: Job, *, expected: tuple[type[BaseException], ...] = ()) -> Iterator[None]:
    """Run a job's work: a heartbeat while it lasts, and any unexpected exception ends the
    job as failed with the reason (then goes on up, for the worker's log).

    A failure the job's own code records (a refused file, the `expected` errors the caller
    handles) is kept: only a job still running is marked here. The work itself must roll
    back on an exception, as every job's single transaction does, so "failed" also means
    "nothing written".
    """
    beat = _Heartbeat(job)
    beat.start()
    try:
        yield
    except expected:
        raise
    except BaseException as exc:
        beat.stop()
        if _fail_unexpected(job, exc):
            log.exception("%s %s failed", type(job).__name__, job.pk)
        raise
    finally:
        beat.stop()


def _fail_unexpected(job: Job, exc: BaseException) -> bool:
    reason = (str(exc).strip().splitlines() or [""])[0][:500] or type(exc).__name__
    message = _("Stopped by an unexpected error, nothing was written: %(error)s") % {
        "error": reason}
    for _attempt in range(2):
        try:
            return bool(type(job).objects.filter(pk=job.pk, status=Job.RUNNING).update(
                status=Job.FAILED, finished_at=timezone.now(), message=message))
        except DatabaseError:
            # The connection died with the error (a database restart): try a fresh one;
            # if the database is still away, the lapsed heartbeat tells the reaper.
            connection.close()
    log.error("could not record the failure of %s %s", type(job).__name__, job.pk)
    return True


class _Heartbeat:
    """A daemon thread stamping the job row every heartbeat_seconds() until stopped."""

    def __init__(self, job: Job) -> None:
        self.job, self.done = job, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True,
                                       name=f"heartbeat-{type(job).__name__}-{job.pk}")

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.done.set()
        if self.thread.is_alive() and self.thread is not threading.current_thread():
            self.thread.join()

    def _run(self) -> None:
        rows = type(self.job).objects.filter(pk=self.job.pk, status=Job.RUNNING)
        try:
            while not self.done.wait(heartbeat_seconds()):
                try:
                    rows.update(heartbeat_at=timezone.now())
                except DatabaseError:
                    log.warning("heartbeat of %s %s missed", type(self.job).__name__,
                                self.job.pk, exc_info=True)
                    connections["default"].close()  # reconnect on the next beat
        finally:
            connections.close_all()  # this thread's connections only


def job_models() -> list[type[Job]]:
    return [model for model in apps.get_models() if issubclass(model, Job)]


def jobs_reap_dead(*, unit=None, now=None) -> int:
    """Mark failed every running job whose heartbeat lapsed; return how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=lease_seconds())
    reaped = 0
    for model in job_models():
        # A job claimed but never started, or started before heartbeats, counts from then.
        dead = (model.objects.filter(status=Job.RUNNING)
                .annotate(alive_at=Coalesce("heartbeat_at", "started_at", "created_at"))
                .filter(alive_at__lt=cutoff))
        if unit is not None:
            dead = dead.filter(unit=unit)
        for pk, last in dead.values_list("pk", "alive_at"):
            # Only if no beat came in between: a slow job is never failed by a race.
            reaped += (model.objects.filter(pk=pk, status=Job.RUNNING)
                       .annotate(alive_at=Coalesce("heartbeat_at", "started_at", "created_at"))
                       .filter(alive_at=last)
                       .update(status=Job.FAILED, finished_at=now, message=_dead_message(last)))
    if reaped:
        log.warning("%d jobs found dead and marked failed", reaped)
    return reaped


def _dead_message(last) -> str:
    return _("The process running this job stopped without finishing (last sign of life "
             "%(time)s). Start it again.") % {
        "time": formats.date_format(timezone.localtime(last), "DATETIME_FORMAT")}
