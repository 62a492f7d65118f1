"""What the portal's own pages read: hosted units with their counts, a staff member's roles,
the map extent and the layers of the resident's map. Web pages only; domain apps never
import this module."""
from dataclasses import dataclass

from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import Transform
from django.contrib.gis.geos import MultiPoint, Point
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cadastre_sync.models import Building, Parcel
from core.access import units_allowing
from core.models import AdministrativeUnit, Membership, StaffInvitation
from core.roles import CASCADING_ROLES
from layers.access import layer_allowed
from layers.registry import BASE_MAP, published_named, published_names
from layers.selectors import base_layer_names

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


def memberships_of(*, user) -> list[Membership]:
    """`user`'s staff roles with their units, read once per request (the menu and the
    pages ask for them on the same request; the user object lives for one request)."""
    if not user or not user.is_authenticated:
        return []
    if not hasattr(user, "_memberships_cache"):
        user._memberships_cache = list(
            Membership.objects.filter(user=user).select_related("unit")
            .order_by("unit__teryt", "role"))
    return user._memberships_cache


def unit_roles_for(*, user) -> list[UnitRoles]:
    """The units where `user` holds staff roles, each with the names of those roles."""
    by_unit: dict[AdministrativeUnit, list[Membership]] = {}
    for m in memberships_of(user=user):
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


# --- The resident's map: which layers a user gets, as base maps and as a layer tree -----

# The registry's layers in the tree, by group, in this order; a published layer not named
# here (a new one, or one only some staff may see) lands in OTHER_GROUP. Shown at start: the
# cadastral map. Base maps: the orthophotos, the cartographic base map and a plain background.
LAYER_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("cadastre", ("parcels", "parcel_numbers", "buildings", "house_numbers", "street_names",
                  "land_use", "precincts", "units")),
    ("planning", ("general_zones", "local_zones", "general_plans", "local_plans",
                  "general_plan_map", "local_plan_map")),
)
OTHER_GROUP = "other"
# Drawn as a base map only (layers.selectors.base_layer_names), not in the layer tree.
BASE_ONLY = frozenset({BASE_MAP, "land_cover"})
SHOWN_AT_START = frozenset({"parcels", "parcel_numbers", "buildings", "precincts", "units"})


@dataclass(frozen=True)
class MapLayer:
    name: str
    title: str
    abstract: str
    group: str
    visible: bool
    max_scale: int | None  # OGC scale denominators; None: no limit
    min_scale: int | None
    legend: bool


def _titled(layer, language: str) -> tuple[str, str]:
    if language == "en":
        return layer.title_en, layer.abstract_en
    return layer.title_pl, layer.abstract_pl


def map_overlays(*, user, language: str) -> list[MapLayer]:
    """The registry's layers `user` may see, grouped for the layer tree."""
    grouped = {name: group for group, names in LAYER_GROUPS for name in names}
    order = [name for _, names in LAYER_GROUPS for name in names]
    names = sorted(published_names(), key=lambda n: (order.index(n) if n in order else 99, n))
    overlays = []
    for name in names:
        if name in BASE_ONLY or not layer_allowed(user, name):
            continue
        layer = published_named(name)
        title, abstract = _titled(layer, language)
        overlays.append(MapLayer(name, title, abstract, grouped.get(name, OTHER_GROUP),
                                 name in SHOWN_AT_START, layer.max_scale, layer.min_scale,
                                 legend=True))
    return overlays


def map_base_layers(*, user, language: str) -> list[MapLayer]:
    """The base maps `user` may lay under the overlays (layers.selectors.base_layer_names):
    the published orthophotos and the cartographic base map; the first one is shown at
    start."""
    bases = []
    for index, name in enumerate(base_layer_names(user=user)):
        layer = published_named(name)
        title, abstract = _titled(layer, language)
        bases.append(MapLayer(name, title, abstract, "base", index == 0, layer.max_scale,
                              layer.min_scale, legend=False))
    return bases


def units_set_up_by(*, user) -> QuerySet[AdministrativeUnit]:
    """Units whose staff `user` manages (unit administrators, operators below their unit)."""
    return units_allowing(user, "core.membership", "change").order_by("teryt")


def unit_staff(*, unit: AdministrativeUnit) -> list[Membership]:
    return list(Membership.objects.filter(unit=unit).select_related("user")
                .order_by("user__last_name", "user__first_name", "user__username", "role"))


def unit_open_invitations(*, unit: AdministrativeUnit) -> list[StaffInvitation]:
    return [i for i in StaffInvitation.objects.filter(
        unit=unit, accepted_at__isnull=True, revoked_at__isnull=True) if i.is_open]


# The unit's settings kept in the administration, in the order a new unit sets them up.
SETUP_MODELS = (
    ("permits.kindsetting", _("Application kinds offered and office details")),
    ("permits.feerate", _("Fee rates")),
    ("permits.deadlinerule", _("Deadline rules")),
    ("cadastre_sync.taxrate", _("Council tax rates")),
    ("cadastre_sync.taxsettings", _("Tax office settings")),
    ("layers.zoningplan", _("Zoning plans")),
    ("layers.raster", _("Orthophotos and other rasters")),
    ("core.membership", _("Staff roles")),
)


def unit_setup_links(*, user) -> list[tuple[str, str]]:
    """(title, admin address) of the settings `user` may see, for the unit setup page."""
    links = []
    for label, title in SETUP_MODELS:
        app_label, model = label.split(".")
        if user.is_superuser or units_allowing(user, label, "view").exists():
            links.append((str(title), reverse(f"admin:{app_label}_{model}_changelist")))
    return links
