"""The coordinate reference systems the OGC API offers (Part 2), named by their OGC URIs.

Coordinates are written in each CRS's own axis order, as OGC API - Features Part 2 asks:
EPSG:2180 and the PL-2000 zones (EPSG:2176-2179) define northing before easting, EPSG:4326
latitude before longitude; CRS84, the default, is longitude before latitude.
"""
import re
from dataclasses import dataclass
from functools import cache

from django.contrib.gis.geos import GEOSGeometry, Polygon
from django.utils.translation import gettext_lazy as _
from pyproj import CRS as ProjCrs

from core.errors import InvalidInput

from ..mapserver import SRID

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
_EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{code}"
# Storage first after the default, then the PL-2000 zones, then the global ones.
OFFERED_SRIDS = (SRID, 2176, 2177, 2178, 2179, 4326, 3857)
_CURIE = re.compile(r"^\[?(EPSG|OGC)::?([0-9A-Za-z]+)\]?$", re.IGNORECASE)
_URI = re.compile(r"^https?://www\.opengis\.net/def/crs/(EPSG|OGC)/[0-9.]+/([0-9A-Za-z]+)$")
_URN = re.compile(r"^urn:ogc:def:crs:(EPSG|OGC):[0-9.]*:([0-9A-Za-z]+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Crs:
    uri: str
    srid: int  # PostGIS's: x is easting or longitude whatever the axis order
    north_first: bool  # the CRS's first axis is northing or latitude
    decimals: int  # GeoJSON coordinate precision: about a centimetre

    @property
    def header(self) -> str:
        """The Content-Crs header value."""
        return f"<{self.uri}>"


def epsg_uri(srid: int) -> str:
    return _EPSG_URI.format(code=srid)


def offered_uris() -> list[str]:
    return [CRS84, *(epsg_uri(srid) for srid in OFFERED_SRIDS)]


STORAGE_CRS = epsg_uri(SRID)


def crs_named(uri: str) -> Crs | None:
    """The offered CRS a URI, URN or (safe) CURIE names, or None."""
    found = _URI.match(uri) or _URN.match(uri) or _CURIE.match(uri)
    if found is None:
        return None
    authority, code = found.group(1).upper(), found.group(2).upper()
    if authority == "OGC":
        return Crs(CRS84, 4326, north_first=False, decimals=7) if code == "CRS84" else None
    if not code.isdigit() or int(code) not in OFFERED_SRIDS:
        return None
    return _epsg(int(code))


@cache
def _epsg(srid: int) -> Crs:
    proj = ProjCrs.from_epsg(srid)
    return Crs(epsg_uri(srid), srid,
               north_first=proj.axis_info[0].direction in ("north", "south"),
               decimals=7 if proj.is_geographic else 2)


def crs_param(value: str | None, parameter: str) -> Crs:
    """The CRS a query parameter names (CRS84 when absent); 400 naming it otherwise."""
    if value is None or not value.strip():
        return crs_named(CRS84)
    found = crs_named(value.strip())
    if found is None:
        raise InvalidInput(_("This coordinate reference system is not offered."),
                           detail={parameter: value[:200], "offered": offered_uris()})
    return found


def to_xy(crs: Crs, coordinates):
    """GeoJSON coordinates (any nesting) from the CRS's axis order into x/y (easting first)."""
    if not crs.north_first:
        return coordinates
    return _flipped(coordinates)


def _flipped(coordinates):
    if coordinates and isinstance(coordinates[0], (int, float)):
        return [coordinates[1], coordinates[0], *coordinates[2:]]
    return [_flipped(part) for part in coordinates]


# Where features can lie, in longitude and latitude: Poland with a degree to spare (its
# westernmost point, 14.12 E, is outside EPSG:2180's own area of use). A box or a filter
# geometry is cut to it before PostGIS brings it into EPSG:2180, which cannot take a
# point at the other side of the globe (a world-wide CRS84 box is a common request).
REACH_LONLAT = (13.0, 48.0, 25.5, 56.0)


def within_reach(geometry: GEOSGeometry, crs: Crs) -> GEOSGeometry:
    """`geometry` (x/y in `crs`) less what lies beyond where features can lie."""
    cut = geometry.intersection(_reach(crs.srid))
    cut.srid = crs.srid
    return cut


@cache
def _reach(srid: int) -> Polygon:
    area = Polygon.from_bbox(REACH_LONLAT)
    area.srid = 4326
    if srid != 4326:
        area.transform(srid)
    return area
