"""GML 3.2 surfaces to WKB, easting first, with the EPSG code of their srsName.

The EPSG URI and URN forms (`http://www.opengis.net/def/crs/EPSG/0/2178`,
`urn:ogc:def:crs:EPSG::2178`) mean EPSG axis order, which is northing first for
the Polish systems; the bare `EPSG:2178` form means easting first. The axis order
is asked of PROJ, never assumed per code.
"""
import re
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely import MultiPolygon, Polygon, to_wkb

GML = "http://www.opengis.net/gml/3.2"
_G = "{" + GML + "}"
_URI = re.compile(r"^(?:https?://www\.opengis\.net/def/crs/EPSG/[^/]+/|urn:ogc:def:crs:EPSG:[^:]*:)"
                  r"(\d+)$")
_PLAIN = re.compile(r"^EPSG:(\d+)$", re.IGNORECASE)


class GmlGeometryError(ValueError):
    """A geometry this reader cannot take; `code` is a problems.KINDS code."""

    def __init__(self, code: str, **detail) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Srs:
    epsg: int
    northing_first: bool


def srs_parse(name: str) -> Srs:
    if match := _URI.match(name.strip()):
        epsg = int(match.group(1))
        return Srs(epsg, _first_axis_is_north(epsg))
    if match := _PLAIN.match(name.strip()):
        return Srs(int(match.group(1)), False)
    raise GmlGeometryError("unsupported_srs", srs=name)


@lru_cache(maxsize=64)
def _first_axis_is_north(epsg: int) -> bool:
    try:
        crs = CRS.from_epsg(epsg)
    except CRSError as exc:
        raise GmlGeometryError("unsupported_srs", srs=f"EPSG:{epsg}") from exc
    return crs.axis_info[0].direction.lower() in {"north", "south"}


def surface_wkb(element: etree._Element) -> tuple[bytes, int]:
    """WKB (easting first) and EPSG code of the one GML surface geometry inside `element`."""
    geometry = next((child for child in element if isinstance(child.tag, str)), None)
    if geometry is None:
        raise GmlGeometryError("missing_geometry")
    srs_name = geometry.get("srsName")
    if not srs_name:
        raise GmlGeometryError("unsupported_srs", srs="(brak srsName)")
    srs = srs_parse(srs_name)
    polygons = [_polygon(p, srs) for p in _polygons(geometry)]
    shape = polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)
    return to_wkb(shape), srs.epsg


def _polygons(geometry: etree._Element) -> list[etree._Element]:
    local = etree.QName(geometry).localname
    if local in {"Polygon", "PolygonPatch"}:
        return [geometry]
    if local in {"MultiSurface", "MultiPolygon", "Surface", "CompositeSurface"}:
        found = [e for e in geometry.iter(_G + "Polygon", _G + "PolygonPatch")]
        if found:
            return found
    raise GmlGeometryError("unsupported_geometry", type=local)


def _polygon(element: etree._Element, srs: Srs) -> Polygon:
    shell = element.find(_G + "exterior")
    if shell is None:
        raise GmlGeometryError("unsupported_geometry", type="Polygon bez exterior")
    holes = [_ring(hole, srs) for hole in element.findall(_G + "interior")]
    try:
        return Polygon(_ring(shell, srs), holes)
    except ValueError as exc:  # fewer than four positions in a ring
        raise GmlGeometryError("invalid_geometry", reason=str(exc), at="–") from exc


def _ring(boundary: etree._Element, srs: Srs) -> list[tuple[float, float]]:
    ring = boundary.find(_G + "LinearRing")
    if ring is None:
        raise GmlGeometryError("unsupported_geometry", type="Ring")
    pos_list = ring.find(_G + "posList")
    if pos_list is not None:
        dim = int(pos_list.get("srsDimension") or _dimension(ring))
        values = [float(v) for v in (pos_list.text or "").split()]
    else:
        dim = 2
        values = [float(v) for pos in ring.findall(_G + "pos") for v in pos.text.split()[:2]]
    points = [tuple(values[i:i + 2]) for i in range(0, len(values) - dim + 1, dim)]
    if srs.northing_first:
        points = [(east, north) for north, east in points]
    return points


def _dimension(ring: etree._Element) -> int:
    for ancestor in ring.iterancestors():
        if ancestor.get("srsDimension"):
            return int(ancestor.get("srsDimension"))
    return 2
