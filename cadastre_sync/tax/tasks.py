"""Background jobs of the tax register: fetch the job by id, call the service."""
from procrastinate.contrib.django import app

from .models import ReconciliationRun, TaxImport
from .services import reconciliation_run_queued, tax_import_run_queued


@app.task(queue="imports", name="cadastre_sync.tax_import")
def tax_import_task(job_id: int) -> None:
    job = TaxImport.objects.select_related("unit").filter(pk=job_id).first()
    if job is not None:
        tax_import_run_queued(job=job)


@app.task(queue="imports", name="cadastre_sync.reconcile")
def reconcile_task(run_id: int) -> None:
    run = ReconciliationRun.objects.select_related("unit").filter(pk=run_id).first()
    if run is not None:
        reconciliation_run_queued(run=run)
