"""Writes of the tax register: imports and reconciliation as jobs, and officers' work on
findings (assign, comment, resolve with the action taken, not a discrepancy)."""
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, InvalidInput
from core.jobs import job_fail, job_finish, job_guard, job_start, jobs_reap_dead
from core.models import AdministrativeUnit

from ..services import upload_store
from .importer import TaxImportRejected, TaxImportResult, tax_records_import
from .models import FindingEvent, PersonalDataAccess, ReconciliationRun, TaxFinding, TaxImport
from .reconcile import RunResult, findings_changed_announce, reconcile


def _locked(finding: TaxFinding) -> TaxFinding:
    return TaxFinding.objects.select_for_update().get(pk=finding.pk)


def _event(finding: TaxFinding, by, action: str, text: str = "") -> FindingEvent:
    return FindingEvent.objects.create(finding=finding, by=by, action=action, text=text)


@transaction.atomic
def finding_assign(*, finding: TaxFinding, to, by) -> TaxFinding:
    finding = _locked(finding)
    finding.assigned_to = to
    finding.save(update_fields=["assigned_to"])
    _event(finding, by, FindingEvent.ASSIGN, to.get_username() if to else "")
    return finding


@transaction.atomic
def finding_comment(*, finding: TaxFinding, by, text: str) -> FindingEvent:
    if not text.strip():
        raise InvalidInput(_("A comment cannot be empty."), detail={"field": "text"})
    return _event(_locked(finding), by, FindingEvent.COMMENT, text.strip())


def _close(finding: TaxFinding, by, status: str, action: str, text: str) -> TaxFinding:
    if not text.strip():
        raise InvalidInput(_("Say what was done, or why this is not a discrepancy."),
                           detail={"field": "text"})
    finding = _locked(finding)
    if finding.status != TaxFinding.OPEN:
        raise Conflict(_("This finding is already closed."), detail={"finding": finding.pk})
    finding.status, finding.resolution = status, text.strip()
    finding.closed_by, finding.closed_at = by, timezone.now()
    finding.save(update_fields=["status", "resolution", "closed_by", "closed_at"])
    _event(finding, by, action, finding.resolution)
    if finding.geom is not None:
        findings_changed_announce(unit=finding.unit, area=finding.geom,
                                  reason=_("finding %(finding)d closed") % {"finding": finding.pk})
    return finding


@transaction.atomic
def finding_resolve(*, finding: TaxFinding, by, action_taken: str) -> TaxFinding:
    """Closed with the action taken (e.g. a decision issued); found again, it reopens."""
    return _close(finding, by, TaxFinding.RESOLVED, FindingEvent.RESOLVE, action_taken)


@transaction.atomic
def finding_dismiss(*, finding: TaxFinding, by, reason: str) -> TaxFinding:
    """Not a discrepancy: the reason stays and later runs do not raise it again."""
    return _close(finding, by, TaxFinding.DISMISSED, FindingEvent.DISMISS, reason)


def personal_data_access_log(*, user, unit: AdministrativeUnit, action: str, subject: str,
                             taxpayer_ids: list[int]) -> None:
    PersonalDataAccess.objects.create(user=user, unit=unit, action=action,
                                      subject=subject[:300], taxpayer_ids=sorted(taxpayer_ids))


def tax_import_job_run(*, unit: AdministrativeUnit, path: str | Path, strict: bool,
                       profile: str | None = None, by=None, source_name: str | None = None,
                       job: TaxImport | None = None) -> tuple[TaxImport, TaxImportResult | None]:
    """Import with a job row recording status, counts and every refused row."""
    if job is None:
        job = TaxImport.objects.create(unit=unit, created_by=by, strict=strict,
                                       source_name=(source_name or Path(path).name)[:255],
                                       source_path=str(path), profile_name=profile or "")
    job_start(job)
    with job_guard(job):
        result = _tax_import_in_job(job, unit=unit, path=path, strict=strict, profile=profile)
    job.refresh_from_db()
    return job, result


def _tax_import_in_job(job: TaxImport, *, unit: AdministrativeUnit, path: str | Path,
                       strict: bool, profile: str | None) -> TaxImportResult | None:
    try:
        result = tax_records_import(unit=unit, path=path, strict=strict, profile=profile,
                                    job=job, file_name=job.source_name)
    except TaxImportRejected as exc:
        TaxImport.objects.filter(pk=job.pk).update(report=[p.as_dict() for p in exc.problems])
        job_fail(job, message=str(exc.message), counts={"rejected_rows": len(exc.problems)})
        return None
    TaxImport.objects.filter(pk=job.pk).update(report=[p.as_dict() for p in result.problems])
    message = (_("Same file as the last import: nothing changed.") if result.unchanged_file
               else _("%(rows)d rows read, %(rejected)d refused") % {
                   "rows": result.counts.get("rows", 0), "rejected": result.rejected})
    job_finish(job, counts={**result.counts, "seconds": result.seconds}, message=message)
    return result


def tax_import_run_queued(*, job: TaxImport) -> None:
    """The worker's entry; a job no longer queued is left alone (safe to run twice)."""
    if TaxImport.objects.filter(pk=job.pk, status=TaxImport.QUEUED).exists():
        tax_import_job_run(unit=job.unit, path=job.source_path, strict=job.strict,
                           profile=job.profile_name or None, job=job)


def tax_import_submit(*, unit: AdministrativeUnit, upload, strict: bool, profile: str = "",
                      by=None) -> TaxImport:
    from .tasks import tax_import_task

    stored = upload_store(upload)
    jobs_reap_dead(unit=unit)
    job = TaxImport.objects.create(unit=unit, created_by=by, strict=strict,
                                   source_name=upload.name[:255], source_path=str(stored),
                                   profile_name=profile)
    transaction.on_commit(lambda: tax_import_task.defer(job_id=job.pk))
    return job


def reconciliation_submit(*, unit: AdministrativeUnit, year: int, by=None,
                          full: bool = False) -> ReconciliationRun:
    """Queue a run (`full`: compare everything, not only what changed since the last
    run); a year whose rates or rules are not entered is refused here, with what is
    missing, rather than failing in the queue (RuleNotInForce)."""
    from .reconcile import rates_for, tax_tables
    from .tasks import reconcile_task

    rates_for(unit, year)
    tax_tables(unit, year)
    jobs_reap_dead(unit=unit)
    run = ReconciliationRun.objects.create(
        unit=unit, created_by=by, year=year,
        coverage={"asked": ReconciliationRun.FULL} if full else {})
    transaction.on_commit(lambda: reconcile_task.defer(run_id=run.pk))
    return run


def reconciliation_run_queued(*, run: ReconciliationRun) -> RunResult | None:
    claimed = ReconciliationRun.objects.filter(pk=run.pk, status=ReconciliationRun.QUEUED)
    if not claimed.exists():
        return None
    asked = (run.coverage or {}).get("asked", "auto")
    return reconcile(unit=run.unit, year=run.year, run=run, scope=asked)
