"""Background jobs of the layers app: thin, they fetch the job by id and call the service."""
from procrastinate.contrib.django import app

from .cache_refresh import tile_cache_job_run
from .models import RasterImport, TileCacheJob
from .rasters import raster_import_run


@app.task(queue="maps", name="layers.tile_cache")
def tile_cache_task(job_id: int) -> None:
    """Seed or refresh tiles. Safe to run twice: a job no longer queued is left alone."""
    job = TileCacheJob.objects.select_related("unit").filter(pk=job_id).first()
    if job is not None:
        tile_cache_job_run(job=job)


@app.task(queue="imports", name="layers.raster_import")
def raster_import_task(job_id: int) -> None:
    """Check, convert and publish an uploaded raster; a job no longer queued is left alone."""
    job = RasterImport.objects.select_related("unit").filter(pk=job_id).first()
    if job is not None:
        raster_import_run(job=job)
