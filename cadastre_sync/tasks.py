"""Background jobs of the cadastre: thin, they fetch the job by id and call the service."""
from procrastinate.contrib.django import app

from core.models import AdministrativeUnit

from .boundaries import unit_boundary_derive
from .models import CadastreImport
from .services import cadastre_import_job_run


@app.task(queue="imports", name="cadastre_sync.import")
def cadastre_import_task(job_id: int) -> None:
    """Safe to run twice: a job no longer queued is left alone by the service."""
    job = CadastreImport.objects.select_related("unit").filter(pk=job_id).first()
    if job is not None:
        cadastre_import_job_run(job=job)

@app.task(queue="imports", name="cadastre_sync.unit_boundary")
def unit_boundary_task(unit_id: int) -> None:
    """Derive the unit's boundary from its cadastre again (it is safe to run twice)."""
    unit = AdministrativeUnit.objects.filter(pk=unit_id).first()
    if unit is not None:
        unit_boundary_derive(unit=unit)


# The worker discovers `<app>.tasks`; the tax register's jobs are registered with these.
from .tax.tasks import reconcile_task, tax_import_task  # noqa: E402, F401
