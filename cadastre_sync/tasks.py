"""Background jobs of the cadastre: thin, they fetch the job by id and call the service."""
from procrastinate.contrib.django import app

from .models import CadastreImport
from .services import cadastre_import_job_run


@app.task(queue="imports", name="cadastre_sync.import")
def cadastre_import_task(job_id: int) -> None:
    """Safe to run twice: a job no longer queued is left alone by the service."""
    job = CadastreImport.objects.select_related("unit").filter(pk=job_id).first()
    if job is not None:
        cadastre_import_job_run(job=job)
