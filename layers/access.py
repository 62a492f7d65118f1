"""Who may see a published layer, and which units' features: the one policy.

Pages, the API, the OGC services (WMS, WMTS, XYZ through MapProxy) and the vector
tiles all ask `layer_scope`; nothing else decides access to map data. The rules come
from the layer registry (`Access`, `requires`) and core.roles.ROLE_RIGHTS:

- PUBLIC layers: everyone, every feature;
- STAFF layers: a user with any role in a unit, for that unit's features;
- ROLE layers: a user whose role in a unit grants "view" on the layer's `requires`
  label, for that unit's features. Superusers see everything.

A restricted layer's features are scoped to the user's units in two ways, both from
data the user cannot choose: vector tiles filter on the feature's `unit_id` in SQL;
MapProxy (maps, tiles, feature info) is limited to the union of those units'
boundaries (`units_boundary`). MapProxy's cache then stays one shared cache per
layer, rendered once for every unit, and each answer is clipped to the asking
user's units: a cached tile is never handed out whole to a user of another unit.
"""
from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext_lazy as _

from core.access import units_allowing, units_for
from core.errors import Forbidden, GeoPortalError, NotAuthenticated

from .registry import Access, CompositeLayer, PublishedLayer, published_named

Published = PublishedLayer | CompositeLayer


@dataclass(frozen=True)
class LayerScope:
    """The answer for one user and one layer: allowed or not, and for which units.

    `unit_ids` is None when every feature may be seen (public layer, superuser);
    otherwise the ids of the units whose features may be seen (never empty when allowed).
    `authenticated` is None for a public layer: the session is then not even read, so a
    public tile's answer does not vary by cookie and shared caches may keep it.
    """

    layer: Published
    allowed: bool
    authenticated: bool | None
    unit_ids: frozenset[int] | None = None

    @property
    def restricted(self) -> bool:
        return self.layer.access != Access.PUBLIC

    def refusal(self) -> GeoPortalError | None:
        """The product's 401 (not logged in) or 403 (no right); None when allowed."""
        if self.allowed:
            return None
        if not self.authenticated:
            return NotAuthenticated()
        return Forbidden(_("You do not have access to this layer."),
                         detail={"layer": self.layer.name})

    def ensure(self) -> "LayerScope":
        """Raise `refusal()` unless allowed."""
        error = self.refusal()
        if error is not None:
            raise error
        return self


def layer_scope(user, layer: Published) -> LayerScope:
    """May `user` see `layer`, and the features of which units?"""
    if layer.access == Access.PUBLIC:
        return LayerScope(layer, allowed=True, authenticated=None)
    authenticated = bool(user and user.is_authenticated and user.is_active)
    if not authenticated:
        return LayerScope(layer, allowed=False, authenticated=False)
    if user.is_superuser:
        return LayerScope(layer, allowed=True, authenticated=True)
    units = (units_allowing(user, layer.requires, "view") if layer.access == Access.ROLE
             else units_for(user))
    unit_ids = frozenset(units.values_list("pk", flat=True))
    return LayerScope(layer, allowed=bool(unit_ids), authenticated=True, unit_ids=unit_ids)


def layer_scope_named(user, name: str) -> LayerScope | None:
    """`layer_scope` for a published name; None for a name not in the registry."""
    layer = published_named(name)
    return None if layer is None else layer_scope(user, layer)


def layer_allowed(user, name: str) -> bool:
    """May `user` see the published layer `name` at all? Unknown names may not."""
    scope = layer_scope_named(user, name)
    return scope is not None and scope.allowed


def units_boundary(unit_ids: frozenset[int]) -> str | None:
    """The union of the units' boundaries as WKT in EPSG:2180; None when none has one.

    A unit without a recorded boundary adds nothing: its staff then see no feature of a
    restricted layer through the OGC services (closed, never open, by default).
    """
    if not unit_ids:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_AsText(ST_Union(boundary)) FROM core_administrativeunit "
            "WHERE id = ANY(%s) AND boundary IS NOT NULL",
            [sorted(unit_ids)],
        )
        (wkt,) = cursor.fetchone()
    return wkt


# MapProxy names web mercator by its old code; WMS 1.3.0 names lon/lat CRS:84.
_SRID_ALIASES = {"900913": 3857, "84": 4326}


def units_reach(unit_ids: frozenset[int], bbox: tuple[float, float, float, float],
                srs: str | int) -> bool:
    """Does the box (in `srs`: an SRID or a code such as "EPSG:3857") touch the area of
    one of the units? A request that lies wholly in other units' land is refused (403)
    rather than answered with an empty map. A unit without a recorded boundary reaches
    everywhere: its vector tiles are filtered by unit in SQL, its OGC maps are closed.

    The boundaries are brought to the box's system, not the box to EPSG:2180: a world-wide
    box in lon/lat has no place in PL-1992.
    """
    code = str(srs).rpartition(":")[2]
    srid = _SRID_ALIASES.get(code) or int(code)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(bool_or(boundary IS NULL OR ST_Intersects("
            "  CASE WHEN %(srid)s = ST_SRID(boundary) THEN boundary"
            "       ELSE ST_Transform(boundary, %(srid)s) END,"
            "  ST_MakeEnvelope(%(x0)s, %(y0)s, %(x1)s, %(y1)s, %(srid)s))), false) "
            "FROM core_administrativeunit WHERE id = ANY(%(units)s)",
            {"srid": srid, "x0": bbox[0], "y0": bbox[1], "x1": bbox[2], "y1": bbox[3],
             "units": sorted(unit_ids)},
        )
        (reached,) = cursor.fetchone()
    return reached
