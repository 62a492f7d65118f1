"""A gmina's boundary derived from its cadastre, for units no boundary file was given for.

The boundary is the union of the unit's precincts: a precinct's own outline where the
export carries one, else the union of its current parcels. It is derived again after
every cadastre import, in the import's transaction, so the restricted map services
(layers.access) follow the cadastre without a manual step. A boundary given from a
file (core.services.unit_boundary_set) is never replaced.
"""
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.db import connection

from core.models import AdministrativeUnit
from core.services import unit_boundary_set

from .models import Parcel, Precinct

# Snapping grid of the union (metres): parcels that share an edge up to float noise merge
# without slivers (PostGIS' overlay with a precision grid).
UNION_GRID_M = 0.01

DERIVE_SQL = """
    SELECT ST_AsEWKB(ST_Multi(ST_CollectionExtract(ST_Union(g, {grid}), 3))) FROM (
        SELECT geom AS g FROM {precinct} WHERE unit_id = %(unit)s AND geom IS NOT NULL
        UNION ALL
        SELECT p.geom FROM {parcel} p JOIN {precinct} pr ON pr.id = p.precinct_id
        WHERE pr.unit_id = %(unit)s AND pr.geom IS NULL AND p.retired_at IS NULL
    ) parts"""


def unit_boundary_derived(*, unit: AdministrativeUnit) -> MultiPolygon | None:
    """The union of `unit`'s precincts (or of their parcels), or None without any."""
    sql = DERIVE_SQL.format(grid=UNION_GRID_M, precinct=Precinct._meta.db_table,
                            parcel=Parcel._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(sql, {"unit": unit.pk})
        (ewkb,) = cur.fetchone()
    if ewkb is None:
        return None
    geom = GEOSGeometry(memoryview(bytes(ewkb)))
    return geom if isinstance(geom, MultiPolygon) and not geom.empty else None


def unit_boundary_derive(*, unit: AdministrativeUnit) -> bool:
    """Set `unit`'s boundary from its cadastre unless one was given; True when it was set."""
    unit.refresh_from_db(fields=["boundary", "boundary_source"])
    if unit.boundary is not None and \
            unit.boundary_source != AdministrativeUnit.BOUNDARY_FROM_CADASTRE:
        return False
    boundary = unit_boundary_derived(unit=unit)
    if boundary is None:
        return False
    unit_boundary_set(unit=unit, boundary=boundary,
                      source=AdministrativeUnit.BOUNDARY_FROM_CADASTRE)
    return True
