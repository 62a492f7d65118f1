"""/uldk/: parcel lookup in the dialect of GUGiK's ULDK, for the scripts and plugins using it.

`?request=GetParcelById&id=026101_1.0001.123/4&result=geom_wkt,teryt,parcel&srid=2180`.
The answer is plain text, as the national service writes it: a status line (`0` found, for
GetParcelByIdOrNr the number of parcels found, `-1 <message>` an error, `-1 brak wyników`
nothing found), then one line per object with the `result` fields in the order asked,
separated by `|`. Geometry is hex EWKB (`geom_wkb`, the default), EWKT
(`SRID=2180;POLYGON((...))`) or the box `xmin,ymin,xmax,ymax` (`geom_extent`), in `srid`.

Access is the parcel API's: objects of a restricted layer are missing from searches and
from point lookups for those who may not see them, and a direct request by identifier is
answered 401 (not logged in) or 403 (no right), still with a `-1` status line. Nothing
found is HTTP 200, as the national service answers it (its clients read the status line;
many also stop on an HTTP error).
"""
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cadastre_sync.identifiers import parse_parcel_id
from core.authentication import WWW_AUTHENTICATE
from core.errors import Forbidden, GeoPortalError, InvalidInput, NotAuthenticated
from core.identifiers import LEVEL_GMINA, parse_teryt
from geo_portal.api.params import ensure_in_poland
from layers.access import layer_scope_named

from .selectors import (
    GEOMETRY_FIELDS,
    KINDS,
    OUTPUT_SRIDS,
    SRID,
    Found,
    Kind,
    uldk_area_names,
    uldk_at_point,
    uldk_by_id,
    uldk_parcels_by_number,
)

# The national service's own words, which its clients compare: never translated.
NOTHING_FOUND = "brak wyników"
DEFAULT_RESULT = "geom_wkb"
CONTENT_TYPE = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class Ask:
    """A ULDK request's common parameters, validated."""

    fields: list[str]
    srid: int

    @property
    def geometry_fields(self) -> list[str]:
        return list(dict.fromkeys(f for f in self.fields if f in GEOMETRY_FIELDS))


# Each non-geometry result field, read from a found object and the names above its gmina.
_TEXT_FIELDS: dict[str, Callable[[Found, dict[str, str]], str]] = {
    "id": lambda f, names: f.object_id,
    "teryt": lambda f, names: f.object_id,
    "parcel": lambda f, names: f.parcel,
    "region": lambda f, names: f.region,
    "commune": lambda f, names: f.commune,
    "county": lambda f, names: names.get(f.teryt[:4], ""),
    "voivodeship": lambda f, names: names.get(f.teryt[:2], ""),
    "datasource": lambda f, names: f.datasource,
}
RESULT_FIELDS = (*GEOMETRY_FIELDS, *_TEXT_FIELDS)


class _Lowered(dict):
    """Query parameters by lower-case name: ULDK clients write `Request`, `ID`, `XY`."""

    @classmethod
    def of(cls, request: HttpRequest) -> "_Lowered":
        return cls({key.lower(): value for key, value in request.GET.items()})


def _ask(query: _Lowered) -> Ask:
    raw = query.get("result", "").strip()
    fields = [f.strip().lower() for f in raw.split(",") if f.strip()] or [DEFAULT_RESULT]
    unknown = [f for f in fields if f not in RESULT_FIELDS]
    if unknown:
        raise InvalidInput(
            _("Parameter result names unknown fields: %(unknown)s; allowed: %(allowed)s.")
            % {"unknown": ", ".join(unknown), "allowed": ", ".join(RESULT_FIELDS)},
            detail={"result": unknown})
    return Ask(fields, _srid(query.get("srid", ""), "srid", OUTPUT_SRIDS))


def _srid(raw: str, name: str, allowed: tuple[int, ...]) -> int:
    raw = raw.strip()
    if raw == "":
        return SRID
    try:
        srid = int(raw.upper().removeprefix("EPSG:"))
    except ValueError:
        srid = None
    if srid not in allowed:
        raise InvalidInput(
            _("Parameter %(name)s=%(value)s is not supported; use one of %(allowed)s.")
            % {"name": name, "value": raw, "allowed": ", ".join(map(str, allowed))},
            detail={name: raw})
    return srid


def _required(query: _Lowered, name: str) -> str:
    value = query.get(name, "").strip()
    if not value:
        raise InvalidInput(_("Parameter %(name)s is missing.") % {"name": name},
                           detail={name: "missing"})
    return value


def _point(query: _Lowered) -> tuple[float, float, int]:
    """`xy=x,y` in EPSG:2180 or `xy=x,y,srid` (e.g. `21.01,52.23,4326`: longitude first)."""
    raw = _required(query, "xy")
    parts = [p.strip() for p in raw.split(",")]
    if len(parts) not in (2, 3):
        raise InvalidInput(_("Parameter xy=%(value)s must be x,y or x,y,srid.") % {"value": raw},
                           detail={"xy": raw})
    srid = _srid(parts[2], "xy", OUTPUT_SRIDS) if len(parts) == 3 else SRID
    try:
        x, y = float(parts[0]), float(parts[1])
    except ValueError:
        x = y = float("nan")
    if not all(v == v and abs(v) != float("inf") for v in (x, y)):
        raise InvalidInput(_("Parameter xy=%(value)s does not hold two numbers.")
                           % {"value": raw}, detail={"xy": raw})
    ensure_in_poland(Point(x, y, srid=srid))
    return x, y, srid


def _visible_units(user, kind: Kind) -> frozenset[int] | None:
    scope = layer_scope_named(user, kind.layer)
    return scope.unit_ids if scope.allowed else frozenset()


def _ensure_visible(user, kind: Kind, found: Found) -> None:
    """The parcel API's rule for a direct request: 401/403 where the object is not for the
    user (the layer closed to them, or an object of another unit)."""
    scope = layer_scope_named(user, kind.layer).ensure()
    if scope.unit_ids is not None and found.unit_id not in scope.unit_ids:
        if not scope.authenticated:
            raise NotAuthenticated()
        raise Forbidden(detail={"unit": found.teryt})


# --- The requests -------------------------------------------------------------------------

def _by_id(kind_name: str, check: Callable[[str], str]):
    def answer(request: HttpRequest, query: _Lowered, ask: Ask) -> list[Found] | None:
        kind = KINDS[kind_name]
        found = uldk_by_id(kind=kind, object_id=check(_required(query, "id")), srid=ask.srid,
                           geometry_fields=ask.geometry_fields)
        if found is None:
            return None
        _ensure_visible(request.user, kind, found)
        return [found]
    return answer


def _at_point(kind_name: str):
    def answer(request: HttpRequest, query: _Lowered, ask: Ask) -> list[Found] | None:
        kind = KINDS[kind_name]
        x, y, point_srid = _point(query)
        found = uldk_at_point(kind=kind, x=x, y=y, point_srid=point_srid, srid=ask.srid,
                              geometry_fields=ask.geometry_fields,
                              units=_visible_units(request.user, kind))
        return [found] if found else None
    return answer


def _parcel_id(value: str) -> str:
    try:
        return str(parse_parcel_id(value))
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), detail={"id": value}) from exc


def _precinct_id(value: str) -> str:
    teryt, _dot, number = value.partition(".")
    _gmina_id(teryt)
    if not (len(number) == 4 and number.isdigit()):
        raise InvalidInput(_("Precinct id %(value)s must be WWPPGG_R.OOOO, e.g. 026101_1.0001.")
                           % {"value": value}, detail={"id": value})
    return value


def _gmina_id(value: str) -> str:
    try:
        teryt = parse_teryt(value)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), detail={"id": value}) from exc
    if teryt.level != LEVEL_GMINA:
        raise InvalidInput(_("Gmina id %(value)s must be WWPPGG_R, e.g. 026101_1.")
                           % {"value": value}, detail={"id": value})
    return teryt.code


def _parcels_by_id_or_number(request: HttpRequest, query: _Lowered, ask: Ask
                             ) -> list[Found] | None:
    """`id` is a full idDzialki, or a precinct (its name or number) and a parcel number:
    `Centrum 123/4`, `0001 123/4`."""
    raw = _required(query, "id")
    if " " not in raw:
        return _by_id("parcel", _parcel_id)(request, query, ask)
    precinct, _space, number = raw.rpartition(" ")
    found = uldk_parcels_by_number(precinct=precinct.strip(), number=number,
                                   srid=ask.srid, geometry_fields=ask.geometry_fields,
                                   units=_visible_units(request.user, KINDS["parcel"]))
    return found or None


REQUESTS = {
    "getparcelbyid": _by_id("parcel", _parcel_id),
    "getparcelbyidornr": _parcels_by_id_or_number,
    "getparcelbyxy": _at_point("parcel"),
    "getregionbyid": _by_id("region", _precinct_id),
    "getregionbyxy": _at_point("region"),
    "getcommunebyid": _by_id("commune", _gmina_id),
    "getcommunebyxy": _at_point("commune"),
}
# The requests whose status line counts the objects found; the others write 0.
_COUNTED = {"getparcelbyidornr"}


@require_GET
def uldk(request: HttpRequest) -> HttpResponse:
    query = _Lowered.of(request)
    name = query.get("request", "").strip().lower()
    try:
        handler = REQUESTS.get(name)
        if handler is None:
            raise InvalidInput(
                _("Parameter request=%(value)s is not supported; use one of %(allowed)s.")
                % {"value": query.get("request", ""), "allowed": ", ".join(_REQUEST_NAMES)},
                detail={"request": query.get("request", "")})
        ask = _ask(query)
        found = handler(request, query, ask)
    except GeoPortalError as error:
        return _error(error)
    if not found:
        return _text([f"-1 {NOTHING_FOUND}"])
    names = uldk_area_names(f.teryt for f in found)
    status = str(len(found)) if name in _COUNTED else "0"
    return _text([status, *(_line(f, ask, names) for f in found)])


_REQUEST_NAMES = ("GetParcelById", "GetParcelByIdOrNr", "GetParcelByXY", "GetRegionById",
                  "GetRegionByXY", "GetCommuneById", "GetCommuneByXY")


def _line(found: Found, ask: Ask, names: dict[str, str]) -> str:
    return "|".join(_value(found, field, names) for field in ask.fields)


def _value(found: Found, field: str, names: dict[str, str]) -> str:
    if field in _TEXT_FIELDS:
        return _TEXT_FIELDS[field](found, names).replace("|", "/").replace("\n", " ")
    value = found.geometry[field]
    if value is None:
        return ""
    if field == "geom_extent":
        return ",".join(f"{v:.6f}".rstrip("0").rstrip(".") for v in value)
    return value


def _text(lines: list[str], status: int = 200) -> HttpResponse:
    response = HttpResponse("\n".join(lines) + "\n", content_type=CONTENT_TYPE, status=status)
    # Web maps call the national service from the browser; no cookie is sent cross-site.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _error(error: GeoPortalError) -> HttpResponse:
    response = _text([f"-1 {error.message}"], status=error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = WWW_AUTHENTICATE
    return response
