"""Items of a collection as GeoJSON, made in the database: the filter, the paging, the
transformation to the asked CRS (with its axis order) and the geometry's GeoJSON text are
one SQL statement; Python only joins the rows' JSON into the document."""
import json
import math
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.gis.db.models.functions import AsGeoJSON, GeoFunc, Transform
from django.contrib.gis.geos import GEOSGeometry, Polygon
from django.db import DataError, InternalError, ProgrammingError, transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput, NotFound

from ..access import LayerScope
from ..mapserver import SRID
from .collections import FeatureCollection
from .cql import cql_filtered
from .crs import Crs, crs_param, to_xy, within_reach

DEFAULT_LIMIT = 10
MAX_LIMIT = 10_000
MAX_OFFSET = 10**9


class FlipCoordinates(GeoFunc):
    function = "ST_FlipCoordinates"


@dataclass(frozen=True)
class ItemsQuery:
    """What an items request asks, checked."""

    crs: Crs
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    bbox: GEOSGeometry | None = None
    filter: str | None = None
    filter_lang: str = "cql2-text"
    filter_crs: Crs | None = None
    equal: tuple[tuple[str, str], ...] = ()  # queryable=value parameters


@dataclass(frozen=True)
class Page:
    features: list[str]  # each one GeoJSON Feature, serialised
    matched: int


def items_query(params: dict[str, str], collection: FeatureCollection) -> ItemsQuery:
    """The items parameters, or a 400 naming the one that is wrong."""
    bbox_crs = crs_param(params.get("bbox-crs"), "bbox-crs")
    return ItemsQuery(
        crs=crs_param(params.get("crs"), "crs"),
        limit=_whole(params.get("limit"), "limit", 1, MAX_LIMIT, DEFAULT_LIMIT),
        offset=_whole(params.get("offset"), "offset", 0, MAX_OFFSET, 0),
        bbox=_bbox(params["bbox"], bbox_crs) if "bbox" in params else None,
        filter=params.get("filter"),
        filter_lang=params.get("filter-lang", "cql2-text"),
        filter_crs=crs_param(params.get("filter-crs"), "filter-crs"),
        equal=tuple((p.name, params[p.name]) for p in collection.properties
                    if p.name in params),
    )


def _whole(raw: str | None, name: str, low: int, high: int, default: int) -> int:
    if raw is None:
        return default
    if not (raw.strip().isdigit() and low <= int(raw) <= high):
        raise InvalidInput(detail={name: raw[:50], "allowed": f"{low}..{high}"})
    return int(raw)


def _bbox(raw: str, crs: Crs) -> GEOSGeometry:
    """minx,miny,maxx,maxy (or six numbers with heights) in the axis order of bbox-crs."""
    try:
        numbers = [float(part) for part in raw.split(",")]
    except ValueError:
        numbers = []
    if len(numbers) not in (4, 6) or not all(math.isfinite(n) for n in numbers):
        raise InvalidInput(_("bbox is four numbers: the lower corner, then the upper one."),
                           detail={"bbox": raw[:100]})
    half = len(numbers) // 2
    low, high = to_xy(crs, numbers[0:2]), to_xy(crs, numbers[half:half + 2])
    if not (low[0] < high[0] and low[1] < high[1]):
        raise InvalidInput(_("bbox: the lower corner must be below and left of the upper."),
                           detail={"bbox": raw[:100], "bbox-crs": crs.uri})
    box = Polygon.from_bbox((*low, *high))
    box.srid = crs.srid
    return within_reach(box, crs)


def _selected(collection: FeatureCollection, scope: LayerScope, query: ItemsQuery) -> QuerySet:
    rows = collection.queryset(scope)
    if query.bbox is not None:
        rows = rows.filter(geom__intersects=query.bbox)
    for name, value in query.equal:
        prop = collection.property_named(name)
        rows = rows.filter(**{prop.lookup: _typed_value(prop.type, name, value)})
    if query.filter is not None:
        rows = cql_filtered(rows, text=query.filter, lang=query.filter_lang,
                            crs=query.filter_crs, collection=collection)
    return rows


def _typed_value(kind: str, name: str, raw: str):
    try:
        return {"integer": int, "number": Decimal, "date": date.fromisoformat}.get(
            kind, str)(raw)
    except (ValueError, ArithmeticError) as error:
        raise InvalidInput(_("The value does not fit the property's type."),
                           detail={name: raw[:100], "type": kind}) from error


def collection_items(*, collection: FeatureCollection, scope: LayerScope,
                     query: ItemsQuery) -> Page:
    """One page of the features `scope` may see that the query selects, by id."""
    rows = _selected(collection, scope, query)
    window = rows.order_by("pk")[query.offset:query.offset + query.limit]
    with _filter_errors(query):
        features = [_feature(row, collection) for row in _values(window, collection,
                                                                 query.crs)]
        # a page not filled ends the matches: counted only when it does not say how many
        short = 0 < len(features) < query.limit or (not features and not query.offset)
        matched = query.offset + len(features) if short else rows.count()
    return Page(features, matched)


def collection_item(*, collection: FeatureCollection, scope: LayerScope, feature_id: str,
                    crs: Crs) -> str:
    """One feature `scope` may see, serialised; 404 when there is none (or not for them)."""
    if not feature_id.isdigit() or len(feature_id) > 18:
        raise NotFound(detail={"feature": feature_id[:50]})
    found = list(_values(collection.queryset(scope).filter(pk=int(feature_id)), collection,
                         crs))
    if not found:
        raise NotFound(detail={"collection": collection.name, "feature": feature_id})
    return _feature(found[0], collection)


def _values(rows: QuerySet, collection: FeatureCollection, crs: Crs):
    geometry = F("geom") if crs.srid == SRID else Transform("geom", crs.srid)
    if crs.north_first:
        geometry = FlipCoordinates(geometry)
    return rows.values_list("pk", *(p.lookup for p in collection.properties),
                            AsGeoJSON(geometry, precision=crs.decimals))


def _feature(row: tuple, collection: FeatureCollection) -> str:
    properties = {p.name: _json_value(value)
                  for p, value in zip(collection.properties, row[1:-1], strict=True)}
    return (f'{{"type":"Feature","id":{row[0]},"geometry":{row[-1] or "null"},'
            f'"properties":{json.dumps(properties, ensure_ascii=False)}}}')


def _json_value(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


@contextmanager
def _filter_errors(query: ItemsQuery):
    """A filter PostgreSQL cannot evaluate (a geometry its topology code rejects, a number
    out of a column's range) is the client's mistake, a 400; the savepoint leaves the
    request's transaction usable. Without a filter there is no savepoint (two round trips
    fewer) and a database error stays a 500."""
    if query.filter is None:
        yield
        return
    try:
        with transaction.atomic():
            yield
    except (DataError, ProgrammingError, InternalError) as error:
        raise InvalidInput(_("This filter cannot be evaluated."),
                           detail={"filter": query.filter[:200],
                                   "error": str(error).splitlines()[0][:200]}) from error
