"""The operator's JSON API: the same checklists and statistics as the pages, same numbers."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .access import operator_units
from .checklist import unit_checklists
from .views import statistics_query


class OperatorApi(APIView):
    # Access is decided by operator_units (401 anonymous, 403 without an operator role).
    permission_classes = [AllowAny]


class OperatorUnitsApi(OperatorApi):
    @extend_schema(operation_id="operator_units", tags=["operator"],
                   summary="Units under the operator with their set-up checklists",
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        checklists = unit_checklists(units=operator_units(user=request.user))
        return Response({"units": [c.as_dict() for c in checklists]})


class OperatorStatisticsApi(OperatorApi):
    @extend_schema(
        operation_id="operator_statistics", tags=["operator"],
        summary="Comparative statistics of the units under the operator",
        description="Counted over the event history in the period (`from`, `to`, inclusive, "
                    "YYYY-MM-DD; default: the year to date). `by`: unit, service or "
                    "unit_service; `sort`: a column name, `-` first for descending.",
        parameters=[OpenApiParameter("from", OpenApiTypes.DATE),
                    OpenApiParameter("to", OpenApiTypes.DATE),
                    OpenApiParameter("by", OpenApiTypes.STR,
                                     enum=["unit", "service", "unit_service"]),
                    OpenApiParameter("sort", OpenApiTypes.STR)],
        responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        query = statistics_query(request)
        return Response({"from": query["period"].start, "to": query["period"].end,
                         "by": query["by"], "rows": [r.as_dict() for r in query["rows"]],
                         "total": query["total"].as_dict()})
