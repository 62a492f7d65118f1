"""The tree removal's own API: the live verdict the form asks for as the resident types."""
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors
from ..api import ERRORS, TAGS, _bound_form, _valid


class AssessmentIn(serializers.Serializer):
    parcels = serializers.ListField(child=serializers.CharField(), min_length=1)
    content = serializers.DictField()


class AssessmentOut(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=["nothing", "notification", "permit"])
    fee = serializers.DecimalField(max_digits=12, decimal_places=2)
    lines = serializers.ListField(child=serializers.CharField())


class TreeAssessmentApi(APIView):
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]

    @extend_schema(operation_id="trees_assessment", tags=TAGS, request=AssessmentIn,
                   responses={200: AssessmentOut, **ERRORS},
                   summary="Does this tree removal need nothing, a notification or a permit; "
                           "the fee and how it was computed")
    def post(self, request: Request) -> Response:
        data = _valid(AssessmentIn, request.data)
        parcels = selectors.parcels_from_ids(data["parcels"])
        result = _bound_form("trees", parcels, data["content"]).verdict()
        return Response(AssessmentOut({"verdict": result.verdict, "fee": result.fee,
                                       "lines": list(result.lines)}).data)
