"""GML geometry to EWKT for staging, with the axes in PostGIS order.

EGiB GML writes coordinates in EPSG axis order, northing first
(`5724155.71 8430735.81` in EPSG:2179), in every spelling of srsName. PostGIS
keeps easting first, so the pairs are swapped here, once, while the text is
joined anyway. Transformation to EPSG:2180, validity and repair happen in SQL.
"""
import re
from functools import lru_cache

from django.utils.translation import gettext_noop as N_
from lxml import etree

GML = "http://www.opengis.net/gml/3.2"
_NS = {"gml": GML}
# Compiled once: evaluated by libxml2, they cost a few microseconds per geometry.
_POLYGONS = etree.XPath(".//gml:Polygon | .//gml:PolygonPatch", namespaces=_NS)
_EXTERIOR = etree.XPath("gml:exterior/gml:LinearRing", namespaces=_NS)
_INTERIORS = etree.XPath("gml:interior/gml:LinearRing", namespaces=_NS)
_POS_LIST = etree.XPath("gml:posList", namespaces=_NS)
_POS = etree.XPath("gml:pos/text()", namespaces=_NS)
_WITH_SRS = etree.XPath("(descendant-or-self::*[@srsName])[1]", namespaces=_NS)

# The CRSs of the Polish cadastre (domain.md): PL-2000 zones 5-8 and PL-1992.
CADASTRE_SRIDS = frozenset({2176, 2177, 2178, 2179, 2180})

# Spellings of an EPSG code in srsName: urn:ogc:def:crs:EPSG::2179,
# urn:ogc:def:crs:EPSG:6.9:2179, http://www.opengis.net/def/crs/EPSG/0/2178,
# EPSG:2180, http://www.opengis.net/gml/srs/epsg.xml#2180.
_EPSG = re.compile(r"(?:EPSG(?::[\d.]*:|/[\d.]+/|:)|epsg\.xml#)(\d{4,6})\s*$", re.IGNORECASE)


_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_NUMBERS = re.compile(rf"\s*{_NUMBER}(?:\s+{_NUMBER})*\s*")


class GeometryError(ValueError):
    """The geometry cannot be read: `template` (a msgid) with `params` says why."""

    def __init__(self, template: str, **params) -> None:
        self.template, self.params = template, params
        super().__init__(template % params if params else template)


def srid_from_srs_name(srs_name: str) -> int:
    match = _EPSG.search(srs_name or "")
    if not match:
        raise GeometryError(N_("srsName “%(srs)s” does not name an EPSG code"),
                            srs=srs_name or "")
    srid = int(match.group(1))
    if srid not in CADASTRE_SRIDS:
        raise GeometryError(N_("srsName “%(srs)s”: EPSG:%(srid)d is not a cadastre coordinate "
                               "system (expected PL-2000 EPSG:2176-2179 or PL-1992 EPSG:2180)"),
                            srs=srs_name, srid=srid)
    return srid


def _ring(ring: etree._Element, dim: int) -> str:
    """One ring as `E N,E N,...`, checked for numbers, length and closure."""
    pos_list = _POS_LIST(ring)
    if pos_list:
        dim = int(pos_list[0].get("srsDimension") or dim)
        text = pos_list[0].text or ""
    else:
        text = " ".join(" ".join(pos.split()[:2]) for pos in _POS(ring))
        dim = 2
    # One regular expression over the whole list checks every number at C speed.
    if not _NUMBERS.fullmatch(text):
        raise GeometryError(N_("coordinates are not numbers"))
    tokens = text.split()
    if len(tokens) % dim:
        raise GeometryError(N_("%(count)d numbers do not make %(dim)d-dimensional points"),
                            count=len(tokens), dim=dim)
    northings, eastings = tokens[0::dim], tokens[1::dim]
    first = (float(northings[0]), float(eastings[0]))
    last = (float(northings[-1]), float(eastings[-1]))
    if len(northings) < 4:
        raise GeometryError(N_("a ring needs at least 4 points"))
    if first != last:
        raise GeometryError(N_("the ring is not closed"))
    return ",".join(map(" ".join, zip(eastings, northings, strict=True)))


def _polygon(polygon: etree._Element, dim: int) -> str:
    exterior = _EXTERIOR(polygon)
    if not exterior:
        raise GeometryError(N_("a polygon without an exterior ring (curves are not supported)"))
    rings = [_ring(r, dim) for r in (exterior[0], *_INTERIORS(polygon))]
    return "((" + "),(".join(rings) + "))"


def _srs(container: etree._Element) -> tuple[str, int]:
    """srsName and srsDimension of the geometry: on its outermost element, as a rule."""
    found = _WITH_SRS(container)
    if not found:
        return "", 2
    return found[0].get("srsName"), int(found[0].get("srsDimension") or 2)


@lru_cache(maxsize=64)
def _srid(srs_name: str) -> int:
    return srid_from_srs_name(srs_name)


def surface_ewkt(container: etree._Element, default_srs: str = "") -> tuple[str, int]:
    """EWKT MULTIPOLYGON of every polygon under `container` (a `geometria` element)."""
    srs_name, dim = _srs(container)
    srid = _srid(srs_name or default_srs)
    polygons = [_polygon(p, dim) for p in _POLYGONS(container)]
    if not polygons:
        raise GeometryError(N_("no polygon found"))
    return f"SRID={srid};MULTIPOLYGON(" + ",".join(polygons) + ")", srid
