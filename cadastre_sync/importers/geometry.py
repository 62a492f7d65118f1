"""GML geometry to EWKT for staging, with the axes in PostGIS order.

EGiB GML writes coordinates in EPSG axis order, northing first
(`5724155.71 8430735.81` in EPSG:2179), in every spelling of srsName. PostGIS
keeps easting first, so the pairs are swapped here, once, while the text is
joined anyway. Transformation to EPSG:2180, validity and repair happen in SQL.
"""
import re

from lxml import etree

GML = "http://www.opengis.net/gml/3.2"
_POLYGON_TAGS = (f"{{{GML}}}Polygon", f"{{{GML}}}PolygonPatch")
_EXTERIOR = f"{{{GML}}}exterior"
_INTERIOR = f"{{{GML}}}interior"
_RING = f"{{{GML}}}LinearRing"
_POSLIST = f"{{{GML}}}posList"
_POS = f"{{{GML}}}pos"

# The CRSs of the Polish cadastre (domain.md): PL-2000 zones 5-8 and PL-1992.
CADASTRE_SRIDS = frozenset({2176, 2177, 2178, 2179, 2180})

# Spellings of an EPSG code in srsName: urn:ogc:def:crs:EPSG::2179,
# urn:ogc:def:crs:EPSG:6.9:2179, http://www.opengis.net/def/crs/EPSG/0/2178,
# EPSG:2180, http://www.opengis.net/gml/srs/epsg.xml#2180.
_SRS = re.compile(r"(?:EPSG(?::[\d.]*:|/[\d.]+/|:)|epsg\.xml#)(\d{4,6})\s*$", re.IGNORECASE)


class GeometryError(ValueError):
    """The geometry cannot be read; the message says why."""


def srid_from_srs_name(srs_name: str) -> int:
    match = _SRS.search(srs_name or "")
    if not match:
        raise GeometryError(f"srsName “{srs_name}” does not name an EPSG code")
    srid = int(match.group(1))
    if srid not in CADASTRE_SRIDS:
        raise GeometryError(
            f"srsName “{srs_name}”: EPSG:{srid} is not a cadastre CRS "
            "(expected PL-2000 EPSG:2176-2179 or PL-1992 EPSG:2180)")
    return srid


def _ring(ring: etree._Element, dim: int) -> str:
    """One ring as `E N,E N,...`, checked for numbers, length and closure."""
    pos_list = ring.find(_POSLIST)
    if pos_list is not None:
        dim = int(pos_list.get("srsDimension") or dim)
        tokens = (pos_list.text or "").split()
    else:
        tokens = [t for pos in ring.iter(_POS) for t in (pos.text or "").split()[:2]]
        dim = 2
    if len(tokens) % dim:
        raise GeometryError(f"line {ring.sourceline}: {len(tokens)} numbers do not make "
                            f"{dim}-dimensional points")
    northings, eastings = tokens[0::dim], tokens[1::dim]
    try:
        first = (float(northings[0]), float(eastings[0]))
        last = (float(northings[-1]), float(eastings[-1]))
        for value in tokens:
            float(value)
    except (ValueError, IndexError) as exc:
        raise GeometryError(f"line {ring.sourceline}: coordinates are not numbers") from exc
    if len(northings) < 4:
        raise GeometryError(f"line {ring.sourceline}: a ring needs at least 4 points")
    if first != last:
        raise GeometryError(f"line {ring.sourceline}: the ring is not closed")
    return ",".join(map(" ".join, zip(eastings, northings, strict=True)))


def _polygon(polygon: etree._Element, dim: int) -> str:
    exterior = polygon.find(f"{_EXTERIOR}/{_RING}")
    if exterior is None:
        raise GeometryError(f"line {polygon.sourceline}: a polygon without an exterior ring "
                            "(curves are not supported)")
    rings = [_ring(exterior, dim)]
    rings += [_ring(r, dim) for r in polygon.iterfind(f"{_INTERIOR}/{_RING}")]
    return "((" + "),(".join(rings) + "))"


def _srs_name(container: etree._Element) -> str:
    for element in container.iter():
        if name := element.get("srsName"):
            return name
    return ""


def surface_ewkt(container: etree._Element, default_srs: str = "") -> tuple[str, int]:
    """EWKT MULTIPOLYGON of every polygon under `container` (a `geometria` element)."""
    srid = srid_from_srs_name(_srs_name(container) or default_srs)
    dim = int(next((e.get("srsDimension") for e in container.iter()
                    if e.get("srsDimension")), 2) or 2)
    polygons = [_polygon(p, dim) for p in container.iter(*_POLYGON_TAGS)]
    if not polygons:
        raise GeometryError(f"line {container.sourceline}: no polygon found")
    return f"SRID={srid};MULTIPOLYGON(" + ",".join(polygons) + ")", srid
