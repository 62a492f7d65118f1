"""Reads of the cadastre's import jobs: what a user may see, and what changed where."""
from datetime import datetime

from django.contrib.gis.db.models import Union
from django.contrib.gis.geos import MultiPolygon
from django.db.models import QuerySet

from core.access import scope_queryset
from core.models import AdministrativeUnit

from .models import CadastreImport


def cadastre_import_list(*, user, unit: AdministrativeUnit | None = None) -> QuerySet:
    """Import jobs of the units where `user` may see them, newest first."""
    jobs = scope_queryset(CadastreImport.objects.select_related("unit"), user, "view")
    return jobs.filter(unit=unit) if unit is not None else jobs


def cadastre_changed_extent(*, unit: AdministrativeUnit, since: datetime) -> MultiPolygon | None:
    """Where imports of `unit` finished after `since` changed the cadastre (EPSG:2180).

    For the map cache: the tiles to refresh are those over this area. Dry runs and
    failed imports changed nothing and are left out.
    """
    extent = (CadastreImport.objects
              .filter(unit=unit, status=CadastreImport.SUCCEEDED, finished_at__gt=since,
                      changed_extent__isnull=False)
              .aggregate(area=Union("changed_extent"))["area"])
    if extent is None or isinstance(extent, MultiPolygon):
        return extent
    return MultiPolygon(extent, srid=extent.srid)
