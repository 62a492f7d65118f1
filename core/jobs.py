"""Progress reporting for jobs: short writes outside the job's own transaction.

Progress is written with queryset.update() so that it is visible to the person
watching while the job's main work is still inside its own transaction — the
worker should open a separate connection-level autocommit write, which is what
update() on a row outside an atomic block does.
"""
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone

from .models import Job


def job_start(job: Job, *, total: int | None = None) -> None:
    type(job).objects.filter(pk=job.pk).update(
        status=Job.RUNNING, started_at=timezone.now(), progress_total=total, progress_done=0)


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
