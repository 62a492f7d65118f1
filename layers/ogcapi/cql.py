"""CQL2 filters (OGC API - Features Part 3), parsed by pygeofilter, as Django Q objects.

pygeofilter parses cql2-text and cql2-json into one syntax tree and its Django backend
turns the tree into lookups with parameters (never SQL text). This module adds what the
service needs around it: properties are checked against the collection's queryables,
literals against the properties' types, geometry literals are read in `filter-crs` (axis
order included), LIKE follows CQL2's wildcards exactly, and every mistake is a 400 naming
the parameter and the place.
"""
import datetime
import json
import re
from decimal import Decimal

from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.core.exceptions import FieldError, ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from lark.exceptions import UnexpectedInput
from pygeofilter import ast, values
from pygeofilter.backends.django.evaluate import DjangoFilterEvaluator
from pygeofilter.backends.evaluator import handle
from pygeofilter.parsers.cql2_json import parse as parse_json
from pygeofilter.parsers.cql2_text import parse as parse_text

from core.errors import GeoPortalError, InvalidInput

from .collections import GEOMETRY, FeatureCollection
from .crs import Crs, to_xy, within_reach

FILTER_LANGS = ("cql2-text", "cql2-json")
MAX_FILTER_CHARS = 20_000
# Conditions within conditions: far more than a person writes, few enough for Django to
# compile the SQL without running out of stack.
MAX_DEPTH = 64
_KINDS = {"integer": "number", "number": "number", "string": "string", "date": "date"}
_LITERAL_TYPES = {
    "integer": (int,), "number": (int, float, Decimal), "string": (str,),
    "date": (datetime.date, str),
}


def cql_filtered(rows: QuerySet, *, text: str, lang: str, crs: Crs,
                 collection: FeatureCollection) -> QuerySet:
    """`rows` less the features `text` (a CQL2 filter in `lang`) does not keep."""
    if lang not in FILTER_LANGS:
        raise InvalidInput(_("This filter language is not offered."),
                           detail={"filter-lang": lang[:100], "offered": list(FILTER_LANGS)})
    if len(text) > MAX_FILTER_CHARS:
        raise InvalidInput(_("The filter is too long."),
                           detail={"filter": f"{len(text)} characters",
                                   "allowed": MAX_FILTER_CHARS})
    try:
        root = _parsed_text(text) if lang == "cql2-text" else _parsed_json(text)
    except RecursionError as error:
        raise _too_deep() from error
    if _depth(root) > MAX_DEPTH:
        raise _too_deep()
    if not isinstance(root, ast.Node):
        raise InvalidInput(_("The filter is not a CQL2 condition."),
                           detail={"filter": text[:200]})
    _check(root, collection)
    try:
        return rows.filter(_Evaluator(collection.lookups(), crs).evaluate(root))
    except GeoPortalError:
        raise
    except (NotImplementedError, ValueError, TypeError, KeyError, AssertionError,
            ValidationError, FieldError, GEOSException) as error:
        raise InvalidInput(_("This filter cannot be evaluated."),
                           detail={"filter": text[:200], "error": _reason(error)}) from error


def _too_deep() -> InvalidInput:
    return InvalidInput(_("The filter is nested too deeply."),
                        detail={"filter": "depth", "allowed": MAX_DEPTH})


def _depth(root) -> int:
    """How deep the syntax tree goes (walked without recursion)."""
    deepest, stack = 0, [(root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        subnodes = node.get_sub_nodes() if isinstance(node, ast.Node) else None
        if subnodes is not None and not isinstance(subnodes, list):
            subnodes = [subnodes]
        stack.extend((sub, depth + 1) for sub in subnodes or [])
    return deepest


def _parsed_text(text: str):
    try:
        return parse_text(text)
    except UnexpectedInput as error:
        position = getattr(error, "pos_in_stream", None) or 0
        raise InvalidInput(_("The filter is not valid CQL2 text."), detail={
            "parameter": "filter", "line": getattr(error, "line", None),
            "column": getattr(error, "column", None), "near": text[position:position + 30],
        }) from error
    except Exception as error:  # noqa: BLE001 - the grammar's callbacks on a client's text
        raise InvalidInput(_("The filter is not valid CQL2 text."),
                           detail={"parameter": "filter", "error": _reason(error)}) from error


def _parsed_json(text: str):
    try:
        document = json.loads(text)
    except ValueError as error:
        raise InvalidInput(_("The filter is not valid JSON."), detail={
            "parameter": "filter", "line": getattr(error, "lineno", None),
            "column": getattr(error, "colno", None), "error": getattr(error, "msg", "")},
        ) from error
    try:
        return parse_json(_bboxes_as_polygons(document))
    except Exception as error:  # noqa: BLE001 - the walker's errors on a client's document
        raise InvalidInput(_("The filter is not a valid CQL2 JSON expression."),
                           detail={"parameter": "filter", "error": _reason(error)}) from error


def _bboxes_as_polygons(node):
    """{"bbox": [minx, miny, maxx, maxy]} as a polygon: pygeofilter's JSON reader hands the
    four numbers to its envelope in another order."""
    if isinstance(node, list):
        return [_bboxes_as_polygons(item) for item in node]
    if not isinstance(node, dict):
        return node
    if set(node) == {"bbox"} and isinstance(node["bbox"], list):
        return {"type": "Polygon", "coordinates": _box_ring(node["bbox"])}
    return {key: _bboxes_as_polygons(value) for key, value in node.items()}


def _box_ring(numbers: list) -> list:
    if len(numbers) not in (4, 6) or not all(
            isinstance(n, (int, float)) and not isinstance(n, bool) for n in numbers):
        raise InvalidInput(_("A bounding box is four (or six) numbers."),
                           detail={"filter": "bbox", "found": str(numbers)[:100]})
    low, high = (numbers[0], numbers[1]), (numbers[len(numbers) // 2],
                                           numbers[len(numbers) // 2 + 1])
    return [[[low[0], low[1]], [high[0], low[1]], [high[0], high[1]], [low[0], high[1]],
             [low[0], low[1]]]]


def _nodes(node):
    yield node
    subnodes = node.get_sub_nodes() if isinstance(node, ast.Node) else None
    for sub in ([subnodes] if subnodes is not None and not isinstance(subnodes, list)
                else subnodes or []):
        yield from _nodes(sub)


def _check(root: ast.Node, collection: FeatureCollection) -> None:
    """Every property named is a queryable; literals compared with one fit its type."""
    for node in _nodes(root):
        if isinstance(node, ast.Attribute):
            _known(node.name, collection)
    for node in _nodes(root):
        if isinstance(node, (ast.Comparison, ast.Between, ast.In, ast.Like)):
            _typed(node, collection)
        elif isinstance(node, (ast.SpatialComparisonPredicate, ast.Relate,
                               ast.SpatialDistancePredicate)):
            _spatial(node)
        elif isinstance(node, ast.Arithmetic):
            raise InvalidInput(_("Arithmetic is not offered in filters."),
                               detail={"filter": node.op.value})
        elif isinstance(node, ast.TemporalPredicate):
            raise InvalidInput(_("Temporal functions are not offered: compare dates with "
                                 "<, >, = or BETWEEN."), detail={"filter": node.op.value})


def _known(name: str, collection: FeatureCollection) -> None:
    if name != GEOMETRY and collection.property_named(name) is None:
        raise InvalidInput(_("The filter names a property this collection does not have."),
                           detail={"filter": name, "collection": collection.name,
                                   "queryables": [GEOMETRY, *(p.name for p in
                                                              collection.properties)]})


def _typed(node, collection: FeatureCollection) -> None:
    operands = [node.lhs, getattr(node, "rhs", None), getattr(node, "low", None),
                getattr(node, "high", None), *getattr(node, "sub_nodes", ())]
    operands = [_casei_of(o) or o for o in operands]
    names = [o.name for o in operands if isinstance(o, ast.Attribute)]
    literals = [o for o in operands if o is not None and not isinstance(o, ast.Node)]
    kinds = {_KINDS[collection.property_named(n).type] for n in names if n != GEOMETRY}
    if len(kinds) > 1:
        raise InvalidInput(_("The filter compares properties of different types."),
                           detail={"filter": names})
    for name in names:
        if name == GEOMETRY:
            raise InvalidInput(_("The geometry is compared only by spatial functions."),
                               detail={"filter": node.name})
        prop = collection.property_named(name)
        if isinstance(node, ast.Like) and prop.type != "string":
            raise InvalidInput(_("LIKE compares text properties only."),
                               detail={"filter": name, "type": prop.type})
        for literal in literals:
            if not isinstance(literal, _LITERAL_TYPES[prop.type]) or isinstance(literal, bool):
                raise InvalidInput(_("The filter compares a property with a value of "
                                     "another type."),
                                   detail={"filter": name, "type": prop.type,
                                           "value": str(literal)[:100]})


def _spatial(node) -> None:
    for operand in (node.lhs, node.rhs):
        if isinstance(operand, ast.Attribute) and operand.name != GEOMETRY:
            raise InvalidInput(_("Spatial functions compare the geometry only."),
                               detail={"filter": operand.name, "geometry": GEOMETRY})
        if not isinstance(operand, (ast.Attribute, ast.Function, values.Geometry,
                                    values.Envelope)):
            raise InvalidInput(_("Spatial functions compare geometries only."),
                               detail={"filter": str(operand)[:100]})


def _reason(error: Exception) -> str:
    return " ".join(str(error).split())[:300]


class _Evaluator(DjangoFilterEvaluator):
    """pygeofilter's Django evaluator, with geometry literals in `filter-crs` and CQL2's
    LIKE and BBOX."""

    def __init__(self, field_mapping: dict[str, str], crs: Crs) -> None:
        super().__init__(field_mapping, None)
        self.crs = crs

    def evaluate(self, node, adopt_result: bool = True):
        caseless = _caseless(node)
        if caseless is not None:
            return caseless(self.field_mapping)
        return super().evaluate(node, adopt_result)

    @handle(values.Geometry)
    def geometry(self, node):
        return self._geos(dict(node.geometry))

    @handle(values.Envelope)
    def envelope(self, node):
        # cql2-text ENVELOPE(minx, maxx, maxy, miny) as pygeofilter reads it
        return self._geos({"type": "Polygon", "coordinates": node.geometry["coordinates"]})

    @handle(ast.Function)
    def function(self, node, *arguments):
        if node.name.lower() == "bbox":
            return self._geos({"type": "Polygon",
                               "coordinates": _box_ring(list(node.arguments))})
        if node.name == "lower":  # pygeofilter's name for CASEI
            raise InvalidInput(_("CASEI is offered in =, <>, LIKE and IN on a text "
                                 "property."), detail={"filter": "CASEI"})
        raise InvalidInput(_("The filter uses a function this service does not offer."),
                           detail={"filter": node.name})

    @handle(ast.Like)
    def like(self, node, lhs):
        lookup = "iregex" if node.nocase else "regex"
        q = Q(**{f"{lhs.name}__{lookup}": like_regex(node.pattern)})
        return ~q if node.not_ else q

    def _geos(self, geojson: dict) -> GEOSGeometry:
        geojson.pop("crs", None)  # the literal is in filter-crs
        geojson["coordinates"] = to_xy(self.crs, _lists(geojson.get("coordinates", [])))
        geometry = GEOSGeometry(json.dumps(geojson))
        geometry.srid = self.crs.srid  # GeoJSON reads as EPSG:4326
        if not geometry.valid:
            raise InvalidInput(_("A geometry in the filter is not valid."),
                               detail={"filter": geometry.wkt[:200],
                                       "reason": geometry.valid_reason})
        return within_reach(geometry, self.crs)


def _casei_of(operand):
    """The attribute or text in CASEI(...), or None."""
    if isinstance(operand, ast.Function) and operand.name == "lower" and len(
            operand.arguments) == 1:
        return operand.arguments[0]
    return None


def _caseless(node):
    """CASEI(property) compared (=, <>, LIKE, IN) with CASEI('text') or 'text', as a
    function of the lookups giving the Q; None for anything else."""
    lhs = _casei_of(getattr(node, "lhs", None))
    if not isinstance(lhs, ast.Attribute):
        return None
    if isinstance(node, ast.Like):
        regex = like_regex(node.pattern)
        return lambda lookups: _negated(Q(**{f"{lookups[lhs.name]}__iregex": regex}),
                                        node.not_)
    texts = ([getattr(node, "rhs", None)] if isinstance(node, (ast.Equal, ast.NotEqual))
             else list(node.sub_nodes) if isinstance(node, ast.In) else None)
    if texts is None:
        return None
    texts = [_casei_of(t) or t for t in texts]
    if not all(isinstance(t, str) for t in texts):
        raise InvalidInput(_("CASEI compares a text property with text."),
                           detail={"filter": lhs.name})
    negate = isinstance(node, ast.NotEqual) or getattr(node, "not_", False)

    def q(lookups):
        found = Q()
        for text in texts:
            found |= Q(**{f"{lookups[lhs.name]}__iexact": text})
        return _negated(found, negate)
    return q


def _negated(q: Q, negate: bool) -> Q:
    return ~q if negate else q


def _lists(coordinates):
    if isinstance(coordinates, (list, tuple)):
        return [_lists(c) for c in coordinates]
    return coordinates


def like_regex(pattern: str) -> str:
    """A CQL2 LIKE pattern (% any text, _ one character, \\ escapes) as an anchored
    regular expression."""
    out, escaped = ["^"], False
    for char in pattern:
        if escaped:
            out.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(re.escape(char))
    out.append("$")
    return "".join(out)


