"""A unit's public page (/<teryt>/): where its residents land, with the office's name and
crest, the services it offers online and a map centred on the unit."""
from dataclasses import dataclass
from pathlib import Path

from django.contrib.gis.db.models import Extent
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext as _

from cadastre_sync.models import Parcel
from core.models import AdministrativeUnit
from permits import kinds
from permits.models import KindSetting

from . import selectors
from .views import OVERVIEW_LAYERS, WMS_GETMAP_PATH, _widened

# The resident's map opens at this scale on the unit's centre when it has no boundary.
UNIT_MAP_SCALE = 25_000


@dataclass(frozen=True)
class Service:
    code: str
    title: str
    description: str
    instructions: str


def unit_extent(unit: AdministrativeUnit) -> tuple[float, ...] | None:
    """The unit's boundary box, else its current parcels' box, in EPSG:2180."""
    if unit.boundary is not None:
        return unit.boundary.extent
    found = Parcel.objects.filter(unit__teryt__startswith=unit.teryt, retired_at__isnull=True
                                  ).aggregate(e=Extent("geom"))["e"]
    return tuple(found) if found else None


def unit_services(unit: AdministrativeUnit) -> list[Service]:
    settings = {s.kind: s for s in KindSetting.objects.filter(unit=unit, enabled=True)}
    return [Service(k.code, str(k.title), str(k.description), settings[k.code].instructions)
            for k in kinds.all_kinds() if k.code in settings]


# A crest is public and changes rarely: caches may keep it for a day.
CREST_CACHE_CONTROL = "public, max-age=86400"
CREST_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".webp": "image/webp"}


def unit_crest(request: HttpRequest, teryt: str) -> HttpResponse:
    """The unit's crest. Uploaded files are not served by URL (core.files), so the one
    public image a unit uploads has this view of its own."""
    unit = AdministrativeUnit.objects.filter(teryt=teryt).first()
    if unit is None or not unit.crest:
        raise Http404
    content_type = CREST_TYPES.get(Path(unit.crest.name).suffix.lower())
    if content_type is None:
        raise Http404
    response = FileResponse(unit.crest.open("rb"), content_type=content_type)
    response["Cache-Control"] = CREST_CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    return response


def unit_page(request: HttpRequest, teryt: str) -> HttpResponse:
    unit = AdministrativeUnit.objects.filter(teryt=teryt).first()
    if unit is None:
        raise Http404
    extent = unit_extent(unit)
    map_url = reverse("map")
    if extent:
        x, y = (extent[0] + extent[2]) / 2, (extent[1] + extent[3]) / 2
        map_url += f"?x={x:.0f}&y={y:.0f}&scale={UNIT_MAP_SCALE}"
    return render(request, "geo_portal/unit.html", {
        "unit": unit, "services": unit_services(unit), "map_url": map_url,
        "map_config": {
            "extent": extent or selectors.hosted_extent(),
            "bounds": _widened(selectors.poland_extent(), metres=100_000),
            "wms": {"url": get_script_prefix() + WMS_GETMAP_PATH,
                    "layers": OVERVIEW_LAYERS},
            "attribution": _("Land and building register (EGiB) of %(unit)s")
            % {"unit": unit.name},
            "statusId": "overview-map-status",
            "messages": {"error": _("The map service is not available at the moment."),
                         "zoomIn": _("Zoom in"), "zoomOut": _("Zoom out")},
        },
    })
