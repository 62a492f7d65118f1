from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import selectors
from .hosts import host_unit, host_unit_teryt
from .map_messages import map_messages
from .parcel_selectors import search_examples

# The OGC services MapProxy publishes under /mapproxy/ (see layers/urls.py): name -> path.
OGC_SERVICES = {
    "WMS": "mapproxy/service?SERVICE=WMS&REQUEST=GetCapabilities",
    "WMTS": "mapproxy/wmts/1.0.0/WMTSCapabilities.xml",
    "WFS": "wfs?SERVICE=WFS&REQUEST=GetCapabilities",
    "OGC API – Features": "ogcapi/",
    "ATOM (APP)": "atom/",
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
    """The portal's home page; on a unit's own host name, that unit's page."""
    teryt = host_unit_teryt(request)
    if teryt:
        from .unit_page import unit_page

        return unit_page(request, teryt)
    return render(request, "geo_portal/home.html", {
        "units": selectors.unit_summaries(),
        "my_units": selectors.unit_roles_for(user=request.user),
        "ogc_services": {name: _absolute(request, path) for name, path in OGC_SERVICES.items()},
        "map_config": _map_config(),
    })


# The resident's map (/mapa/): everything the page's script needs, in one JSON block.
# The pl1992 tile grid of mapproxy/base.yaml: origin north-west, 3125 m/px halving per level.
PL1992_GRID = {"origin": [100_000, 900_000], "extent": [100_000, 100_000, 900_000, 900_000],
               "resolution0": 3125.0, "levels": 17, "tileSize": 256, "name": "pl1992"}
WMTS_TILE_PATH = "mapproxy/wmts/{layer}/pl1992/{z}/{x}/{y}.png"
VECTOR_TILE_PATH = "tiles/pl1992/{layer}/{z}/{x}/{y}.mvt"
SCALES = (500, 1_000, 2_000, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000)


def _layer_json(layer: selectors.MapLayer) -> dict:
    return {"name": layer.name, "title": layer.title, "abstract": layer.abstract,
            "group": layer.group, "visible": layer.visible, "maxScale": layer.max_scale,
            "minScale": layer.min_scale, "legend": layer.legend}


def _map_extent(request: HttpRequest) -> tuple[float, ...]:
    """Where the map opens: on a unit's own host name that unit, else every hosted unit."""
    unit = host_unit(request)
    if unit is not None:
        from .unit_page import unit_extent

        extent = unit_extent(unit)
        if extent:
            return extent
    return selectors.hosted_extent()


def _map_page_config(request: HttpRequest) -> dict:
    language = get_language() or "pl"
    prefix = get_script_prefix()
    return {
        "extent": _map_extent(request),
        "bounds": _widened(selectors.poland_extent(), metres=100_000),
        "grid": PL1992_GRID,
        "scales": SCALES,
        "tiles": prefix + WMTS_TILE_PATH,
        "vectorTiles": prefix + VECTOR_TILE_PATH,
        "wms": prefix + WMS_GETMAP_PATH,
        "api": {"at": reverse("api-parcel-at"), "search": reverse("api-parcel-search"),
                "actions": reverse("api-parcel-actions"),
                "parcels": prefix + "api/parcels/"},
        "baseLayers": [_layer_json(b) for b in selectors.map_base_layers(
            user=request.user, language=language)],
        "baseMap": selectors.BASE_MAP,
        "overlays": [_layer_json(o) for o in selectors.map_overlays(
            user=request.user, language=language)],
        "groups": {"cadastre": _("Cadastre"), "planning": _("Spatial planning"),
                   "other": _("Other layers")},
        "attribution": _("Land and building register (EGiB) and plans of the hosted units"),
        "messages": map_messages(),
    }


def map_page(request: HttpRequest) -> HttpResponse:
    return render(request, "geo_portal/map.html", {
        "map_config": _map_page_config(request),
        "search_examples": search_examples(user=request.user, within=host_unit(request))})
