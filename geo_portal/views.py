from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix
from django.utils.translation import gettext as _

from . import selectors

# The OGC services MapProxy publishes under /mapproxy/ (see layers/urls.py): name -> path.
OGC_SERVICES = {
    "WMS": "mapproxy/service?SERVICE=WMS&REQUEST=GetCapabilities",
    "WMTS": "mapproxy/wmts/1.0.0/WMTSCapabilities.xml",
}
WMS_GETMAP_PATH = "mapproxy/service"
OVERVIEW_LAYERS = "units,precincts,parcels"


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(get_script_prefix() + path)


def _map_config() -> dict:
    return {
        "extent": selectors.hosted_extent(),
        "bounds": _widened(selectors.poland_extent(), metres=100_000),
        "wms": {"url": get_script_prefix() + WMS_GETMAP_PATH, "layers": OVERVIEW_LAYERS},
        "attribution": _("Land and building register (EGiB) of the hosted units"),
        "statusId": "overview-map-status",
        "messages": {
            "error": _("The map service is not available at the moment; the lists on this "
                       "page are up to date."),
            "zoomIn": _("Zoom in"),
            "zoomOut": _("Zoom out"),
        },
    }


def _widened(bbox: tuple[float, ...], *, metres: float) -> tuple[float, ...]:
    x0, y0, x1, y1 = bbox
    return (x0 - metres, y0 - metres, x1 + metres, y1 + metres)


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "geo_portal/home.html", {
        "units": selectors.unit_summaries(),
        "my_units": selectors.unit_roles_for(user=request.user),
        "ogc_services": {name: _absolute(request, path) for name, path in OGC_SERVICES.items()},
        "map_config": _map_config(),
    })
