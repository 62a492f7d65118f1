"""A unit's boundary read from a file: a PRG shapefile or GML, or any source OGR opens.

The state register of boundaries (PRG) publishes one layer per level, each feature
carrying the unit's code in `JPT_KOD_JE` (`0261011` for gmina 026101_1, no
underscore). A file may also hold the one unit alone. The feature is chosen by its
code in any text field, or taken as it is when the file holds one feature.
"""
from pathlib import Path

from django.contrib.gis.gdal import DataSource, GDALException
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.utils.translation import gettext as _

from .errors import InvalidInput

SRID = 2180


class BoundaryFileInvalid(InvalidInput):
    code = "boundary_file_invalid"


def _gdal_name(path: str | Path) -> str:
    """A zipped shapefile (as PRG is published) is read inside its zip; a name GDAL
    already reads through a virtual file system (/vsizip/…) is kept as given."""
    name = str(path)
    if name.startswith("/vsi") or not name.lower().endswith(".zip"):
        return name
    return f"/vsizip/{name}"


def _codes(teryt: str) -> set[str]:
    """How a unit's code is written in boundary files: WWPPGG_R, WWPPGGR."""
    return {teryt, teryt.replace("_", "")}


def _names_unit(feature, codes: set[str]) -> bool:
    for name in feature.fields:
        value = feature.get(name)
        if isinstance(value, str) and value.strip() in codes:
            return True
    return False


def _in_2180(feature, path: Path) -> GEOSGeometry:
    geom = feature.geom
    if geom.srs is None:
        raise BoundaryFileInvalid(_("%(file)s: the file does not say its coordinate system.")
                                  % {"file": path.name})
    geom.transform(SRID)
    return geom.geos


def _as_multipolygon(geom: GEOSGeometry, path: Path) -> MultiPolygon:
    if not geom.valid:
        geom = geom.make_valid()
    polygons = [g for g in (geom if geom.geom_type.startswith(("Multi", "Geometry")) else [geom])
                if isinstance(g, Polygon | MultiPolygon)]
    parts = [p for g in polygons for p in (g if isinstance(g, MultiPolygon) else [g])]
    if not parts:
        raise BoundaryFileInvalid(_("%(file)s: the unit's feature is not a polygon.")
                                  % {"file": path.name})
    return MultiPolygon(*parts, srid=SRID)


def boundary_from_file(path: str | Path, *, teryt: str) -> MultiPolygon:
    """The boundary of unit `teryt` in `path`, in EPSG:2180; BoundaryFileInvalid says why not."""
    name, path = _gdal_name(path), Path(path)
    try:
        source = DataSource(name)
    except GDALException as exc:
        raise BoundaryFileInvalid(_("%(file)s: not a file OGR can open (%(error)s).")
                                  % {"file": path.name, "error": exc}) from exc
    codes, features, matching = _codes(teryt), [], []
    for layer in source:
        for feature in layer:
            if feature.geom is None:
                continue
            features.append(feature)
            if _names_unit(feature, codes):
                matching.append(feature)
    chosen = matching or (features if len(features) == 1 else [])
    if not chosen:
        raise BoundaryFileInvalid(
            _("%(file)s holds %(count)d features and none names unit %(teryt)s in its "
              "attributes (PRG writes it in JPT_KOD_JE as %(prg)s).")
            % {"file": path.name, "count": len(features), "teryt": teryt,
               "prg": teryt.replace("_", "")})
    geom = _in_2180(chosen[0], path)
    for feature in chosen[1:]:
        geom = geom.union(_in_2180(feature, path))
    return _as_multipolygon(geom, path)


# The code field of PRG's layers (jednostki administracyjne): gmina WWPPGGR, powiat WWPP, WW.
PRG_CODE_FIELD = "JPT_KOD_JE"


def boundaries_from_file(path: str | Path, *, teryts: set[str]) -> dict[str, MultiPolygon]:
    """The boundaries of the units `teryts` a PRG file holds, read in one pass, by TERYT.

    Features are matched on PRG's JPT_KOD_JE (written without the underscore); units the
    file does not hold are absent from the answer."""
    name, path = _gdal_name(path), Path(path)
    try:
        source = DataSource(name)
    except GDALException as exc:
        raise BoundaryFileInvalid(_("%(file)s: not a file OGR can open (%(error)s).")
                                  % {"file": path.name, "error": exc}) from exc
    wanted = {code.replace("_", ""): code for code in teryts}
    found: dict[str, GEOSGeometry] = {}
    for layer in source:
        if PRG_CODE_FIELD not in layer.fields:
            continue
        for feature in layer:
            teryt = wanted.get(str(feature.get(PRG_CODE_FIELD) or "").strip())
            if teryt is None or feature.geom is None:
                continue
            geom = _in_2180(feature, path)
            found[teryt] = found[teryt].union(geom) if teryt in found else geom
    return {teryt: _as_multipolygon(geom, path) for teryt, geom in found.items()}
