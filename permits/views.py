"""Pages of the permits app: thin, they parse the request, call a service or selector, render.
Product errors (core.errors) become a message on the page, never a half-done change."""
from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import Forbidden, GeoPortalError, NotFound
from core.files import private_file_response
from core.pages import login_page
from core.selectors import person_contact
from layers.selectors import base_layer_names, parcel_zoning

from . import kinds, selectors, services
from .access import officer_units, roles_towards
from .attachments import attachment_add
from .json_input import posted_version
from .models import Attachment
from .payments import fee_awaits_decision, fee_payment
from .workflow import (
    APPLICANT,
    OFFICER,
    ROLE_LABELS,
    STATE_CHOICES,
    State,
    allowed_actions,
)


def _kind_or_404(code: str) -> kinds.Kind:
    kind = kinds.get(code)
    if kind is None:
        raise Http404
    return kind


def _parcel_ids(request: HttpRequest) -> list[str]:
    raw = request.GET.get("parcels") or request.POST.get("parcels") or ""
    return [p.strip() for p in raw.split(",") if p.strip()]


def _form_page(request, kind, form, *, app=None, parcels, status=200, verdict=None):
    return render(request, "permits/application_form.html", {
        "kind": kind, "form": form, "app": app, "parcels": parcels, "verdict": verdict,
        "parcel_ids": ",".join(p.parcel_id for p in parcels),
        "map_config": _map_config(user=request.user, parcel_rows=parcels,
                                  parcels=_parcels_geojson(parcels), editable=True,
                                  features=selectors.map_features(app, srid=2180) if app
                                  else None, assessment=kind.live_check(parcels) if kind.live_check
                                  else None),
        "attachment_purposes": Attachment.PURPOSE_CHOICES,
    }, status=status)


# The cadastre under the case's own layers, from our WMS (MapProxy, see layers/urls.py).
WMS_PATH = "mapproxy/service"
WMS_LAYERS = "parcels,buildings,parcel_numbers"


# The review map also shows the zoning designation under the case.
REVIEW_LAYERS = "general_zones,local_zones,buildings,parcels,parcel_numbers"


def _map_config(*, user, parcel_rows, wms_layers: str = WMS_LAYERS, **parts) -> dict:
    """The case map's settings: the cadastre (and zoning) over the default base map of
    the parcels' area, an orthophoto if one is published there, else the cartographic one."""
    extent = _extent(parcel_rows)
    bases = base_layer_names(user=user, near=extent)
    layers = ",".join([*bases[:1], wms_layers])
    return {"wms": {"url": get_script_prefix() + WMS_PATH, "layers": layers},
            "messages": {"error": _("The map service is not available at the moment; the "
                                    "form works without it.")}, **parts}


def _extent(parcels) -> tuple[float, float, float, float] | None:
    boxes = [p.geom.extent for p in parcels if p.geom is not None]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def _parcels_geojson(parcels) -> dict:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": selectors.geojson(p.geom, 2180),
         "properties": {"id": p.parcel_id}} for p in parcels]}


@login_required
def application_new(request: HttpRequest, kind: str) -> HttpResponse:
    """The form for parcels chosen on the map; the first save creates the draft."""
    kind_obj = _kind_or_404(kind)
    try:
        parcels = selectors.parcels_from_ids(_parcel_ids(request))
        if not parcels:
            messages.error(request, _("Choose a parcel on the map first."))
            return redirect("home")
        services.kind_setting_for(parcels[0].unit, kind)
    except GeoPortalError as exc:
        messages.error(request, str(exc.message))
        return redirect("home")
    form = kind_obj.form_class()(request.POST or None, request.FILES or None, parcels=parcels)
    if request.method == "POST" and "check" in request.POST:
        return _form_page(request, kind_obj, form, parcels=parcels, verdict=_check(form))
    if request.method != "POST":
        _prefill(form, request.user)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                app = services.draft_create(by=request.user, kind_code=kind, parcels=parcels)
                app = services.draft_save(application_id=app.pk, by=request.user, form=form)
        except GeoPortalError as exc:
            messages.error(request, str(exc.message))
        else:
            if "submit" in request.POST:
                return _submit(request, app)
            messages.success(request, _("Draft saved. You can come back to it from My cases."))
            return redirect("permits:edit", pk=app.pk)
    verdict = form.verdict() if request.method == "POST" and form.is_valid() else None
    return _form_page(request, kind_obj, form, parcels=parcels, verdict=verdict,
                      status=400 if request.method == "POST" else 200)


def _check(form):
    """The verdict of "Check": from what the kind needs for it (`check()`), else from the
    whole form once valid."""
    if hasattr(form, "check"):
        return form.check()
    return form.verdict() if form.is_valid() and hasattr(form, "verdict") else None


def _submit(request, app):
    """Submit a saved draft; a refusal (e.g. a missing document) leaves it a draft."""
    try:
        app = services.application_submit(application_id=app.pk, by=request.user,
                                           version=app.version)
    except GeoPortalError as exc:
        messages.error(request, str(exc.message))
        return redirect("permits:edit", pk=app.pk)
    messages.success(request, _(
        "Submitted: case %(case)s on %(when)s. Keep the confirmation.") % {
        "case": app.case_number,
        "when": timezone.localtime(app.submitted_at).strftime("%d.%m.%Y %H:%M")})
    return redirect("permits:detail", pk=app.pk)


@login_required
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Resume a draft: check (verdict only), save, or save and submit."""
    app = _own_draft(request, pk)
    if isinstance(app, HttpResponse):
        return app
    kind = _kind_or_404(app.kind)
    parcels = [link.parcel for link in
               app.parcel_links.select_related("parcel__unit", "parcel__precinct")]
    form = kind.form_class()(request.POST or None, request.FILES or None, application=app,
                             parcels=parcels)
    verdict = None
    if request.method == "POST" and "check" in request.POST:
        verdict = _check(form)
    elif request.method == "POST":
        if not form.is_valid():
            return _form_page(request, kind, form, app=app, parcels=parcels, status=400)
        verdict = form.verdict() if hasattr(form, "verdict") else None
        try:
            app = services.draft_save(application_id=app.pk, by=request.user, form=form,
                                      version=posted_version(request.POST))
        except GeoPortalError as exc:
            messages.error(request, str(exc.message))
        else:
            if "submit" in request.POST:
                return _submit(request, app)
            messages.success(request, _("Draft saved."))
            return redirect("permits:edit", pk=app.pk)
    elif app.payload:
        verdict = _saved_verdict(app)
    return _form_page(request, kind, form, app=app, parcels=parcels, verdict=verdict)


def _prefill(form, user) -> None:
    """A new application starts with the name and address of the account: set on whichever
    Django form of the kind's form (itself or one of its parts) asks for them."""
    contact = person_contact(user=user)
    values = {"applicant_name": contact.get("name"), "applicant_address": contact.get("address")}
    parts = [form, *(v for v in vars(form).values() if isinstance(v, forms.BaseForm))]
    for part in parts:
        for field, value in values.items():
            if value and field in getattr(part, "fields", {}):
                part.initial.setdefault(field, value)


def _saved_verdict(app):
    kind = kinds.get(app.kind)
    if kind is not None and kind.saved_verdict is not None:
        return kind.saved_verdict(app)
    return None


def _own_draft(request, pk: int):
    app = selectors.my_applications(user=request.user).filter(pk=pk).first()
    if app is None:
        raise Http404
    if app.state != State.DRAFT:
        return redirect("permits:detail", pk=pk)
    return app


@login_required
@require_POST
def draft_delete(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.draft_delete(application_id=pk, by=request.user)
    except GeoPortalError as exc:
        messages.error(request, str(exc.message))
        return redirect("permits:mine")
    messages.success(request, _("Draft deleted."))
    return redirect("permits:mine")


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    app = _visible(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file."))
    else:
        try:
            attachment_add(application=app, by=request.user, upload=upload,
                           purpose=request.POST.get("purpose", ""))
            messages.success(request, _("Document %(name)s added.") % {"name": upload.name})
        except GeoPortalError as exc:
            messages.error(request, str(exc.message))
    target = "permits:edit" if app.state == State.DRAFT else "permits:detail"
    return redirect(target, pk=pk)


def _visible(request, pk: int):
    try:
        return selectors.application_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


@login_required
def attachment_download(request: HttpRequest, pk: int, att: int) -> HttpResponse:
    app = _visible(request, pk)
    attachment = app.attachments.filter(pk=att).first()
    if attachment is None:
        raise Http404
    return private_file_response(attachment.file, content_type=attachment.content_type,
                                 as_attachment=True, filename=attachment.original_name)


@login_required
def application_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    app = _visible(request, pk)
    if not app.pdf:
        raise Http404
    return private_file_response(app.pdf, content_type="application/pdf",
                                 filename=f"{app.case_number.replace('/', '-')}.pdf")


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    apps = list(selectors.my_applications(user=request.user))
    today = timezone.localdate()
    for app in apps:
        app.kind_obj = kinds.get(app.kind)
        app.expected = app.kind_obj.expected(app.state)
        app.overdue = selectors.is_overdue(app, today)
    return render(request, "permits/my_cases.html", {"apps": apps})


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The case: for the applicant its state, history and what is expected; for the unit's
    officer the review (map, zoning, nearby cases, flags) and the actions."""
    app = _visible(request, pk)
    if app.state == State.DRAFT and app.applicant_id == request.user.pk:
        return redirect("permits:edit", pk=pk)
    roles = roles_towards(request.user, app)
    kind = kinds.get(app.kind)
    context = {
        "app": app, "kind": kind, "roles": roles, "is_officer": OFFICER in roles,
        "is_applicant": APPLICANT in roles,
        "state_label": State(app.state).label, "expected": kind.expected(app.state),
        "payment": fee_payment(app),
        "fee_awaits_decision": fee_awaits_decision(app),
        "events": app.events.select_related("actor"), "role_labels": ROLE_LABELS,
        "actions": allowed_actions(app.state, roles),
        "outcome_label": next((o.label for o in kind.outcomes if o.code == app.outcome), ""),
        "outcomes": kind.outcomes_to_choose(app.procedure),
        "overdue": selectors.is_overdue(app),
        "extension": selectors.deadline_extension(app),
        "can_extend": OFFICER in roles and selectors.is_extendable(app),
        "summary": kind.summary(app) if kind.summary else [],
        "attachments": app.attachments.all(),
        "plantings": app.replacement_plantings.select_related("species"),
        "today": timezone.localdate(),
        "map_config": _map_config(user=request.user,
                                  parcel_rows=[link.parcel for link in app.parcel_links.all()],
                                  features=selectors.map_features(app, srid=2180),
                                  editable=False, wms_layers=REVIEW_LAYERS),
        "species": _species_for_conditions(),
        "attachment_purposes": Attachment.PURPOSE_CHOICES,
    }
    if kind.panel is not None:
        context["panel"] = kind.panel(app, request.user, roles)
    if OFFICER in roles:
        context.update({
            "flags": selectors.review_flags(app),
            "nearby": selectors.nearby_open_cases(app),
            "zoning": [(link, parcel_zoning(parcel=link.parcel))
                       for link in app.parcel_links.select_related("parcel__precinct")],
        })
    return render(request, "permits/application_detail.html", context)


def _species_for_conditions():
    from .trees.models import Species
    return Species.objects.all()


@login_required
@require_POST
def application_action(request: HttpRequest, pk: int) -> HttpResponse:
    app = _visible(request, pk)
    on_date = None
    if request.POST.get("date"):
        try:
            on_date = date.fromisoformat(request.POST["date"])
        except ValueError:
            messages.error(request, _("The date is not valid."))
            return redirect("permits:detail", pk=pk)
    conditions = []
    if request.POST.get("planting_number"):
        conditions = [{"number": request.POST.get("planting_number"),
                       "species": request.POST.get("planting_species"),
                       "place": request.POST.get("planting_place", ""),
                       "deadline": request.POST.get("planting_deadline", "")}]
    action = request.POST.get("action", "")
    # Asked only of whoever may take the action: anyone else is refused by the service,
    # learning nothing of the review.
    may = any(t.action == action for t in allowed_actions(app.state, roles_towards(
        request.user, app)))
    unconsidered = may and selectors.unacknowledged_warnings(
        app, action=action, acknowledged=request.POST.getlist("acknowledge"))
    if unconsidered:
        messages.error(request, str(selectors.unacknowledged_refusal(unconsidered).message))
        return redirect("permits:detail", pk=pk)
    try:
        services.application_transition(
            application_id=app.pk, action=request.POST.get("action", ""), by=request.user,
            version=posted_version(request.POST), reason=request.POST.get("reason", ""),
            outcome=request.POST.get("outcome", ""), on_date=on_date, conditions=conditions)
    except GeoPortalError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Done."))
    return redirect("permits:detail", pk=pk)


@login_required
@require_POST
def application_extend(request: HttpRequest, pk: int) -> HttpResponse:
    """The officer's notice of a delay (KPA art. 36 § 1): the new term and its reason."""
    app = _visible(request, pk)
    try:
        new_deadline = date.fromisoformat(request.POST.get("new_deadline", ""))
    except ValueError:
        messages.error(request, _("Give the new term as a date."))
        return redirect("permits:detail", pk=pk)
    try:
        services.application_deadline_extend(
            application_id=app.pk, by=request.user, new_deadline=new_deadline,
            reason=request.POST.get("reason", ""), version=posted_version(request.POST))
    except GeoPortalError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The applicant is notified of the delay and the new "
                                    "term."))
    return redirect("permits:detail", pk=pk)


class PaperReceiptForm(forms.Form):
    received_on = forms.DateField(
        label=_("Received at the office on"), widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day on the office's receipt stamp: the terms run from it."))


PAPER_TEMPLATE = "permits/paper_intake.html"


@login_page(PAPER_TEMPLATE)
def paper_intake(request: HttpRequest) -> HttpResponse:
    """An application received on paper, registered by an officer of the parcels' unit: the
    kind and parcels first, then the kind's own form and the day of receipt."""
    units = officer_units(request.user)
    if not units.exists():
        raise Forbidden(_("Only a case officer registers applications received on paper."))
    code = (request.GET.get("kind") or request.POST.get("kind") or "").strip()
    ids = _parcel_ids(request)
    context = {"kinds": kinds.all_kinds(), "kind_code": code, "parcel_ids": ",".join(ids)}
    if not code or not ids:
        return render(request, PAPER_TEMPLATE, context)
    kind = kinds.get(code)
    if kind is None:
        raise NotFound(_("There is no application kind %(kind)s.") % {"kind": code[:40]},
                       detail={"kind": code[:40]})
    parcels = selectors.parcels_from_ids(ids)
    if not units.filter(pk=parcels[0].unit_id).exists():
        raise Forbidden(_("Only an officer of %(unit)s registers its paper applications.")
                        % {"unit": parcels[0].unit.name}, detail={"unit": parcels[0].unit.teryt})
    posted = request.method == "POST"
    form = kind.form_class()(request.POST if posted else None,
                             request.FILES if posted else None, parcels=parcels)
    receipt = PaperReceiptForm(request.POST if posted else None,
                               initial={"received_on": timezone.localdate()})
    if posted and form.is_valid() and receipt.is_valid():
        try:
            app = services.application_register_paper(
                by=request.user, kind_code=kind.code, parcels=parcels, form=form,
                received_on=receipt.cleaned_data["received_on"])
        except GeoPortalError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Registered: case %(case)s, received on %(day)s.") % {
                "case": app.case_number, "day": app.received_on.strftime("%d.%m.%Y")})
            return redirect("permits:detail", pk=app.pk)
    context.update({
        "kind": kind, "form": form, "receipt": receipt, "parcels": parcels,
        "parcel_ids": ",".join(p.parcel_id for p in parcels),
        "map_config": _map_config(user=request.user, parcel_rows=parcels,
                                  parcels=_parcels_geojson(parcels), editable=True,
                                  assessment=kind.live_check(parcels) if kind.live_check
                                  else None)})
    return render(request, PAPER_TEMPLATE, context, status=400 if posted else 200)


@login_required
def officer_queue(request: HttpRequest) -> HttpResponse:
    units = officer_units(request.user, "view")
    unit = units.filter(teryt=request.GET.get("unit", "")).first()
    filters = {"kind": request.GET.get("kind", ""), "state": request.GET.get("state", ""),
               "due": request.GET.get("due", "")}
    apps = list(selectors.officer_queue(user=request.user, unit=unit, **filters)[:500])
    today = timezone.localdate()
    for app in apps:
        app.kind_obj = kinds.get(app.kind)
        app.procedure_label = app.kind_obj.procedure_label(app.procedure)
        app.overdue = selectors.is_overdue(app, today)
    return render(request, "permits/queue.html", {
        "apps": apps, "units": units, "unit": unit, "filters": filters,
        "may_register": officer_units(request.user).exists(),
        "kinds": kinds.all_kinds(), "states": [s for s in STATE_CHOICES if s[0] != "draft"]})
