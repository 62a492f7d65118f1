"""Writers of a job's status and progress: each is one UPDATE of the job row.

They are cheap to call often. A job that does its main work inside one long
transaction must write progress through another connection for anyone to see
it before the end; jobs that commit in chunks can call these directly.
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
