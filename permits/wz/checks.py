"""Automatic checks on a WZ (warunki zabudowy) application, for the case officer (reads only).

1. A local plan in force over the site: then no WZ decision is issued (art. 4 ust. 2 and
   art. 59 of the planning act) and the application is answered accordingly; after the
   2023 reform, the general plan gate (gate.py).
2. The general plan zone parameters the proposed development would exceed.
3. The "good neighbourhood" analysis as figures: neighbouring parcels' built-up share and
   buildings' storeys and estimated heights within the analysed area around the site.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from statistics import median

from django.contrib.gis.geos import GEOSGeometry
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadastre_sync.models import Building, LandUsePiece, Parcel
from core.errors import RuleNotInForce
from layers.models import ZoningPlan
from layers.selectors import ZoneCover, area_zoning

from .gate import Gate, wz_gate

# The analysed area (obszar analizowany): around the site, at least three times the width
# of the site's front along the road, at least 50 m and (since the 2023 amendment) at most
# 200 m. Source: ustawa o planowaniu i zagospodarowaniu przestrzennym art. 61 ust. 5a;
# before it rozporządzenie MI z 26.08.2003 (Dz.U. nr 164 poz. 1588) § 3 ust. 2 (the figures
# as the domain notes give them; not re-read against the act).
ANALYSED_AREA = {"frontage_multiple": 3, "min_m": 50.0, "max_m": 200.0}
# The site's front: the edges of its boundary lying (mostly) within this many metres of a
# road parcel (EGiB land use "dr"): a site drawn on the map rarely meets the road exactly,
# and an edge running away from the road (a side of the site) is not front.
FRONTAGE_TOLERANCE_M = 1.0
ROAD_LAND_USE = "dr"
# The cadastre records storeys, not heights: estimated height per storey above ground (a
# working assumption, not a legal figure; shown to the officer as an estimate).
STOREY_HEIGHT_M = 3.0
# A local plan covering less of the site than this is a boundary sliver, not a cover.
LOCAL_PLAN_MIN_SHARE = 0.01


@dataclass(frozen=True)
class Proposal:
    """The planned development as the applicant describes it."""

    height_m: Decimal | None = None
    built_up_area_m2: Decimal | None = None
    biologically_active_area_m2: Decimal | None = None
    above_ground_floor_area_m2: Decimal | None = None


@dataclass(frozen=True)
class ZoneLimit:
    zone_field: str  # on ZoneParameters
    proposal_value: str  # a method of _Measures
    bound: str  # "max" or "min"
    title: object  # lazy text
    unit: str


# What the general plan limits and how the proposal is measured against it (art. 13i ust. 3
# of the planning act: the four parameters of a planning zone).
ZONE_LIMITS = (
    ZoneLimit("max_height_m", "height", "max", _("building height"), "m"),
    ZoneLimit("max_built_up_share", "built_up_share", "max", _("built-up share"), "%"),
    ZoneLimit("min_biologically_active_share", "biologically_active_share", "min",
              _("biologically active share"), "%"),
    ZoneLimit("max_intensity", "intensity", "max", _("above-ground building intensity"), ""),
)


@dataclass(frozen=True)
class Exceedance:
    zone_label: str
    plan_name: str
    limit: ZoneLimit
    allowed: Decimal
    proposed: Decimal


@dataclass(frozen=True)
class Neighbourhood:
    radius_m: float
    frontage_m: float  # 0 when the site touches no road parcel
    parcels: int  # neighbouring parcels in the analysed area (roads and the site left out)
    built_parcels: int
    built_up_share_mean: float | None  # percent, over built parcels
    built_up_share_min: float | None
    built_up_share_max: float | None
    buildings: int
    storeys_min: int | None
    storeys_median: float | None
    storeys_max: int | None

    @property
    def height_estimate_m(self) -> tuple[float, float] | None:
        if self.storeys_min is None:
            return None
        return self.storeys_min * STOREY_HEIGHT_M, self.storeys_max * STOREY_HEIGHT_M


@dataclass(frozen=True)
class WzChecks:
    site_area_m2: float
    local_plan_zones: tuple[ZoneCover, ...]
    general_zones: tuple[ZoneCover, ...]
    exceedances: tuple[Exceedance, ...]
    neighbourhood: Neighbourhood
    gate: Gate | None = None  # the general plan gate (gate.py); None without a unit

    @property
    def local_plan_applies(self) -> bool:
        return bool(self.local_plan_zones)


def wz_checks(*, site: GEOSGeometry, proposal: Proposal, unit=None,
              filed_on: date | None = None) -> WzChecks:
    """Every automatic check on a site drawn in EPSG:2180 and the proposed development;
    with the unit, the general plan gate for an application filed on `filed_on` (today)."""
    zones = area_zoning(geom=site)
    local = tuple(z for z in zones if z.plan.kind == ZoningPlan.LOCAL
                  and z.share >= LOCAL_PLAN_MIN_SHARE)
    general = tuple(z for z in zones if z.plan.kind == ZoningPlan.GENERAL)
    return WzChecks(site_area_m2=site.area, local_plan_zones=local, general_zones=general,
                    exceedances=tuple(zone_exceedances(site_area_m2=site.area,
                                                       zones=general, proposal=proposal)),
                    neighbourhood=neighbourhood(site=site),
                    gate=_gate(unit, site, filed_on or timezone.localdate())
                    if unit is not None else None)


def _gate(unit, site, filed_on: date) -> Gate:
    try:
        return wz_gate(unit=unit, site=site, filed_on=filed_on)
    except RuleNotInForce as exc:  # shown to the officer as a failed check, never skipped
        return Gate("rule_missing", False, str(exc.message), "", False)


class _Measures:
    def __init__(self, site_area_m2: float, proposal: Proposal) -> None:
        self.area, self.p = Decimal(str(site_area_m2)), proposal

    def _share(self, value: Decimal | None) -> Decimal | None:
        return None if value is None or not self.area else value / self.area * 100

    def height(self):
        return self.p.height_m

    def built_up_share(self):
        return self._share(self.p.built_up_area_m2)

    def biologically_active_share(self):
        return self._share(self.p.biologically_active_area_m2)

    def intensity(self):
        value = self.p.above_ground_floor_area_m2
        return None if value is None or not self.area else value / self.area


def zone_exceedances(*, site_area_m2: float, zones: tuple[ZoneCover, ...] | list[ZoneCover],
                     proposal: Proposal) -> list[Exceedance]:
    """The general plan zone parameters the proposal breaks, zone by zone (the site may lie
    in several zones; each zone's limit holds for the development in it)."""
    measures = _Measures(site_area_m2, proposal)
    out = []
    for zone in zones:
        for limit in ZONE_LIMITS:
            allowed = getattr(zone.parameters, limit.zone_field)
            proposed = getattr(measures, limit.proposal_value)()
            if allowed is None or proposed is None:
                continue
            broken = proposed > allowed if limit.bound == "max" else proposed < allowed
            if broken:
                out.append(Exceedance(zone.label, zone.plan.name, limit, allowed,
                                      proposed.quantize(Decimal("0.01"))))
    return out


_NEIGHBOURHOOD = f"""
WITH site AS (SELECT ST_GeomFromEWKB(%(site)s) AS g),
road AS (
    SELECT ST_Union(p.geom) AS g FROM {Parcel._meta.db_table} p, site
    WHERE p.retired_at IS NULL AND p.geom && ST_Expand(site.g, %(tol)s)
      AND EXISTS (SELECT 1 FROM {LandUsePiece._meta.db_table} l
                  WHERE l.parcel_id = p.id AND l.ofu = %(road)s)
),
near_road AS (SELECT ST_Buffer(road.g, %(tol)s) AS g FROM road),
segment AS (
    SELECT ST_Length(s.geom) AS length, ST_Length(ST_Intersection(s.geom, near_road.g)) AS near
    FROM site, near_road, ST_DumpSegments(ST_Boundary(site.g)) AS s
),
front AS (SELECT COALESCE(SUM(near) FILTER (WHERE near > 0.5 * length), 0) AS m FROM segment),
area AS (
    SELECT ST_Buffer(site.g, LEAST(GREATEST(front.m * %(multiple)s, %(min_m)s), %(max_m)s)) AS g,
           LEAST(GREATEST(front.m * %(multiple)s, %(min_m)s), %(max_m)s) AS radius, front.m
    FROM site, front
),
nb AS (
    SELECT p.id, ST_Area(p.geom) AS a,
           (SELECT COALESCE(SUM(ST_Area(ST_Intersection(b.geom, p.geom))), 0)
            FROM {Building._meta.db_table} b
            WHERE b.retired_at IS NULL AND b.geom && p.geom AND ST_Intersects(b.geom, p.geom)
           ) AS built
    FROM {Parcel._meta.db_table} p, area, site
    WHERE p.retired_at IS NULL AND p.geom && area.g AND ST_Intersects(p.geom, area.g)
      AND ST_Area(ST_Intersection(p.geom, site.g)) < 0.5 * ST_Area(p.geom)
      AND NOT EXISTS (SELECT 1 FROM {LandUsePiece._meta.db_table} l
                      WHERE l.parcel_id = p.id AND l.ofu = %(road)s)
),
bld AS (
    SELECT b.storeys_above FROM {Building._meta.db_table} b, area, site
    WHERE b.retired_at IS NULL AND b.geom && area.g AND ST_Intersects(b.geom, area.g)
      AND NOT ST_Intersects(b.geom, site.g)
)
SELECT area.radius, area.m, (SELECT count(*) FROM nb),
       (SELECT array_agg(100 * built / a) FROM nb WHERE built > 0 AND a > 0),
       (SELECT array_agg(storeys_above) FROM bld)
FROM area
"""  # noqa: S608 - table names from our own models, values as parameters


def neighbourhood(*, site: GEOSGeometry) -> Neighbourhood:
    """The figures of the good-neighbourhood analysis around `site`, in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(_NEIGHBOURHOOD, {
            "site": bytes(site.ewkb), "tol": FRONTAGE_TOLERANCE_M, "road": ROAD_LAND_USE,
            "multiple": ANALYSED_AREA["frontage_multiple"], "min_m": ANALYSED_AREA["min_m"],
            "max_m": ANALYSED_AREA["max_m"]})
        radius, frontage, parcels, shares, storeys = cursor.fetchone()
    shares, storeys = shares or [], storeys or []
    return Neighbourhood(
        radius_m=float(radius), frontage_m=float(frontage), parcels=parcels,
        built_parcels=len(shares),
        built_up_share_mean=sum(shares) / len(shares) if shares else None,
        built_up_share_min=min(shares) if shares else None,
        built_up_share_max=max(shares) if shares else None,
        buildings=len(storeys), storeys_min=min(storeys) if storeys else None,
        storeys_median=median(storeys) if storeys else None,
        storeys_max=max(storeys) if storeys else None)
