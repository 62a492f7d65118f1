"""The parcel API: one class per operation, thin; reads through geo_portal.parcel_selectors.

Errors are the product's own (core.errors) and reach the client through the one handler,
core.api.exception_handler: 400 with what was wrong, 401/403 by the access policy, 404.
"""
import functools

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import GeoPortalError, InvalidInput
from geo_portal import parcel_selectors as parcels
from geo_portal.hosts import host_unit

from . import serializers as out
from .params import SRIDS, OutputSrid, PointQuery

MAX_QUERY = 120
# Where a search looks: on a unit's own host name that unit by default, or every unit.
SEARCH_SCOPES = ("unit", "all")


class GeoJSONRenderer(JSONRenderer):
    """RFC 7946's media type; `?format=json` or `Accept: application/json` give plain JSON."""

    media_type = "application/geo+json"
    format = "geojson"


SRID = OpenApiParameter(
    "srid", OpenApiTypes.INT, enum=list(SRIDS), required=False,
    description="Coordinate system of the answer (and of x/y): 4326 (default, RFC 7946 "
                "lon/lat), 2180 (PL-1992, metres; the feature then names its crs) or 3857.")
ERRORS = {400: out.ErrorSerializer, 401: out.ErrorSerializer, 403: out.ErrorSerializer,
          404: out.ErrorSerializer}


class ParcelApi(APIView):
    permission_classes = [AllowAny]
    renderer_classes = [GeoJSONRenderer, JSONRenderer, BrowsableAPIRenderer]


class ParcelAtPointApi(ParcelApi):
    @extend_schema(
        operation_id="parcel_at_point", tags=["parcels"],
        summary="The parcel at a point",
        description="The current cadastral parcel under a point given as `lon`/`lat` "
                    "(WGS84) or as `x`/`y` in `srid`. A point outside Poland is refused with "
                    "400 (with a hint when lon and lat look swapped); 404 when no parcel "
                    "lies there. The card with zoning and actions is at `properties.url`.",
        parameters=[
            OpenApiParameter("lon", OpenApiTypes.DOUBLE, description="Longitude, WGS84."),
            OpenApiParameter("lat", OpenApiTypes.DOUBLE, description="Latitude, WGS84."),
            OpenApiParameter("x", OpenApiTypes.DOUBLE, description="Easting in `srid`."),
            OpenApiParameter("y", OpenApiTypes.DOUBLE, description="Northing in `srid`."),
            SRID,
        ],
        responses={200: out.ParcelFeatureSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        # The lean path already asked and was refused: the same refusal, not a second query.
        known = getattr(request._request, "parcel_at_point_error", None)
        if known is not None:
            raise known
        return Response(parcel_at_point_feature(request.query_params, request.user))

    @classmethod
    def as_view(cls, **initkwargs):
        drf_view = super().as_view(**initkwargs)

        @functools.wraps(drf_view)  # keeps .cls and .initkwargs for the OpenAPI schema
        def view(request: HttpRequest, *args, **kwargs):
            return parcel_at_point_lean(request) or drf_view(request, *args, **kwargs)

        return view


def parcel_at_point_feature(query, user) -> dict:
    asked = PointQuery.from_query(query)
    outline = parcels.parcel_outline_visible_at(user=user, point=asked.point, srid=asked.srid,
                                                digits=out.digits_for(asked.srid))
    return out.outline_feature(outline)


# What a plain GET may accept to be answered on the lean path, and the type it then gets
# (DRF's negotiation would pick the same renderer).
_LEAN_ACCEPT = {"": GeoJSONRenderer.media_type, "*/*": GeoJSONRenderer.media_type,
                GeoJSONRenderer.media_type: GeoJSONRenderer.media_type,
                JSONRenderer.media_type: JSONRenderer.media_type}


def parcel_at_point_lean(request: HttpRequest, user=None) -> HttpResponse | None:
    """A click on the map, the API's hottest read, answered without DRF's request wrapping,
    authentication and content negotiation where they change nothing: a plain GET for
    (Geo)JSON. The same function answers, asking the same access policy with `user`, else
    the user of Django's authentication (sessions, and the API tokens and basic credentials
    of core.authentication, as DRF's classes read them), rendered by the same renderer,
    with DRF's Vary and Allow. Anything else (the browsable API, ?format=, a refusal, a
    point with no parcel) is None: DRF then answers it, errors in the product's one shape;
    a refusal found here is kept on the request for DRF to raise, not asked again."""
    if request.method != "GET" or "format" in request.GET \
            or hasattr(request, "parcel_at_point_error"):
        return None
    media_type = _LEAN_ACCEPT.get(request.headers.get("Accept", "").strip())
    if media_type is None:
        return None
    try:
        feature = parcel_at_point_feature(request.GET, request.user if user is None else user)
    except GeoPortalError as error:
        request.parcel_at_point_error = error
        return None
    renderer = GeoJSONRenderer() if media_type == GeoJSONRenderer.media_type else (
        JSONRenderer())
    response = HttpResponse(renderer.render(feature), content_type=media_type)
    response["Vary"] = "Accept"
    response["Allow"] = "GET, HEAD, OPTIONS"
    return response


class ParcelDetailApi(ParcelApi):
    @extend_schema(
        operation_id="parcel_card", tags=["parcels"],
        summary="A parcel's card",
        description="The parcel with identifier `parcel_id` (idDzialki, "
                    "`WWPPGG_R.OOOO.NR`, e.g. `026101_1.0001.123/4`; the slash of a fraction "
                    "may be sent as is or as %2F): registered area, land-use classes, "
                    "buildings, addresses, the zones of plans in force over it with the share "
                    "of its area, and the applications its unit offers for it. 400 for a "
                    "malformed id, 404 (with near misses in `detail.suggestions`) for an "
                    "unknown one, 401/403 for a parcel the user may not see.",
        parameters=[OpenApiParameter("parcel_id", OpenApiTypes.STR, OpenApiParameter.PATH,
                                     description="idDzialki"), SRID],
        responses={200: out.ParcelCardSerializer, **ERRORS},
    )
    def get(self, request: Request, parcel_id: str) -> Response:
        srid = OutputSrid.from_query(request.query_params).srid
        parcel = parcels.parcel_visible_by_id(user=request.user, parcel_id=parcel_id)
        card = parcels.parcel_card(parcel=parcel)
        return Response(out.feature(parcel, out.card_properties(card), srid))


class ParcelSearchApi(ParcelApi):
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]

    @extend_schema(
        operation_id="parcel_search", tags=["parcels"],
        summary="Search parcels, precincts and addresses",
        description="`q` is a full parcel id (`026101_1.0001.123/4`), a precinct (name or "
                    "number) and a parcel number (`Centrum 123/4`, `0001 123/4`), a parcel "
                    "number alone, a precinct's name or number, or a street and house number. "
                    "When nothing matches exactly, `suggestions` holds near misses (e.g. "
                    "123/40 for 123/4) and `message` says what was not found. A malformed "
                    "full id is refused with 400. On a unit's own host name, precincts, "
                    "numbers and addresses are looked for in that unit only unless "
                    "`scope=all`; a full id is answered wherever its parcel is.",
        parameters=[OpenApiParameter("q", OpenApiTypes.STR, required=True),
                    OpenApiParameter("scope", OpenApiTypes.STR, enum=list(SEARCH_SCOPES),
                                     required=False,
                                     description="`unit` (default): on a unit's host name, "
                                                 "that unit only; `all`: every unit the "
                                                 "user may see."), SRID],
        responses={200: out.SearchAnswerSerializer, 400: out.ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        srid = OutputSrid.from_query(request.query_params).srid
        query = request.query_params.get("q", "").strip()
        if not query or len(query) > MAX_QUERY:
            raise InvalidInput(_("Parameter q must hold 1 to %(max)s characters.")
                               % {"max": MAX_QUERY}, detail={"q": query[:MAX_QUERY]})
        scope = request.query_params.get("scope", "unit")
        if scope not in SEARCH_SCOPES:
            raise InvalidInput(_("Parameter scope must be one of: %(scopes)s.")
                               % {"scopes": ", ".join(SEARCH_SCOPES)},
                               detail={"scope": scope[:MAX_QUERY]})
        within = host_unit(request) if scope == "unit" else None
        answer = parcels.parcel_search(query=query, user=request.user, within=within)
        return Response({
            "query": query, "srid": srid,
            "results": [out.hit_json(hit, srid) for hit in answer.results],
            "suggestions": [out.hit_json(hit, srid) for hit in answer.suggestions],
            "message": answer.message,
        })


class ParcelActionsApi(ParcelApi):
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]
    MAX_PARCELS = 50

    @extend_schema(
        operation_id="parcel_actions", tags=["parcels"],
        summary="Applications offered for parcels",
        description="The application kinds the parcels' unit offers for the parcels in "
                    "`ids` (comma-separated idDzialki of one unit), each with the URL of its "
                    "form with the parcels filled in. Parcels of several units get none.",
        parameters=[OpenApiParameter("ids", OpenApiTypes.STR, required=True)],
        responses={200: out.ActionsSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        ids = [i.strip() for i in request.query_params.get("ids", "").split(",") if i.strip()]
        if not ids or len(ids) > self.MAX_PARCELS:
            raise InvalidInput(_("Parameter ids must list 1 to %(max)s parcel ids.")
                               % {"max": self.MAX_PARCELS}, detail={"ids": len(ids)})
        chosen = [parcels.parcel_visible_by_id(user=request.user, parcel_id=i) for i in ids]
        actions = parcels.parcel_actions(parcels=chosen)
        return Response({"ids": [p.parcel_id for p in chosen],
                         "actions": [{"code": a.code, "title": a.title, "url": a.url}
                                     for a in actions]})
