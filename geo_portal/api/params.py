"""Query parameters of the parcel API as small typed groups, each validated with its reason.

Coordinates: `lon`/`lat` in WGS84, or `x`/`y` in `srid`; `srid` is also the coordinate
system of the answer (default 4326, RFC 7946 GeoJSON). A point must lie in Poland; a
point that does only with its two numbers swapped is answered with that hint.
"""
from dataclasses import dataclass

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import Point
from django.utils.translation import gettext as _

from core.errors import InvalidInput

WGS84, PL_1992, WEB_MERCATOR = 4326, 2180, 3857
SRIDS = (WGS84, PL_1992, WEB_MERCATOR)
# Poland's extent in WGS84 with a margin of a few kilometres: lon 14.12–24.15, lat 49.00–54.84.
POLAND_LON = (13.9, 24.4)
POLAND_LAT = (48.9, 55.0)


@dataclass(frozen=True)
class OutputSrid:
    srid: int

    @classmethod
    def from_query(cls, query) -> "OutputSrid":
        raw = query.get("srid", "")
        if raw == "":
            return cls(WGS84)
        try:
            srid = int(raw)
        except ValueError:
            srid = None
        if srid not in SRIDS:
            raise InvalidInput(
                _("Parameter srid=%(value)s is not supported; use one of %(allowed)s.")
                % {"value": raw, "allowed": ", ".join(map(str, SRIDS))},
                detail={"srid": raw, "allowed": list(SRIDS)})
        return cls(srid)


def _number(query, name: str) -> float:
    raw = query.get(name, "")
    if raw == "":
        raise InvalidInput(_("Parameter %(name)s is missing.") % {"name": name},
                           detail={name: "missing"})
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        value = float("nan")
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidInput(_("Parameter %(name)s=%(value)s is not a number.")
                           % {"name": name, "value": raw}, detail={name: raw})
    return value


def _in_poland(lon: float, lat: float) -> bool:
    return POLAND_LON[0] <= lon <= POLAND_LON[1] and POLAND_LAT[0] <= lat <= POLAND_LAT[1]


@dataclass(frozen=True)
class PointQuery:
    """The point asked about, in its own SRID, known to lie in Poland."""

    point: Point
    srid: int  # of the answer

    @classmethod
    def from_query(cls, query) -> "PointQuery":
        srid = OutputSrid.from_query(query).srid
        if "lon" in query or "lat" in query:
            point = Point(_number(query, "lon"), _number(query, "lat"), srid=WGS84)
        elif "x" in query or "y" in query:
            point = Point(_number(query, "x"), _number(query, "y"), srid=srid)
        else:
            raise InvalidInput(_("Give the point as lon and lat (WGS84), or as x, y and srid."),
                               detail={"lon": "missing", "lat": "missing"})
        ensure_in_poland(point)
        return cls(point, srid)


def _lonlat(point: Point) -> tuple[float, float]:
    if point.srid == WGS84:
        return point.x, point.y
    try:
        wgs = point.transform(WGS84, clone=True)
    except GDALException:  # far outside the projection's domain
        return float("nan"), float("nan")
    return wgs.x, wgs.y


def ensure_in_poland(point: Point) -> None:
    """Raise InvalidInput unless `point` lies in Poland (with a hint when its numbers look
    swapped)."""
    if _in_poland(*_lonlat(point)):
        return
    given = {"x": point.x, "y": point.y, "srid": point.srid}
    if _in_poland(*_lonlat(Point(point.y, point.x, srid=point.srid))):
        names = ("lon", "lat") if point.srid == WGS84 else ("x", "y")
        raise InvalidInput(
            _("The point %(a)s=%(x)s, %(b)s=%(y)s lies outside Poland; its two numbers look "
              "swapped: try %(a)s=%(y)s&%(b)s=%(x)s (%(a)s first).")
            % {"a": names[0], "b": names[1], "x": point.x, "y": point.y},
            detail={**given, "hint": "swapped"})
    raise InvalidInput(_("The point lies outside Poland; only Polish parcels are held here."),
                       detail={**given, "hint": "outside_poland"})
