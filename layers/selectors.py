"""Reads of the layers app: what the map tells about a parcel."""
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from cadastre_sync.models import Parcel

from .models import ZoningPlan, ZoningZone

# A zone touching a parcel by less than this is a sliver of two boundaries drawn at
# different scales (a plan at 1:10 000 over a cadastral map at 1:500), not a designation
# of the parcel: under PARCEL_SLIVER_M2 square metres or under PARCEL_SLIVER_SHARE of it.
PARCEL_SLIVER_M2 = 1.0
PARCEL_SLIVER_SHARE = 0.001


@dataclass(frozen=True)
class PlanRef:
    id: int
    identifier: str
    name: str
    kind: str


@dataclass(frozen=True)
class ZoneParameters:
    max_intensity: Decimal | None
    max_built_up_share: Decimal | None
    max_height_m: Decimal | None
    min_biologically_active_share: Decimal | None


@dataclass(frozen=True)
class ZoneShare:
    plan: PlanRef
    zone_id: int
    label: str
    symbol: str
    designation: str
    parameters: ZoneParameters
    area_m2: float  # of the parcel under the zone
    share: float  # of the parcel's geometric area, 0 to 1


# One statement: the bounding-box test (&&) uses the zones' GiST index, the exact
# intersection is computed only for the few zones it lets through.
_PARCEL_ZONING = f"""
WITH parcel AS (
    SELECT geom, ST_Area(geom) AS area FROM {Parcel._meta.db_table} WHERE id = %(parcel)s
)
SELECT pl.id, pl.identifier, pl.name, pl.kind, z.id, z.label, z.symbol, z.designation,
       z.max_intensity, z.max_built_up_share, z.max_height_m, z.min_biologically_active_share,
       x.area, x.area / parcel.area AS share
FROM parcel
JOIN {ZoningZone._meta.db_table} z ON z.geom && parcel.geom AND ST_Intersects(z.geom, parcel.geom)
JOIN {ZoningPlan._meta.db_table} pl ON pl.id = z.plan_id
CROSS JOIN LATERAL (SELECT ST_Area(ST_Intersection(z.geom, parcel.geom)) AS area) x
WHERE (pl.valid_to IS NULL OR pl.valid_to >= current_date)
  AND (z.valid_to IS NULL OR z.valid_to >= current_date)
  AND x.area >= %(min_m2)s AND x.area >= parcel.area * %(min_share)s
ORDER BY share DESC, pl.kind, z.label
"""  # noqa: S608 - table names from our own models, values as parameters


def parcel_zoning(*, parcel: Parcel) -> list[ZoneShare]:
    """The zones of plans in force over `parcel`, largest share first, slivers left out."""
    with connection.cursor() as cursor:
        cursor.execute(_PARCEL_ZONING, {"parcel": parcel.pk, "min_m2": PARCEL_SLIVER_M2,
                                        "min_share": PARCEL_SLIVER_SHARE})
        rows = cursor.fetchall()
    return [ZoneShare(plan=PlanRef(*row[0:4]), zone_id=row[4], label=row[5], symbol=row[6],
                      designation=row[7], parameters=ZoneParameters(*row[8:12]),
                      area_m2=row[12], share=row[13])
            for row in rows]
