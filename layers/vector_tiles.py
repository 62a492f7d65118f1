"""Mapbox vector tiles (MVT) from PostGIS, on web mercator and on the PL-1992 grid.

MapProxy cannot carry vector tiles, so they are made here, one SQL statement per tile:
the tile's envelope is transformed to EPSG:2180 (never every geometry to the tile's
system) so the GiST index picks the features; only those are transformed, clipped and
simplified to the tile by ST_AsMVTGeom and encoded by ST_AsMVT. What a layer shows
(retired parcels left out, plans in force only) is the registry's own query; this
module only says which columns go into the tile and from which zoom a layer is served,
so that a small-scale tile over a million parcels is never built.
"""
import hashlib
from dataclasses import dataclass
from functools import cache

from django.contrib.gis.geos import Polygon
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.db import fetch_one_checked
from core.errors import NotFound

from .mapserver import EXTENT, SRID
from .registry import Access, PublishedLayer, layer_named

EXTENT_PX = 4096  # MVT coordinate space of one tile
BUFFER_PX = 64  # geometry kept beyond the tile edge, so lines join across tiles
TILE_PX = 256


@dataclass(frozen=True)
class TileGrid:
    """A square tile matrix set: level z has 2^z x 2^z tiles, rows from the top."""

    name: str
    srid: int
    bounds: tuple[float, float, float, float]
    max_zoom: int
    # A level on this grid shows about what web-mercator level (level + offset) shows.
    zoom_offset: int
    url_prefix: str

    @property
    def size(self) -> float:
        return self.bounds[2] - self.bounds[0]

    def resolution(self, z: int) -> float:
        return self.size / TILE_PX / 2**z

    def tile_bounds(self, z: int, x: int, y: int) -> tuple[float, float, float, float]:
        width = self.size / 2**z
        left, top = self.bounds[0] + x * width, self.bounds[3] - y * width
        return left, top - width, left + width, top

    def zoom_for(self, mercator_zoom: int) -> int:
        return min(self.max_zoom, max(0, mercator_zoom - self.zoom_offset))


MERCATOR_HALF = 20037508.342789244
GRIDS: dict[str, TileGrid] = {
    "webmercator": TileGrid("GLOBAL_WEBMERCATOR", 3857,
                            (-MERCATOR_HALF, -MERCATOR_HALF, MERCATOR_HALF, MERCATOR_HALF),
                            max_zoom=22, zoom_offset=0, url_prefix=""),
    # mapproxy/base.yaml's pl1992: 800 km square from (100 000, 100 000), 3125 m/px at
    # level 0, 17 levels. In Poland (latitude ~52) its level L is about mercator L + 5.
    "pl1992": TileGrid("pl1992", SRID, (100_000.0, 100_000.0, 900_000.0, 900_000.0),
                       max_zoom=16, zoom_offset=5, url_prefix="pl1992/"),
}


@dataclass(frozen=True)
class VectorField:
    name: str  # attribute name in the tile
    column: str  # column of the registry layer's query
    description: str


@dataclass(frozen=True)
class VectorLayer:
    """A registry layer served as vector tiles, from `minzoom` (web mercator) on."""

    name: str
    fields: tuple[VectorField, ...]
    minzoom: int
    maxzoom: int = 20  # data do not get finer; clients overzoom

    @property
    def layer(self) -> str:
        return self.name

    @property
    def published(self) -> PublishedLayer:
        return layer_named(self.name)


_ID = VectorField("id", "id", _("record number (also the feature id)"))
_PARCEL = (_ID, VectorField("number", "number", _("parcel number")),
           VectorField("idDzialki", "parcel_id", _("parcel identifier (TERYT.precinct.number)")))
_ZONE = (_ID, VectorField("label", "label", _("zone label on the plan")),
         VectorField("symbol", "symbol", _("zone symbol")),
         VectorField("designation", "designation", _("designation")),
         VectorField("plan", "plan_name", _("plan name")))

# z14 is ~6 m per pixel in Poland: a tile of about 1.5 km, a few thousand parcels at most.
VECTOR_LAYERS: tuple[VectorLayer, ...] = (
    VectorLayer("parcels", _PARCEL, minzoom=14),
    VectorLayer("buildings", (
        _ID, VectorField("idBudynku", "building_id", _("building identifier")),
        VectorField("kst", "kst_class", _("KST class")),
        VectorField("storeys", "storeys_above", _("storeys above ground"))), minzoom=14),
    VectorLayer("general_zones", _ZONE, minzoom=10),
    VectorLayer("local_zones", _ZONE, minzoom=12),
    VectorLayer("parcel_owners", (
        *_PARCEL, VectorField("register_unit", "register_unit", _("register unit")),
        VectorField("owners", "owners", _("owners and their shares"))), minzoom=15),
)
_BY_NAME = {layer.name: layer for layer in VECTOR_LAYERS}


def vector_layer_named(name: str) -> VectorLayer | None:
    return _BY_NAME.get(name)


@dataclass(frozen=True)
class VectorTile:
    data: bytes  # empty when no feature touches the tile

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.data).hexdigest()[:40] + '"'


def vector_tile_render(layer: VectorLayer, grid: TileGrid, z: int, x: int, y: int,
                       unit_ids: frozenset[int] | None = None) -> VectorTile:
    """The tile z/x/y of `layer` on `grid`; only `unit_ids`' features when given."""
    vector_tile_check(layer, grid, z, x, y)
    width = grid.size / 2**z
    params = {"z": z, "x": x, "y": y, "margin": width * BUFFER_PX / EXTENT_PX,
              "segment": width / 8, "name": layer.name,
              "units": sorted(unit_ids) if unit_ids is not None else None}
    return VectorTile(_fetch(tile_sql(layer, grid, scoped=unit_ids is not None), params))


def _fetch(sql: str, params: dict) -> bytes:
    row = fetch_one_checked(sql, params)
    return bytes(row[0]) if row and row[0] else b""


def vector_tile_check(layer: VectorLayer, grid: TileGrid, z: int, x: int, y: int) -> None:
    low, high = grid.zoom_for(layer.minzoom), grid.zoom_for(layer.maxzoom)
    if not low <= z <= high:
        raise NotFound(_("This layer is served as vector tiles from zoom %(low)d to %(high)d.")
                       % {"low": low, "high": high},
                       detail={"layer": layer.name, "z": z, "minzoom": low, "maxzoom": high})
    if not (0 <= x < 2**z and 0 <= y < 2**z):
        raise NotFound(detail={"layer": layer.name, "tile": f"{z}/{x}/{y}"})


@cache
def tile_sql(layer: VectorLayer, grid: TileGrid, scoped: bool) -> str:
    """One statement per tile. The envelope in EPSG:2180 (`filter`) feeds the registry
    query's `!BOX!`, so its `geom && !BOX!` is answered by the GiST index."""
    b0, b1, b2, b3 = grid.bounds
    envelope = f"ST_TileEnvelope(%(z)s, %(x)s, %(y)s, ST_MakeEnvelope({b0}, {b1}, {b2}, {b3}, " \
               f"{grid.srid}))"
    if grid.srid == SRID:
        tile_filter, geom = "ST_Expand(env, %(margin)s)", "t.geom"
    else:
        # Edges densified before the transform, so the curved edges stay inside the box.
        tile_filter = (f"ST_Transform(ST_Segmentize(ST_Expand(env, %(margin)s), %(segment)s),"
                       f" {SRID})")
        geom = f"ST_Transform(t.geom, {grid.srid})"
    # The registry's query and field names are constants of this code, never input.
    source = " ".join(layer.published.sql.replace("%", "%%").split()).replace(
        "!BOX!", "(SELECT filter FROM tile)")
    columns = ", ".join(f't."{f.column}" AS "{f.name}"' for f in layer.fields)
    where = "WHERE t.unit_id = ANY(%(units)s)" if scoped else ""
    return (
        f"WITH tile AS (SELECT env, {tile_filter} AS filter "  # noqa: S608
        f"FROM (SELECT {envelope} AS env) AS e) "
        f"SELECT ST_AsMVT(mvt.*, %(name)s, {EXTENT_PX}, 'geom', 'fid') FROM ("
        f"SELECT ST_AsMVTGeom({geom}, tile.env, {EXTENT_PX}, {BUFFER_PX}, true) AS geom, "
        f"t.id AS fid, {columns} FROM ({source}) AS t CROSS JOIN tile {where}"
        f") AS mvt WHERE mvt.geom IS NOT NULL"
    )


def tilejson(layer: VectorLayer, grid: TileGrid, root_url: str) -> dict:
    """TileJSON 3.0.0 for `layer` on `grid`; the PL-1992 grid is described for clients."""
    published = layer.published
    english = translation.get_language() == "en"
    low, high = grid.zoom_for(layer.minzoom), grid.zoom_for(layer.maxzoom)
    bounds = lonlat_bounds()
    document = {
        "tilejson": "3.0.0",
        "name": published.title_en if english else published.title_pl,
        "description": published.abstract_en if english else published.abstract_pl,
        "version": "1.0.0",
        "attribution": str(_("Land and building register (EGiB) and plans of the hosted "
                             "units")),
        "scheme": "xyz",
        "tiles": [f"{root_url}tiles/{grid.url_prefix}{layer.name}/{{z}}/{{x}}/{{y}}.mvt"],
        "minzoom": low,
        "maxzoom": high,
        "bounds": list(bounds),
        "center": [round((bounds[0] + bounds[2]) / 2, 4), round((bounds[1] + bounds[3]) / 2, 4),
                   low],
        "vector_layers": [{
            "id": layer.name,
            "description": published.title_en if english else published.title_pl,
            "minzoom": low,
            "maxzoom": high,
            "fields": {f.name: str(f.description) for f in layer.fields},
        }],
        "access": "public" if published.access == Access.PUBLIC else "restricted",
    }
    if grid.srid != 3857:
        document["crs"] = f"EPSG:{grid.srid}"
        document["tile_grid"] = {
            "name": grid.name,
            "extent": list(grid.bounds),
            "origin": [grid.bounds[0], grid.bounds[3]],
            "resolutions": [grid.resolution(z) for z in range(grid.max_zoom + 1)],
            "tile_size": [TILE_PX, TILE_PX],
        }
    return document


@cache
def lonlat_bounds() -> tuple[float, float, float, float]:
    """The published extent (EPSG:2180) in longitude/latitude, edges densified."""
    x0, y0, x1, y1 = EXTENT
    steps = [i / 16 for i in range(17)]
    ring = ([(x0 + (x1 - x0) * s, y0) for s in steps] + [(x1, y0 + (y1 - y0) * s) for s in steps]
            + [(x1 - (x1 - x0) * s, y1) for s in steps] + [(x0, y1 - (y1 - y0) * s) for s in steps])
    polygon = Polygon(ring + [ring[0]], srid=SRID).transform(4326, clone=True)
    return tuple(round(v, 4) for v in polygon.extent)
