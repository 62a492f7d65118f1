"""What the portal's own pages read: hosted units with their counts, a staff member's roles,
and the map extent. Web pages only; domain apps never import this module."""
from dataclasses import dataclass

from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import Transform
from django.contrib.gis.geos import MultiPoint, Point
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from cadastre_sync.models import Building, Parcel
from core.models import AdministrativeUnit, Membership
from core.roles import CASCADING_ROLES

MAP_SRID = 2180
# Poland's extreme points in WGS84 lon/lat: Osinów Dolny (W), Zosin (E), Opołonek (S),
# Jastrzębia Góra (N). Their box is the map's view until a hosted unit has a boundary.
POLAND_EXTREMES_LONLAT = ((14.1229, 52.8403), (24.1458, 50.8693), (22.8758, 49.0020),
                          (18.3000, 54.8358))

Bbox = tuple[float, float, float, float]


@dataclass(frozen=True)
class UnitSummary:
    teryt: str
    name: str
    level: str
    parcels: int
    buildings: int


@dataclass(frozen=True)
class UnitRoles:
    teryt: str
    name: str
    roles: tuple[str, ...]
    # A regional operator's role also reaches the units whose TERYT extends this one's.
    reaches_units_below: bool


def _current_count(model) -> Subquery:
    """Count of the unit's current (not retired) rows of `model`, as a correlated subquery.

    Two subqueries rather than two joined Counts: joining parcels and buildings at once
    would multiply the rows and need DISTINCT over millions of ids.
    """
    rows = (
        model.objects.filter(unit=OuterRef("pk"), retired_at__isnull=True)
        .order_by().values("unit").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def unit_summaries() -> list[UnitSummary]:
    """Every hosted unit with its number of current parcels and buildings, in one query."""
    units: QuerySet[AdministrativeUnit] = AdministrativeUnit.objects.annotate(
        parcel_count=_current_count(Parcel), building_count=_current_count(Building),
    ).order_by("teryt")
    return [
        UnitSummary(teryt=u.teryt, name=u.name, level=u.get_level_display(),
                    parcels=u.parcel_count, buildings=u.building_count)
        for u in units
    ]


def unit_roles_for(*, user) -> list[UnitRoles]:
    """The units where `user` holds staff roles, each with the names of those roles."""
    if not user or not user.is_authenticated:
        return []
    memberships = (
        Membership.objects.filter(user=user).select_related("unit").order_by("unit__teryt", "role")
    )
    by_unit: dict[AdministrativeUnit, list[Membership]] = {}
    for m in memberships:
        by_unit.setdefault(m.unit, []).append(m)
    return [
        UnitRoles(teryt=unit.teryt, name=unit.name,
                  roles=tuple(str(m.get_role_display()) for m in held),
                  reaches_units_below=any(m.role in CASCADING_ROLES for m in held))
        for unit, held in by_unit.items()
    ]


def poland_extent() -> Bbox:
    """Poland's bounding box in EPSG:2180."""
    points = MultiPoint([Point(*p) for p in POLAND_EXTREMES_LONLAT], srid=4326)
    points.transform(MAP_SRID)
    return points.extent


def hosted_extent() -> Bbox:
    """Bounding box of the hosted units' boundaries in EPSG:2180, or Poland's without any."""
    found = AdministrativeUnit.objects.filter(boundary__isnull=False).aggregate(
        extent=Extent(Transform("boundary", MAP_SRID))
    )["extent"]
    return tuple(found) if found else poland_extent()
