"""Pages of the tax register (/podatki/): findings with filters, totals and a map, a
finding's evidence and worklog, runs, imports and exports. Thin: they parse the request,
call a selector or a service and render; product errors become a page with their status."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import ensure_unit_access
from core.errors import Forbidden, GeoPortalError, RuleNotInForce
from core.pages import login_page

from . import exports, selectors, services
from .forms import (
    AssignForm,
    CommentForm,
    DismissForm,
    FindingFilterForm,
    ImportForm,
    ResolveForm,
    RunForm,
)
from .importer import TaxImportRejected
from .models import ReconciliationRun, TaxImport
from .rules import CATEGORY_NAMES, EVIDENCE_LABELS, FINDING_CATEGORIES

PAGE_SIZE = 100


# Login required; a product error answers with its status and message.
tax_page = login_page("cadastre_sync/tax/error.html")


def _context(request, unit, **extra) -> dict:
    return {"unit": unit, "categories": FINDING_CATEGORIES,
            "precincts": selectors.precinct_names(unit=unit), **extra}


@tax_page
def tax_home(request: HttpRequest) -> HttpResponse:
    units = list(selectors.tax_units(user=request.user))
    if len(units) == 1:
        return redirect("tax:findings", teryt=units[0].teryt)
    if not units:
        raise Forbidden()
    return render(request, "cadastre_sync/tax/units.html", {"units": units})


@tax_page
def findings(request: HttpRequest, teryt: str) -> HttpResponse:
    unit = selectors.tax_unit_get(user=request.user, teryt=teryt)
    filters = selectors.FindingFilters.from_query(request.GET)
    found = selectors.finding_list(unit=unit, filters=filters, user=request.user)
    totals, overall = selectors.finding_totals(findings=found)
    page = Paginator(found.select_related("last_run"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "cadastre_sync/tax/findings.html", _context(
        request, unit, filter_form=FindingFilterForm(initial=filters.__dict__), page=page,
        totals=totals, overall=overall, query=query.urlencode(), run_form=RunForm(),
        last_run=selectors.run_list(unit=unit).first(), names=CATEGORY_NAMES))


@tax_page
def findings_map(request: HttpRequest, teryt: str) -> HttpResponse:
    unit = selectors.tax_unit_get(user=request.user, teryt=teryt)
    filters = selectors.FindingFilters.from_query(request.GET)
    found = selectors.finding_list(unit=unit, filters=filters, user=request.user)
    totals, overall = selectors.finding_totals(findings=found)
    return render(request, "cadastre_sync/tax/map.html", _context(
        request, unit, map=selectors.map_findings(unit=unit, findings=found), totals=totals,
        overall=overall, filter_form=FindingFilterForm(initial=filters.__dict__),
        query=request.GET.urlencode(), limit=selectors.MAP_MAX_FINDINGS))


@tax_page
def finding_detail(request: HttpRequest, teryt: str, pk: int) -> HttpResponse:
    finding = selectors.finding_get(user=request.user, teryt=teryt, pk=pk)
    people = selectors.finding_personal_data(user=request.user, finding=finding)
    if people.owners or people.taxpayers:
        services.personal_data_access_log(
            user=request.user, unit=finding.unit, action="view",
            subject=f"finding {finding.pk} {finding.parcel_ref}",
            taxpayer_ids=[t.pk for t in people.taxpayers])
    officers = selectors.tax_officers(unit=finding.unit)
    evidence = [(EVIDENCE_LABELS.get(key, key), value) for key, value in finding.evidence.items()
                if key not in ("owners", "taxpayers")]
    return render(request, "cadastre_sync/tax/finding.html", _context(
        request, finding.unit, finding=finding, people=people, evidence=evidence,
        category_name=CATEGORY_NAMES.get(finding.category, finding.category),
        events=finding.events.select_related("by"),
        map=selectors.map_findings(unit=finding.unit,
                                   findings=type(finding).objects.filter(pk=finding.pk)),
        assign_form=AssignForm(officers=officers,
                               initial={"officer": finding.assigned_to_id}),
        # One page holds the three forms: their own ids keep each label on its own field.
        comment_form=CommentForm(auto_id="comment_%s"),
        resolve_form=ResolveForm(auto_id="resolve_%s"),
        dismiss_form=DismissForm(auto_id="dismiss_%s")))


ACTIONS = {
    "assign": (AssignForm, lambda f, by, data: services.finding_assign(
        finding=f, by=by, to=data["officer"]), _("Assignment saved.")),
    "comment": (CommentForm, lambda f, by, data: services.finding_comment(
        finding=f, by=by, text=data["text"]), _("Comment added.")),
    "resolve": (ResolveForm, lambda f, by, data: services.finding_resolve(
        finding=f, by=by, action_taken=data["text"]), _("Finding resolved.")),
    "dismiss": (DismissForm, lambda f, by, data: services.finding_dismiss(
        finding=f, by=by, reason=data["text"]), _("Marked as not a discrepancy.")),
}


@require_POST
@tax_page
def finding_action(request: HttpRequest, teryt: str, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    finding = selectors.finding_get(user=request.user, teryt=teryt, pk=pk, action="change")
    form_class, perform, done = ACTIONS[action]
    kwargs = {"officers": selectors.tax_officers(unit=finding.unit)} if action == "assign" \
        else {}
    form = form_class(request.POST, **kwargs)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            perform(finding, request.user, form.cleaned_data)
        except GeoPortalError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, str(done))
    return redirect("tax:finding", teryt=finding.unit.teryt, pk=finding.pk)


@tax_page
def runs(request: HttpRequest, teryt: str) -> HttpResponse:
    unit = selectors.tax_unit_get(user=request.user, teryt=teryt)
    form = RunForm(request.POST or None)
    if request.method == "POST":
        ensure_unit_access(request.user, unit, "cadastre_sync.reconciliationrun", "add")
        if form.is_valid():
            try:
                run = services.reconciliation_submit(unit=unit, year=form.cleaned_data["year"],
                                                     by=request.user,
                                                     full=form.cleaned_data["full"])
            except RuleNotInForce as exc:
                form.add_error("year", str(exc.message))
            else:
                return redirect("tax:run", teryt=teryt, pk=run.pk)
    return render(request, "cadastre_sync/tax/runs.html", _context(
        request, unit, runs=selectors.run_list(unit=unit)[:200], run_form=form))


@tax_page
def run_detail(request: HttpRequest, teryt: str, pk: int) -> HttpResponse:
    unit = selectors.tax_unit_get(user=request.user, teryt=teryt)
    run = get_object_or_404(ReconciliationRun, pk=pk, unit=unit)
    found = run.counts.get("found", {})
    rows = [(code, name, found.get(code, {})) for code, name, _c in FINDING_CATEGORIES]
    return render(request, "cadastre_sync/tax/run.html", _context(
        request, unit, run=run, rows=rows, steps=selectors.run_steps(run=run),
        coverage=selectors.run_coverage(run=run),
        running=run.status in (ReconciliationRun.QUEUED, ReconciliationRun.RUNNING)))


@tax_page
def imports(request: HttpRequest, teryt: str) -> HttpResponse:
    unit = selectors.tax_unit_get(user=request.user, teryt=teryt)
    form = ImportForm(request.POST or None, request.FILES or None, unit=unit)
    if request.method == "POST":
        ensure_unit_access(request.user, unit, "cadastre_sync.taximport", "add")
        if form.is_valid():
            profile = form.cleaned_data["profile"]
            try:
                job = services.tax_import_submit(
                    unit=unit, upload=form.cleaned_data["file"],
                    strict=form.cleaned_data["strict"], by=request.user,
                    profile=profile.name if profile else "")
            except TaxImportRejected as exc:
                messages.error(request, str(exc.message))
            else:
                return redirect("tax:import", teryt=teryt, pk=job.pk)
    return render(request, "cadastre_sync/tax/imports.html", _context(
        request, unit, imports=selectors.import_list(unit=unit)[:200], form=form))


@tax_page
def import_detail(request: HttpRequest, teryt: str, pk: int) -> HttpResponse:
    unit = selectors.tax_unit_get(user=request.user, teryt=teryt)
    job = get_object_or_404(TaxImport, pk=pk, unit=unit)
    return render(request, "cadastre_sync/tax/import.html", _context(
        request, unit, job=job, changes=selectors.import_changes(job=job),
        running=job.status in (TaxImport.QUEUED, TaxImport.RUNNING)))


@tax_page
def export(request: HttpRequest, teryt: str, fmt: str) -> HttpResponse:
    if fmt not in exports.EXPORTS:
        raise Http404
    unit = selectors.tax_unit_get(user=request.user, teryt=teryt)
    filters = selectors.FindingFilters.from_query(request.GET)
    found = selectors.finding_list(unit=unit, filters=filters, user=request.user).select_related(
        "first_run", "last_run")
    write, content_type, suffix = exports.EXPORTS[fmt]
    response = HttpResponse(write(found.iterator(chunk_size=2000)), content_type=content_type)
    response["Content-Disposition"] = (f'attachment; filename="niezgodnosci-podatkowe-'
                                       f'{unit.teryt}.{suffix}"')
    return response
