"""The zoning extract's document through the JSON API, with the pages' permissions: the
officer reads and corrects the draft text and issues the extract; the applicant sees the
document's address once it is issued. Errors are core.errors (core.api.exception_handler)."""
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import NotFound

from .. import selectors
from ..access import roles_towards
from ..api import ERRORS
from ..workflow import OFFICER
from . import services
from .models import ZoningExtract

TAGS = ["applications"]


class ExtractOut(serializers.Serializer):
    wants_text = serializers.BooleanField()
    wants_map = serializers.BooleanField()
    copies = serializers.IntegerField()
    text_pages = serializers.IntegerField()
    map_pages = serializers.IntegerField()
    text = serializers.CharField(allow_null=True)
    generated_at = serializers.DateTimeField(allow_null=True)
    draft_url = serializers.CharField(allow_null=True)
    issued_at = serializers.DateTimeField(allow_null=True)
    issued_url = serializers.CharField(allow_null=True)


class TextIn(serializers.Serializer):
    text = serializers.CharField(max_length=services.MAX_TEXT, trim_whitespace=False)


class IssueIn(serializers.Serializer):
    version = serializers.IntegerField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


def _row(request: Request, pk: int) -> tuple[ZoningExtract, bool]:
    app = selectors.application_get(user=request.user, pk=pk)
    row = ZoningExtract.objects.filter(application=app).first()
    if row is None:
        raise NotFound(detail={"application": pk, "kind": services.KIND})
    return row, OFFICER in roles_towards(request.user, app)


def _out(request: Request, row: ZoningExtract, officer: bool) -> dict:
    issued = bool(row.issued_pdf) and row.application.outcome == services.ISSUED
    pk = row.application_id
    return ExtractOut({
        "wants_text": row.wants_text, "wants_map": row.wants_map, "copies": row.copies,
        "text_pages": row.text_pages, "map_pages": row.map_pages,
        "text": row.text if officer else None,
        "generated_at": row.generated_at if officer else None,
        "draft_url": request.build_absolute_uri(reverse("permits:zoning_extract_draft",
                                                        args=[pk]))
        if officer and row.draft_pdf else None,
        "issued_at": row.issued_at if issued else None,
        "issued_url": request.build_absolute_uri(reverse("permits:zoning_extract_issued",
                                                         args=[pk])) if issued else None,
    }).data


class ExtractApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="zoning_extract_get", tags=TAGS,
                   responses={200: ExtractOut, **ERRORS},
                   summary="A zoning extract's document: draft text (officer), issued PDF")
    def get(self, request: Request, pk: int) -> Response:
        row, officer = _row(request, pk)
        if officer:
            row = services.extract_draft_ensure(application=row.application)
        return Response(_out(request, row, officer))

    @extend_schema(operation_id="zoning_extract_text", tags=TAGS, request=TextIn,
                   responses={200: ExtractOut, **ERRORS},
                   summary="Correct the draft's text (officer); the draft is made again")
    def put(self, request: Request, pk: int) -> Response:
        row, _officer = _row(request, pk)
        data = TextIn(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.extract_text_update(application_id=pk, by=request.user,
                                           text=data.validated_data["text"])
        return Response(_out(request, row, True))


class ExtractIssueApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="zoning_extract_issue", tags=TAGS, request=IssueIn,
                   responses={200: ExtractOut, **ERRORS},
                   summary="Issue the extract (officer): final PDF, decision 'issued'")
    def post(self, request: Request, pk: int) -> Response:
        _row(request, pk)
        data = IssueIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.extract_issue(application_id=pk, by=request.user,
                               version=data.validated_data.get("version"),
                               reason=data.validated_data.get("reason", ""))
        row, officer = _row(request, pk)
        return Response(_out(request, row, officer))
