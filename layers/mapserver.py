"""The MapServer side of publication: mapfile, config file, fontset and templates.

Everything is rendered from the layer registry into a directory per database
(`VAR_DIR/generated/<database name>/`), so the demo database and the test
database never share a mapfile. The PostGIS connection is read from Django's
connection when the files are written: MapServer then reads the very database
Django uses, through its own connection.
"""
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.utils import translation

from .raster_layers import RasterLayer, raster_layers
from .registry import FEATURE_LAYERS, LAYERS, PROFILE_LAYERS, Geometry, Label, PublishedLayer, Style

SRID = 2180
# Onshore Poland in EPSG:2180 with a margin; the extent layers claim without asking PostGIS.
EXTENT = (130_000, 120_000, 880_000, 790_000)
# MapServer counts scale at 72 dpi unless told; OGC (and MapProxy) use 0.28 mm pixels.
OGC_DPI = 25.4 / 0.28
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core
FONTS = {
    "sans": "DejaVuSans.ttf",
    "sans-bold": "DejaVuSans-Bold.ttf",
    "sans-italic": "DejaVuSans-Oblique.ttf",
}
MAPFILE_NAME = "geo_portal.map"
# Mapfiles holding only the layers one MapProxy source draws (see mapserver_write).
SOURCE_MAPFILE_DIR = "sources"
# The OGC API's HTML pages (Debian's mapserver-bin ships MapServer's plain templates).
OGCAPI_TEMPLATES = Path("/usr/share/mapserver/ogcapi/templates/html-plain")
OGCAPI_PLACEHOLDER = "http://geo-portal.invalid/ogcapi"
_GEOMETRY_TYPES = {Geometry.POLYGON: "POLYGON", Geometry.LINE: "LINE", Geometry.POINT: "POINT"}


@dataclass(frozen=True)
class MapServerFiles:
    directory: Path
    mapfile: Path
    config: Path
    fontset: Path

    def source_mapfile(self, name: str) -> Path:
        """The mapfile written for the layer set `name` (see mapserver_write)."""
        return self.directory / SOURCE_MAPFILE_DIR / f"{name}.map"


def database_name() -> str:
    return connection.settings_dict["NAME"]


def generated_dir() -> Path:
    return Path(settings.VAR_DIR) / "generated" / database_name()


def write_atomic(path: Path, text: str) -> bool:
    """Write `text` to `path` through a rename; leave an identical file untouched.

    Returns whether the file changed. Readers (mapserv, MapProxy) see either the
    old or the new file, never half of one; an unchanged file keeps its mtime.
    """
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        # Holds the database password when there is one: owner and group only.
        os.chmod(tmp, 0o640)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def mapserver_write(layer_sets: Mapping[str, Sequence[str]] | None = None) -> MapServerFiles:
    """(Re)generate the mapfile and everything it refers to for the current database.

    `layer_sets` names sets of MapServer layers drawn together (a MapProxy source's): each
    gets a mapfile of its own (files.source_mapfile(name)) with the same map settings and
    the same LAYER blocks, only those. mapserv reads the mapfile a request names on every
    request; a tile's metatile then costs the parsing of a few layers, not of all of them
    (about 3 ms of a warm mapserv's 7 for a metatile of parcels), for the same picture."""
    directory = generated_dir()
    files = MapServerFiles(
        directory=directory,
        mapfile=directory / MAPFILE_NAME,
        config=directory / "mapserver.conf",
        fontset=directory / "fontset.txt",
    )
    write_atomic(files.fontset, render_to_string("layers/fontset.txt", {"fonts": _fonts()}))
    write_atomic(files.config, render_to_string(
        "layers/mapserver.conf", {"map_pattern": quote(map_pattern(files.mapfile)),
                                  "mapfile": quote(files.mapfile)}))
    templates = _write_featureinfo_templates(directory / "featureinfo")
    with translation.override("pl"):
        context = _mapfile_context(files, templates)
        write_atomic(files.mapfile, render_to_string("layers/geo_portal.map", context))
        _source_mapfiles_write(files, context, layer_sets or {})
    return files


def whole_mapfile(mapfile: Path) -> Path:
    """The mapfile of every layer beside `mapfile` (itself, or a layer set's)."""
    directory = mapfile.parent
    if directory.name == SOURCE_MAPFILE_DIR:
        directory = directory.parent
    return directory / MAPFILE_NAME


def _source_mapfiles_write(files: MapServerFiles, context: dict,
                           layer_sets: Mapping[str, Sequence[str]]) -> None:
    wanted = set()
    for name, layer_names in layer_sets.items():
        if not re.fullmatch(SOURCE_NAME_PATTERN, name):
            raise ValueError(f"layer set name {name!r} is not {SOURCE_NAME_PATTERN}")
        quoted = {quote(layer_name) for layer_name in layer_names}
        subset = {**context,
                  "layers": [layer for layer in context["layers"] if layer["name"] in quoted],
                  "rasters": [raster for raster in context["rasters"]
                              if raster["name"] in quoted]}
        path = files.source_mapfile(name)
        wanted.add(path)
        write_atomic(path, render_to_string("layers/geo_portal.map", subset))
    # A set no longer published leaves no mapfile behind.
    for path in (files.directory / SOURCE_MAPFILE_DIR).glob("*.map"):
        if path not in wanted:
            path.unlink(missing_ok=True)


def _write_featureinfo_templates(directory: Path) -> dict[str, Path]:
    paths = {"header": directory / "header.html", "footer": directory / "footer.html"}
    write_atomic(paths["header"], render_to_string("layers/featureinfo_header.html"))
    write_atomic(paths["footer"], render_to_string("layers/featureinfo_footer.html"))
    for layer in mapfile_layers():
        if layer.is_queryable:
            paths[layer.name] = directory / f"{layer.name}.html"
            write_atomic(paths[layer.name],
                         render_to_string("layers/featureinfo_layer.html", {"layer": layer}))
    return paths


def mapfile_layers() -> list[PublishedLayer]:
    """The registry's layers, then the query-only layers answering feature info in the
    KIEG profile's fields (built now: their SQL names dictionary entries in Polish)."""
    infos = [layer.info_layer() for layer in PROFILE_LAYERS]
    return [*LAYERS, *(info for info in infos if info is not None)]


# Layer set names (registry names and their sources): safe in a path and a pattern.
SOURCE_NAME_PATTERN = r"[a-z0-9_-]+"


def map_pattern(mapfile: Path) -> str:
    """A POSIX regular expression matching exactly our mapfile and the layer sets' mapfiles
    beside it (MS_MAP_PATTERN)."""
    directory = _pattern_literal(str(mapfile.parent))
    return (f"^{directory}/({_pattern_literal(mapfile.name)}|{SOURCE_MAPFILE_DIR}/"
            f"{SOURCE_NAME_PATTERN}\\.map)$")


def _pattern_literal(text: str) -> str:
    return re.sub(r"([.^$*+?()\[\]{}|\\])", r"\\\1", text)


def quote(value: object) -> str:
    """A mapfile string literal."""
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def postgis_connection(settings_dict: dict) -> str:
    """libpq keyword/value connection string for a Django DATABASES entry."""
    keys = {"host": "HOST", "port": "PORT", "dbname": "NAME", "user": "USER",
            "password": "PASSWORD"}
    parts = [f"{key}={_libpq_value(settings_dict[name])}"
             for key, name in keys.items() if settings_dict.get(name)]
    sslmode = settings_dict.get("OPTIONS", {}).get("sslmode")
    if sslmode:
        parts.append(f"sslmode={_libpq_value(sslmode)}")
    return " ".join(parts)


def _libpq_value(value: object) -> str:
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fonts() -> list[tuple[str, Path]]:
    return [(alias, FONT_DIR / filename) for alias, filename in FONTS.items()]


def _mapfile_context(files: MapServerFiles, templates: dict[str, Path]) -> dict:
    connection_string = quote(postgis_connection(connection.settings_dict))
    ms_layers = []
    for layer in mapfile_layers():
        ms_layers.extend(_ms_layers(layer, connection_string, templates.get(layer.name)))
    return {
        "extent": " ".join(str(v) for v in EXTENT),
        "dpi": f"{OGC_DPI:.4f}",
        "fontset": quote(files.fontset),
        "header": quote(templates["header"]),
        "footer": quote(templates["footer"]),
        "srid": SRID,
        "ogcapi_templates": quote(f"{OGCAPI_TEMPLATES}/"),
        "ogcapi_placeholder": quote(OGCAPI_PLACEHOLDER),
        "layers": ms_layers,
        "rasters": [_raster_layer(raster) for raster in raster_layers()],
    }


def _raster_layer(raster: RasterLayer) -> dict:
    return {
        "name": quote(raster.name),
        "data": quote(raster.path),
        "extent": " ".join(f"{v:.2f}" for v in raster.extent),
        "title": quote(raster.title_pl),
        "abstract": quote(raster.abstract_pl),
        # The file is RGBA (add_raster writes it so): band 4 is the mask of where the
        # photograph has data. Bilinear between pixels when zoomed in; zoomed out, the
        # GeoTIFF's own overviews (averaged when written) are read, never the full image.
        "processing": ["RESAMPLE=BILINEAR", "BANDS=1,2,3,4"],
    }


def mapserver_layer_names(layer: PublishedLayer) -> list[str]:
    """The MapServer layers drawing `layer`: its shapes, then its labels, in that order."""
    shapes, labels = mapserver_shape_and_label_names(layer)
    return [name for name in (shapes, labels) if name]


def mapserver_shape_and_label_names(layer: PublishedLayer) -> tuple[str | None, str | None]:
    """The MapServer layer drawing `layer`'s shapes and the one drawing its labels, or None."""
    shapes = layer.name if layer.style is not None else None
    if layer.label is None:
        return shapes, None
    return shapes, (f"{layer.name}_labels" if shapes else layer.name)


def _ms_layers(layer: PublishedLayer, connection_string: str, template: Path | None) -> list:
    names = iter(mapserver_layer_names(layer))
    out = []
    if layer.style is not None:
        out.append(_shape_layer(layer, connection_string, template, name=next(names)))
    if layer.label is not None:
        out.append(_label_layer(layer, connection_string, name=next(names)))
    return out


def _common(layer: PublishedLayer, connection_string: str, name: str) -> dict:
    return {
        "name": quote(name),
        "connection": connection_string,
        "max_scale": layer.max_scale,
        "min_scale": layer.min_scale,
        "title": quote(layer.title_pl),
        "abstract": quote(layer.abstract_pl),
    }


def _shape_layer(layer: PublishedLayer, connection_string: str, template: Path | None,
                 name: str) -> dict:
    items = ",".join(field.name for field in layer.queryable)
    classes = [{"name": quote(f"{c.value} – {c.title}"), "expression": quote(c.value),
                "styles": _styles(c.style)} for c in layer.classes]
    # Features no class takes: for classified layers, symbols outside the list.
    other = "inne oznaczenia" if layer.classes else layer.title_pl
    classes.append({"name": quote(other), "expression": None, "styles": _styles(layer.style)})
    features = layer.name in FEATURE_LAYERS
    return {
        **_common(layer, connection_string, name),
        "type": _GEOMETRY_TYPES[layer.geometry],
        "data": quote(_data(_units_limited(layer.sql) if features else layer.sql)),
        "features": features,
        "units_pattern": quote(UNITS_PATTERN),
        "all_units": quote(ALL_UNITS),
        "template": quote(template) if template else None,
        "include_items": quote(items) if items else None,
        "class_item": quote(layer.class_item) if layer.class_item else None,
        "classes": classes,
        "label": None,
    }


def _label_layer(layer: PublishedLayer, connection_string: str, name: str) -> dict:
    label: Label = layer.label
    # A point fixed in the data, not one MapServer derives from the polygon clipped to
    # each request: a label then sits at the same place in every tile and metatile.
    # Built from the registry's own constants only, never from a request.
    columns = ", ".join(c for c in (label.item, label.angle) if c)
    point = f"COALESCE({label.anchor}, ST_PointOnSurface(geom))" if label.anchor else (
        "ST_PointOnSurface(geom)")
    sql = (f"SELECT id, {columns}, {point} AS geom "  # noqa: S608
           f"FROM ({_one_line(layer.sql)}) AS s")
    return {
        **_common(layer, connection_string, name),
        "type": "POINT",
        "data": quote(_data(sql)),
        "template": None,
        "include_items": None,
        "class_item": None,
        # The legend shows a sample of the text with what it names.
        "classes": [{"name": quote(_label_title(layer)), "expression": None, "styles": []}],
        "label": {
            "item": quote(label.item), "font": quote(label.font), "size": label.size,
            "colour": quote(label.colour), "halo": quote(label.halo),
            "priority": label.priority, "max_scale": label.max_scale,
            "angle": label.angle,
        },
    }


# The feature services (layers/features.py) name the units a restricted layer's features
# may come from in the runtime substitution `units`, checked against this pattern; every
# other request (MapProxy's) gets the default, all units.
UNITS_PATTERN = r"^(all|[0-9]+(,[0-9]+)*)$"
ALL_UNITS = "all"


# MapServer 8.0 writes a broken WHERE for WFS and OGC API when DATA holds !BOX!; the feature
# layers leave the box to MapServer's own clause on the subquery, which PostgreSQL pushes
# down to the indexed geometry all the same.
_NO_BOX = "ST_MakeEnvelope(-1e9, -1e9, 1e9, 1e9, 2180)"


def _units_limited(sql: str) -> str:
    inner = _one_line(sql).replace("!BOX!", _NO_BOX)
    return (f"SELECT * FROM ({inner}) AS f WHERE '%units%' = '{ALL_UNITS}' "  # noqa: S608
            "OR f.unit_id::text = ANY(string_to_array('%units%', ','))")


def _label_title(layer: PublishedLayer) -> str:
    return layer.title_pl if layer.style is None else layer.label.title_pl


def _styles(style: Style) -> list[dict]:
    styles = []
    if style.fill:
        styles.append({"color": quote(style.fill), "opacity": style.opacity})
    if style.outline:
        styles.append({"outlinecolor": quote(style.outline), "width": style.width,
                       "pattern": " ".join(str(d) for d in style.dash)})
    return styles


def _data(sql: str) -> str:
    return f"geom from ({_one_line(sql)}) as t using unique id using srid={SRID}"


def _one_line(sql: str) -> str:
    return " ".join(sql.split())
