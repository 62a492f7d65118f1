"""The permits JSON API: the same services and the same permissions as the pages.

One class per operation; errors are core.errors answered by core.api.exception_handler
(400 what and where, 401, 403, 404 for a case the caller may not see, 409 on a stale
version or a state that does not allow the action)."""
from datetime import date

from django.db import transaction
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import InvalidInput, NotFound
from core.models import AdministrativeUnit

from . import kinds, selectors, services
from .access import roles_towards
from .attachments import attachment_add
from .json_input import json_form_data
from .workflow import EXPECTED_OF_APPLICANT, State, allowed_actions

TAGS = ["applications"]


class ErrorOut(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    detail = serializers.DictField()


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class KindOut(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    url = serializers.CharField(help_text="The form page with the parcels pre-filled.")


class EventOut(serializers.Serializer):
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    actor_role = serializers.CharField()
    reason = serializers.CharField()
    data = serializers.DictField()
    at = serializers.DateTimeField()


class AttachmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    purpose = serializers.CharField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()


class ApplicationOut(serializers.Serializer):
    id = serializers.IntegerField()
    unit = serializers.CharField(source="unit.teryt")
    kind = serializers.CharField()
    procedure = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.SerializerMethodField()
    outcome = serializers.CharField()
    case_number = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    deadline = serializers.DateField()
    deadline_note = serializers.CharField()
    overdue = serializers.SerializerMethodField()
    version = serializers.IntegerField()
    digest = serializers.CharField()
    fee = serializers.DecimalField(max_digits=12, decimal_places=2)
    parcels = serializers.SerializerMethodField()

    def get_state_label(self, app) -> str:
        return str(State(app.state).label)

    def get_overdue(self, app) -> bool:
        return selectors.is_overdue(app)

    def get_parcels(self, app) -> list[str]:
        return [link.parcel_ident for link in app.parcel_links.all()]


class ApplicationDetailOut(ApplicationOut):
    content = serializers.DictField(source="payload")
    expected = serializers.SerializerMethodField()
    events = EventOut(many=True, source="events.all")
    attachments = AttachmentOut(many=True, source="attachments.all")
    actions = serializers.SerializerMethodField()

    def get_expected(self, app) -> str:
        return str(EXPECTED_OF_APPLICANT[app.state])

    def get_actions(self, app) -> list[str]:
        user = self.context["request"].user
        return [t.action for t in allowed_actions(app.state, roles_towards(user, app))]


def _kinds_content_help() -> str:
    # Each kind documents its own content (Kind.content_help).
    return "The kind's form fields. " + " ".join(
        f"{kind.code}: {kind.content_help}" for kind in kinds.all_kinds() if kind.content_help)


_content_help = _kinds_content_help()


class DraftIn(serializers.Serializer):
    kind = serializers.CharField()
    parcels = serializers.ListField(child=serializers.CharField(), min_length=1,
                                    help_text="idDzialki of each parcel, e.g. 026101_1.0001.12")
    content = serializers.DictField(help_text=_content_help)
    submit = serializers.BooleanField(default=False, help_text="Submit at once.")


class SaveIn(serializers.Serializer):
    content = serializers.DictField()
    version = serializers.IntegerField()


class VersionIn(serializers.Serializer):
    version = serializers.IntegerField()


class TransitionIn(serializers.Serializer):
    action = serializers.CharField()
    version = serializers.IntegerField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    outcome = serializers.CharField(required=False, allow_blank=True, default="")
    date = serializers.DateField(required=False, allow_null=True, default=None)
    conditions = serializers.ListField(child=serializers.DictField(), required=False,
                                       default=list)
    acknowledge = serializers.ListField(
        child=serializers.CharField(), required=False, default=list,
        help_text="Codes of the review warnings the officer considered; a decision is "
                  "refused while any warning of the case is not among them.")


class ExtensionIn(serializers.Serializer):
    version = serializers.IntegerField()
    new_deadline = serializers.DateField()
    reason = serializers.CharField(allow_blank=True)


def _valid(serializer_class, data):
    s = serializer_class(data=data)
    if not s.is_valid():
        raise InvalidInput(detail=s.errors)
    return s.validated_data


def _bound_form(kind_code: str, parcels, content: dict, application=None):
    kind = kinds.get(kind_code)
    if kind is None:
        raise NotFound(detail={"kind": kind_code})
    adapt = getattr(kind.form_class(), "from_json", None) or json_form_data
    data = adapt(content)
    form = kind.form_class()(data, None, application=application, parcels=parcels)
    if not form.is_valid():
        raise InvalidInput(detail=dict(form.errors))
    return form


class OfferedKindsApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="permit_kinds_offered", tags=TAGS, parameters=[
        OpenApiParameter("unit", str, required=True, description="TERYT of the unit"),
        OpenApiParameter("parcels", str, description="idDzialki, comma-separated")],
        responses={200: KindOut(many=True), **ERRORS},
        summary="Application kinds a unit offers, with the form URL for parcels")
    def get(self, request: Request) -> Response:
        unit = AdministrativeUnit.objects.filter(teryt=request.query_params.get("unit")).first()
        if unit is None:
            raise NotFound(detail={"unit": request.query_params.get("unit")})
        ids = [p for p in request.query_params.get("parcels", "").split(",") if p]
        return Response(KindOut(selectors.offered_kinds(unit, ids), many=True).data)


class ApplicationListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="applications_list", tags=TAGS, parameters=[
        OpenApiParameter("mine", bool, description="Only the caller's own applications"),
        OpenApiParameter("kind", str), OpenApiParameter("state", str),
        OpenApiParameter("due", str, enum=["overdue", "week"])],
        responses={200: ApplicationOut(many=True), **ERRORS},
        summary="Applications the caller may see (own ones; an officer's unit queue)")
    def get(self, request: Request) -> Response:
        q = request.query_params
        if q.get("mine") in ("1", "true"):
            qs = selectors.my_applications(user=request.user)
        else:
            qs = selectors.officer_queue(user=request.user, kind=q.get("kind", ""),
                                         state=q.get("state", ""), due=q.get("due", ""))
        return Response(ApplicationOut(qs[:500], many=True).data)

    @extend_schema(operation_id="applications_create", tags=TAGS, request=DraftIn,
                   responses={201: ApplicationDetailOut, **ERRORS},
                   summary="Save a new draft (and submit it with submit=true)")
    def post(self, request: Request) -> Response:
        data = _valid(DraftIn, request.data)
        parcels = selectors.parcels_from_ids(data["parcels"])
        form = _bound_form(data["kind"], parcels, data["content"])

        with transaction.atomic():
            app = services.draft_create(by=request.user, kind_code=data["kind"],
                                        parcels=parcels)
            app = services.draft_save(application_id=app.pk, by=request.user, form=form)
            if data["submit"]:
                app = services.application_submit(application_id=app.pk, by=request.user,
                                                   version=app.version)
        app = selectors.application_get(user=request.user, pk=app.pk)
        return Response(ApplicationDetailOut(app, context={"request": request}).data,
                        status=201)


class ApplicationApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="applications_get", tags=TAGS,
                   responses={200: ApplicationDetailOut, **ERRORS},
                   summary="One application with its history and the caller's actions")
    def get(self, request: Request, pk: int) -> Response:
        app = selectors.application_get(user=request.user, pk=pk)
        return Response(ApplicationDetailOut(app, context={"request": request}).data)

    @extend_schema(operation_id="applications_save", tags=TAGS, request=SaveIn,
                   responses={200: ApplicationDetailOut, **ERRORS}, summary="Save a draft")
    def put(self, request: Request, pk: int) -> Response:
        data = _valid(SaveIn, request.data)
        app = selectors.application_get(user=request.user, pk=pk)
        parcels = [link.parcel for link in app.parcel_links.select_related("parcel__unit")]
        form = _bound_form(app.kind, parcels, data["content"], application=app)
        services.draft_save(application_id=pk, by=request.user, form=form,
                            version=data["version"])
        app = selectors.application_get(user=request.user, pk=pk)
        return Response(ApplicationDetailOut(app, context={"request": request}).data)


class SubmitApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="applications_submit", tags=TAGS, request=VersionIn,
                   responses={200: ApplicationDetailOut, **ERRORS},
                   summary="Submit a draft: case number, digest, PDF")
    def post(self, request: Request, pk: int) -> Response:
        data = _valid(VersionIn, request.data)
        selectors.application_get(user=request.user, pk=pk)
        services.application_submit(application_id=pk, by=request.user,
                                    version=data["version"])
        app = selectors.application_get(user=request.user, pk=pk)
        return Response(ApplicationDetailOut(app, context={"request": request}).data)


class TransitionApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="applications_transition", tags=TAGS, request=TransitionIn,
                   responses={200: ApplicationDetailOut, **ERRORS},
                   summary="Apply one workflow action (see the transition table)")
    def post(self, request: Request, pk: int) -> Response:
        data = _valid(TransitionIn, request.data)
        app = selectors.application_get(user=request.user, pk=pk)
        # Asked of whoever may take the action on the current version only: anyone else
        # (and a stale request) is refused by the service, learning nothing of the review.
        may = any(t.action == data["action"]
                  for t in allowed_actions(app.state, roles_towards(request.user, app)))
        unconsidered = selectors.unacknowledged_warnings(app, action=data["action"],
                                                         acknowledged=data["acknowledge"])
        if may and app.version == data["version"] and unconsidered:
            raise selectors.unacknowledged_refusal(unconsidered)
        on_date: date | None = data["date"]
        services.application_transition(
            application_id=pk, action=data["action"], by=request.user, version=data["version"],
            reason=data["reason"], outcome=data["outcome"], on_date=on_date,
            conditions=data["conditions"])
        app = selectors.application_get(user=request.user, pk=pk)
        return Response(ApplicationDetailOut(app, context={"request": request}).data)


class ExtensionApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="applications_extend", tags=TAGS, request=ExtensionIn,
                   responses={200: ApplicationDetailOut, **ERRORS},
                   summary="Notify a delay with the new term and its reason (KPA art. 36 § 1)")
    def post(self, request: Request, pk: int) -> Response:
        data = _valid(ExtensionIn, request.data)
        selectors.application_get(user=request.user, pk=pk)
        services.application_deadline_extend(
            application_id=pk, by=request.user, new_deadline=data["new_deadline"],
            reason=data["reason"], version=data["version"])
        app = selectors.application_get(user=request.user, pk=pk)
        return Response(ApplicationDetailOut(app, context={"request": request}).data)


class AttachmentApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(operation_id="applications_attach", tags=TAGS, request={
        "multipart/form-data": {"type": "object", "properties": {
            "file": {"type": "string", "format": "binary"}, "purpose": {"type": "string"}}}},
        responses={201: AttachmentOut, **ERRORS},
        summary="Attach a document (PDF, JPEG, PNG, TIFF by content; 10 MB)")
    def post(self, request: Request, pk: int) -> Response:
        app = selectors.application_get(user=request.user, pk=pk)
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput(detail={"field": "file"})
        att = attachment_add(application=app, by=request.user, upload=upload,
                             purpose=request.data.get("purpose", ""))
        return Response(AttachmentOut(att).data, status=201)


urls = [
    path("kinds/", OfferedKindsApi.as_view(), name="api-kinds"),
    path("applications/", ApplicationListApi.as_view(), name="api-list"),
    path("applications/<int:pk>/", ApplicationApi.as_view(), name="api-detail"),
    path("applications/<int:pk>/submit/", SubmitApi.as_view(), name="api-submit"),
    path("applications/<int:pk>/transitions/", TransitionApi.as_view(), name="api-transition"),
    path("applications/<int:pk>/extension/", ExtensionApi.as_view(), name="api-extend"),
    path("applications/<int:pk>/attachments/", AttachmentApi.as_view(), name="api-attach"),
]
