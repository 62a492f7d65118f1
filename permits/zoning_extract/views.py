"""Pages of the zoning extract's own section on the case page: thin, services do the work."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import GeoPortalError, NotFound
from core.files import private_file_response

from .. import selectors
from ..access import roles_towards
from ..json_input import posted_version
from ..workflow import OFFICER
from . import services
from .models import ZoningExtract


def _row(request: HttpRequest, pk: int) -> tuple[ZoningExtract, set]:
    try:
        app = selectors.application_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    row = ZoningExtract.objects.filter(application=app).first()
    if row is None:
        raise Http404
    return row, roles_towards(request.user, app)


@login_required
@require_POST
def text_update(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.extract_text_update(application_id=pk, by=request.user,
                                     text=request.POST.get("text", ""))
        messages.success(request, _("Extract text saved; the draft was generated again."))
    except GeoPortalError as exc:
        messages.error(request, str(exc.message))
    return redirect("permits:detail", pk=pk)


@login_required
@require_POST
def regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    row, roles = _row(request, pk)
    if OFFICER not in roles:
        raise Http404
    if not request.POST.get("discard_corrections"):
        messages.error(request, _("Nothing was generated: confirm that the corrections to the "
                                  "text may be discarded."))
        return redirect("permits:detail", pk=pk)
    try:
        services.extract_draft_generate(application_id=row.application_id)
        messages.success(request, _("The draft was generated again from the plan data."))
    except GeoPortalError as exc:
        messages.error(request, str(exc.message))
    return redirect("permits:detail", pk=pk)


@login_required
@require_POST
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        app = services.extract_issue(application_id=pk, by=request.user,
                                     version=posted_version(request.POST),
                                     reason=request.POST.get("reason", ""))
        messages.success(request, _("The extract was issued; the applicant can download it."))
        notice = app.events.filter(action="decide").latest("pk").data.get("pages_notice")
        if notice:
            messages.warning(request, notice)
    except GeoPortalError as exc:
        messages.error(request, str(exc.message))
    return redirect("permits:detail", pk=pk)


@login_required
def draft_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    row, roles = _row(request, pk)
    if OFFICER not in roles or not row.draft_pdf:
        raise Http404
    return private_file_response(row.draft_pdf, content_type="application/pdf",
                                 filename=row.draft_pdf.name.rsplit("/", 1)[-1])


@login_required
def issued_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    row, _roles = _row(request, pk)
    if not row.issued_pdf or row.application.outcome != services.ISSUED:
        raise Http404
    return private_file_response(row.issued_pdf, content_type="application/pdf",
                                 as_attachment=True,
                                 filename=row.issued_pdf.name.rsplit("/", 1)[-1])
