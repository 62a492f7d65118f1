"""The operator's pages (/operator/): thin, they parse the request and render selectors."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import InvalidInput, NotFound
from core.pages import login_page
from permits import kinds
from permits.models import ServiceTemplate
from permits.services import service_template_apply

from .access import operator_units
from .checklist import AMBER, GREEN, RED, unit_checklists
from .exports import EXPORTS, column_titles
from .statistics import BY_CHOICES, Period, stat_rows_sorted, unit_statistics

# Login required; a product error answers with its status and message.
operator_page = login_page("geo_portal/operator/error.html")


@operator_page
def operator_home(request: HttpRequest) -> HttpResponse:
    checklists = unit_checklists(units=operator_units(user=request.user))
    lights = {light: sum(1 for c in checklists if c.light == light)
              for light in (GREEN, AMBER, RED)}
    return render(request, "geo_portal/operator/home.html", {
        "checklists": checklists, "lights": lights,
        "templates": ServiceTemplate.objects.prefetch_related("kinds")})


@require_POST
@operator_page
def operator_template_apply(request: HttpRequest) -> HttpResponse:
    """One action: a template's services switched on in every unit of its level under the
    operator (or under the TERYT prefix chosen)."""
    template = ServiceTemplate.objects.filter(pk=request.POST.get("template") or 0).first()
    if template is None:
        raise InvalidInput(_("Choose a service template."), detail={"field": "template"})
    prefix = (request.POST.get("under") or "").strip()
    units = operator_units(user=request.user).filter(teryt__startswith=prefix)
    counts = service_template_apply(template=template, units=units)
    messages.success(request, _("“%(template)s”: %(enabled)s services switched on in "
                                "%(units)s units (%(unchanged)s already on).")
                     % {"template": template.name, **counts})
    return redirect("operator:home")


def statistics_query(request: HttpRequest) -> dict:
    """The period, grouping and order asked for (400 with the field on bad input)."""
    today = timezone.localdate()
    period = Period.parse(request.GET.get("from"), request.GET.get("to"), today=today)
    by = request.GET.get("by") or "unit"
    units = operator_units(user=request.user)
    rows, total = unit_statistics(units=units, period=period, by=by, today=today)
    sort = request.GET.get("sort") or ("teryt" if by != "service" else "kind")
    return {"period": period, "by": by, "sort": sort, "rows": stat_rows_sorted(rows, sort),
            "total": total}


@operator_page
def operator_statistics(request: HttpRequest) -> HttpResponse:
    query = statistics_query(request)
    chart = {"labels": [r.unit or r.service for r in query["rows"]],
             "received": [r.received for r in query["rows"]],
             "online": [r.online for r in query["rows"]],
             "decided": [r.decided for r in query["rows"]],
             "overdue": [r.overdue_now for r in query["rows"]],
             "series": {"received": _("received"), "online": _("filed online"),
                        "decided": _("decisions"), "overdue": _("overdue now")}}
    return render(request, "geo_portal/operator/statistics.html", {
        **query, "titles": column_titles(), "by_choices": BY_CHOICES, "chart": chart,
        "kinds": kinds.all_kinds(), "params": request.GET.urlencode()})


@operator_page
def operator_statistics_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in EXPORTS:
        raise NotFound(detail={"format": fmt})
    query = statistics_query(request)
    write, content_type = EXPORTS[fmt]
    response = HttpResponse(write(query["rows"], query["total"]), content_type=content_type)
    name = f"statistics-{query['period'].start}-{query['period'].end}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
