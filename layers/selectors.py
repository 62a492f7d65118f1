"""Reads of the layers app: what the map tells about a parcel."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from cadastre_sync.models import Parcel

from .access import layer_allowed, layer_scope
from .models import ZoningPlan, ZoningZone
from .raster_layers import raster_layers
from .registry import BASE_MAP

# A zone touching a parcel by less than this is a sliver of two boundaries drawn at
# different scales (a plan at 1:10 000 over a cadastral map at 1:500), not a designation
# of the parcel: under PARCEL_SLIVER_M2 square metres or under PARCEL_SLIVER_SHARE of it.
PARCEL_SLIVER_M2 = 1.0
PARCEL_SLIVER_SHARE = 0.001

# Legal statuses under which a zone binds: its own `status`, else its plan's `legal_status`
# (as the map layers read it, layers/registry.py). The title of the APP code list value
# ProcessStepGeneralValue/legalForce, as the APP files carry it ("prawnie wiążący lub
# realizowany"), and the word the office itself uses ("obowiązujący"); the other APP values
# ("w opracowaniu", "w trakcie przyjmowania", "nieaktualny") do not bind. An empty status
# is one the data never held (local plans imported from OGR files carry none): then the
# dates alone decide.
IN_FORCE_STATUSES = ("prawnie wiążący lub realizowany", "obowiązujący")

# In force on %(today)s: a status that binds (or none held), in force from that day or
# earlier, and not yet out of force (`valid_to` is the first day it no longer binds, as
# INSPIRE's validTo: the plan replacing it has that day as its `valid_from`).
_IN_FORCE = """
      COALESCE(NULLIF(z.status, ''), pl.legal_status) = ANY(%(in_force)s)
  AND (pl.valid_from IS NULL OR pl.valid_from <= %(today)s)
  AND (pl.valid_to IS NULL OR pl.valid_to > %(today)s)
  AND (z.valid_from IS NULL OR z.valid_from <= %(today)s)
  AND (z.valid_to IS NULL OR z.valid_to > %(today)s)
"""


def _in_force_params() -> dict:
    return {"in_force": ["", *IN_FORCE_STATUSES], "today": timezone.localdate()}


def zones_in_force_q(*, today: date | None = None) -> Q:
    """The zones in force on `today` (the office's date by default), as `_IN_FORCE` says,
    for ORM queries of ZoningZone."""
    today = today or timezone.localdate()
    status = (Q(status__in=IN_FORCE_STATUSES)
              | Q(status="", plan__legal_status__in=["", *IN_FORCE_STATUSES]))
    return (status
            & (Q(plan__valid_from__isnull=True) | Q(plan__valid_from__lte=today))
            & (Q(plan__valid_to__isnull=True) | Q(plan__valid_to__gt=today))
            & (Q(valid_from__isnull=True) | Q(valid_from__lte=today))
            & (Q(valid_to__isnull=True) | Q(valid_to__gt=today)))


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
WHERE {_IN_FORCE}
  AND x.area >= %(min_m2)s AND x.area >= parcel.area * %(min_share)s
ORDER BY share DESC, pl.kind, z.label
"""  # noqa: S608 - table names from our own models, values as parameters


def parcel_zoning(*, parcel: Parcel) -> list[ZoneShare]:
    """The zones of plans in force over `parcel`, largest share first, slivers left out."""
    with connection.cursor() as cursor:
        cursor.execute(_PARCEL_ZONING, {"parcel": parcel.pk, "min_m2": PARCEL_SLIVER_M2,
                                        "min_share": PARCEL_SLIVER_SHARE, **_in_force_params()})
        rows = cursor.fetchall()
    return [ZoneShare(plan=PlanRef(*row[0:4]), zone_id=row[4], label=row[5], symbol=row[6],
                      designation=row[7], parameters=ZoneParameters(*row[8:12]),
                      area_m2=row[12], share=row[13])
            for row in rows]


@dataclass(frozen=True)
class PlanDetail(PlanRef):
    resolution_number: str
    resolution_date: object  # datetime.date | None
    scale_denominator: int


@dataclass(frozen=True)
class ZoneCover(ZoneShare):
    """A zone over a parcel, with the provisions of the plan text held for it."""

    provisions: str


@dataclass(frozen=True)
class ParcelZoning:
    """What the plans in force say about one parcel: every zone over it with its share."""

    parcel_pk: int
    parcel_id: str
    number: str
    precinct: str
    area_m2: float  # geometric area of the parcel
    zones: tuple[ZoneCover, ...]  # local plans first, then general; largest share first

    @property
    def plans(self) -> list[PlanDetail]:
        """The plans over the parcel, each once, in the order of `zones`."""
        return list({zone.plan.id: zone.plan for zone in self.zones}.values())

    def zones_of(self, plan_id: int) -> list[ZoneCover]:
        return [zone for zone in self.zones if zone.plan.id == plan_id]

    @property
    def local_plans(self) -> list[PlanDetail]:
        return [plan for plan in self.plans if plan.kind == ZoningPlan.LOCAL]


# One statement for any number of parcels: a parcel outside every plan keeps its row (LEFT
# JOIN LATERAL with no zone), and each parcel's zones are found through the GiST index.
_PARCELS_ZONING = f"""
WITH parcel AS (
    SELECT p.id, p.parcel_id, p.number, pr.name AS precinct, p.geom, ST_Area(p.geom) AS area,
           array_position(%(parcels)s::bigint[], p.id::bigint) AS position
    FROM {Parcel._meta.db_table} p JOIN cadastre_sync_precinct pr ON pr.id = p.precinct_id
    WHERE p.id = ANY(%(parcels)s::bigint[])
)
SELECT parcel.id, parcel.parcel_id, parcel.number, parcel.precinct, parcel.area, c.*
FROM parcel
LEFT JOIN LATERAL (
    SELECT pl.id, pl.identifier, pl.name, pl.kind, pl.resolution_number, pl.resolution_date,
           pl.scale_denominator, z.id AS zone_id, z.label, z.symbol, z.designation,
           z.max_intensity, z.max_built_up_share, z.max_height_m,
           z.min_biologically_active_share, x.area AS zone_area, x.area / parcel.area AS share,
           z.provisions
    FROM {ZoningZone._meta.db_table} z
    JOIN {ZoningPlan._meta.db_table} pl ON pl.id = z.plan_id
    CROSS JOIN LATERAL (SELECT ST_Area(ST_Intersection(z.geom, parcel.geom)) AS area) x
    WHERE z.geom && parcel.geom AND ST_Intersects(z.geom, parcel.geom)
      AND {_IN_FORCE}
      AND x.area >= %(min_m2)s AND x.area >= parcel.area * %(min_share)s
) c ON true
ORDER BY parcel.position, c.kind DESC, c.name, c.share DESC, c.label
"""  # noqa: S608 - table names from our own models, values as parameters


def parcels_zoning(*, parcel_ids: list[int]) -> list[ParcelZoning]:
    """For each parcel, in the order asked, the plans in force and every zone over it with
    its share of the parcel's area (slivers left out). A parcel outside every plan comes with
    no zones; ids of no parcel are left out (the caller checks what it asked for)."""
    with connection.cursor() as cursor:
        cursor.execute(_PARCELS_ZONING, {"parcels": list(parcel_ids), "min_m2": PARCEL_SLIVER_M2,
                                         "min_share": PARCEL_SLIVER_SHARE,
                                         **_in_force_params()})
        rows = cursor.fetchall()
    found: dict[int, tuple] = {}
    zones: dict[int, list[ZoneCover]] = {}
    for row in rows:
        found.setdefault(row[0], row[0:5])
        zones.setdefault(row[0], [])
        if row[5] is not None:
            zones[row[0]].append(_zone_cover(row[5:]))
    return [ParcelZoning(*head, zones=tuple(zones[pk])) for pk, head in found.items()]


def _zone_cover(row: tuple) -> ZoneCover:
    return ZoneCover(plan=PlanDetail(*row[0:7]), zone_id=row[7], label=row[8], symbol=row[9],
                     designation=row[10], parameters=ZoneParameters(*row[11:15]),
                     area_m2=row[15], share=row[16], provisions=row[17])


_AREA_ZONING = f"""
WITH site AS (SELECT g AS geom, ST_Area(g) AS area FROM ST_GeomFromEWKB(%(geom)s) AS g)
SELECT pl.id, pl.identifier, pl.name, pl.kind, pl.resolution_number, pl.resolution_date,
       pl.scale_denominator, z.id, z.label, z.symbol, z.designation,
       z.max_intensity, z.max_built_up_share, z.max_height_m, z.min_biologically_active_share,
       x.area, x.area / site.area AS share, z.provisions
FROM site
JOIN {ZoningZone._meta.db_table} z ON z.geom && site.geom AND ST_Intersects(z.geom, site.geom)
JOIN {ZoningPlan._meta.db_table} pl ON pl.id = z.plan_id
CROSS JOIN LATERAL (SELECT ST_Area(ST_Intersection(z.geom, site.geom)) AS area) x
WHERE {_IN_FORCE}
  AND x.area >= %(min_m2)s AND x.area >= site.area * %(min_share)s
ORDER BY pl.kind DESC, pl.name, share DESC, z.label
"""  # noqa: S608 - table names from our own models, values as parameters


def area_zoning(*, geom) -> list[ZoneCover]:
    """The zones of plans in force over any area (an investment site drawn on the map, in
    EPSG:2180), each with its share of that area; slivers left out as for parcels."""
    with connection.cursor() as cursor:
        cursor.execute(_AREA_ZONING, {"geom": bytes(geom.ewkb), "min_m2": PARCEL_SLIVER_M2,
                                      "min_share": PARCEL_SLIVER_SHARE, **_in_force_params()})
        return [_zone_cover(row) for row in cursor.fetchall()]


def general_plan_in_force(*, unit, on) -> ZoningPlan | None:
    """The unit's general plan (plan ogólny) in force on `on`: the date it took effect is
    the plan's `valid_from` (the act's obowiazujeOd when imported from APP GML)."""
    return (ZoningPlan.objects.filter(unit=unit, kind=ZoningPlan.GENERAL,
                                      valid_from__isnull=False, valid_from__lte=on)
            .exclude(valid_to__lt=on).order_by("-valid_from").first())


_AREA_SHARE = """
SELECT COALESCE(ST_Area(ST_Intersection(%(geom)s::geometry, ST_Union(a.geom)))
                / NULLIF(ST_Area(%(geom)s::geometry), 0), 0)
FROM layers_planarea a WHERE a.plan_id = %(plan_id)s AND a.kind = %(kind)s
  AND a.geom && %(geom)s::geometry
"""


def plan_area_share(*, plan, kind: str, geom) -> float:
    """The share of `geom` (EPSG:2180) inside the plan's areas of `kind`, 0 to 1."""
    with connection.cursor() as cursor:
        cursor.execute(_AREA_SHARE, {"geom": bytes(geom.ewkb), "plan_id": plan.pk, "kind": kind})
        (share,) = cursor.fetchone()
    return float(share or 0)


def base_layer_names(*, user, near: tuple[float, float, float, float] | None = None
                     ) -> list[str]:
    """The base maps `user` may lay under the map, the default first: the published
    orthophotos (those over the box `near`, EPSG:2180, when given), then the cartographic
    base map drawn from our own layers (the default where no orthophoto is published)."""
    rasters = [r.name for r in raster_layers()
               if layer_scope(user, r).allowed and (near is None or _overlaps(r.extent, near))]
    return rasters + ([BASE_MAP] if layer_allowed(user, BASE_MAP) else [])


def _overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
