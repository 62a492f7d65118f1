"""What a zoning extract says, gathered from the plan data: the wypis text and the wyrys sheets.

The wypis is written as plain text with light markup so that the official can correct it
in a text box before issuing: a line starting with "# " is a heading, "- " a list item,
a blank line ends a paragraph. The wyrys is a list of map sheets, one A4 page each: per
plan over the parcels, the parcels close enough to share a frame at the plan's scale.
"""
from dataclasses import dataclass, field

from django.contrib.gis.geos import MultiPolygon
from django.utils import formats, translation
from django.utils.translation import gettext as _

from cadastre_sync.models import Parcel
from layers.models import ZoningPlan
from layers.render import MapFrame
from layers.selectors import ParcelZoning, PlanDetail, ZoneCover, parcels_zoning

# The map's box on an A4 wyrys page (mm): what a sheet holds at the plan's scale.
MAP_WIDTH_MM = 180.0
MAP_HEIGHT_MM = 170.0
# Room kept around the parcels inside the frame, as a share of the frame.
FRAME_MARGIN = 0.12
# Scales tried when the parcels do not fit a sheet at the plan's scale (largest first).
FALLBACK_SCALES = (1000, 2000, 2500, 5000, 10000, 25000)
PRINT_DPI = 150
DATE_FORMAT = "d.m.Y"  # as dates are written in Polish official letters
# Which published map draws a plan of each kind (layers/registry.py COMPOSITES).
PLAN_MAP_LAYER = {ZoningPlan.LOCAL: "local_plan_map", ZoningPlan.GENERAL: "general_plan_map"}


@dataclass(frozen=True)
class MapSheet:
    plan: PlanDetail
    scale: int
    frame: MapFrame
    parcels: tuple[ParcelZoning, ...]  # the extract's parcels shown on it
    geoms: tuple[MultiPolygon, ...] = field(repr=False)

    @property
    def layer(self) -> str:
        return PLAN_MAP_LAYER[self.plan.kind]


@dataclass(frozen=True)
class ExtractContent:
    parcels: tuple[ParcelZoning, ...]
    text: str  # the wypis as the official will see and edit it
    sheets: tuple[MapSheet, ...]

    @property
    def covered(self) -> bool:
        return any(p.zones for p in self.parcels)


def extract_content(*, parcels: list[Parcel], language: str = "pl") -> ExtractContent:
    """The draft of an extract for `parcels` (current cadastre rows), in `language`."""
    zoning = parcels_zoning(parcel_ids=[p.pk for p in parcels])
    geoms = {p.pk: p.geom for p in parcels}
    with translation.override(language):
        text = wypis_text(zoning)
    return ExtractContent(parcels=tuple(zoning), text=text,
                          sheets=tuple(map_sheets(zoning, geoms)))


# --- the wypis -------------------------------------------------------------------------

def wypis_text(zoning: list[ParcelZoning]) -> str:
    blocks = [_("# Parcels and the plans covering them")]
    for parcel in zoning:
        blocks.append(_parcel_block(parcel))
    plans = _plans_in_order(zoning)
    if plans:
        blocks.append(_("# Provisions of the plans for these areas"))
    for plan in plans:
        blocks.append(f"## {_plan_title(plan)}")
        for zone in _zones_of_plan(zoning, plan.id):
            blocks.append(_zone_block(zone))
    return "\n\n".join(blocks) + "\n"


def _parcel_block(parcel: ParcelZoning) -> str:
    head = _("Parcel no. %(number)s, precinct %(precinct)s (%(id)s), area %(area)s m²") % {
        "number": parcel.number, "precinct": parcel.precinct, "id": parcel.parcel_id,
        "area": _num(parcel.area_m2, 0)}
    lines = [f"## {head}"]
    if not parcel.zones:
        lines.append(_("No local zoning plan (MPZP) and no general plan of the gmina is in "
                       "force for this parcel."))
        return "\n".join(lines)
    if not parcel.local_plans:
        lines.append(_("No local zoning plan (MPZP) is in force for this parcel."))
    for plan in parcel.plans:
        lines.append(_("%(plan)s — the parcel lies in:") % {"plan": _plan_title(plan)})
        for zone in parcel.zones_of(plan.id):
            lines.append("- " + _("%(label)s – %(designation)s: %(share)s %% of the parcel "
                                  "(%(area)s m²)") % {
                "label": zone.label, "designation": zone.designation or zone.symbol,
                "share": _num(zone.share * 100, 1), "area": _num(zone.area_m2, 0)})
    return "\n".join(lines)


def _zone_block(zone: ZoneCover) -> str:
    lines = [_("Area %(label)s (%(symbol)s): %(designation)s") % {
        "label": zone.label, "symbol": zone.symbol, "designation": zone.designation}]
    parameters = _parameters(zone)
    if parameters:
        lines.append(_("Parameters: %(list)s.") % {"list": "; ".join(parameters)})
    if zone.provisions.strip():
        lines.append(zone.provisions.strip())
    elif zone.plan.kind == ZoningPlan.LOCAL:
        lines.append(_("The text of the plan's provisions for this area is not held in the "
                       "portal; the official adds it from the resolution."))
    return "\n".join(lines)


def _parameters(zone: ZoneCover) -> list[str]:
    p = zone.parameters
    rows = [
        (p.max_intensity, _("maximum above-ground building intensity %(v)s"), 2),
        (p.max_built_up_share, _("maximum built-up share %(v)s %%"), 1),
        (p.max_height_m, _("maximum building height %(v)s m"), 1),
        (p.min_biologically_active_share, _("minimum biologically active share %(v)s %%"), 1),
    ]
    return [text % {"v": _num(value, places)} for value, text, places in rows
            if value is not None]


def _plan_title(plan: PlanDetail) -> str:
    kind = (_("Local zoning plan") if plan.kind == ZoningPlan.LOCAL
            else _("General plan of the gmina"))
    # Plan names usually say what they are ("Miejscowy plan … „Stare Miasto”").
    title = plan.name if "plan" in plan.name.lower() else f"{kind} „{plan.name}”"
    if plan.resolution_number:
        title += " " + _("(resolution no. %(number)s)") % {"number": plan.resolution_number}
    if plan.resolution_date:
        title += " " + _("of %(date)s") % {
            "date": formats.date_format(plan.resolution_date, DATE_FORMAT)}
    return title


def _plans_in_order(zoning: list[ParcelZoning]) -> list[PlanDetail]:
    plans = {plan.id: plan for parcel in zoning for plan in parcel.plans}
    return sorted(plans.values(), key=lambda p: (p.kind != ZoningPlan.LOCAL, p.name))


def _zones_of_plan(zoning: list[ParcelZoning], plan_id: int) -> list[ZoneCover]:
    zones: dict[int, ZoneCover] = {}
    for parcel in zoning:
        for zone in parcel.zones_of(plan_id):
            zones.setdefault(zone.zone_id, zone)
    return sorted(zones.values(), key=lambda z: z.label)


def _num(value, places: int) -> str:
    return formats.number_format(round(float(value), places), places, use_l10n=True)


# --- the wyrys ---------------------------------------------------------------------------

def map_sheets(zoning: list[ParcelZoning], geoms: dict[int, MultiPolygon]) -> list[MapSheet]:
    """One sheet per plan and group of nearby parcels: the parcels a plan covers, gathered
    greedily into frames of one A4 map box at the plan's scale (or the first fallback scale
    at which a lone parcel fits)."""
    sheets = []
    for plan in _plans_in_order(zoning):
        covered = [p for p in zoning if p.zones_of(plan.id)]
        for scale, group in _groups(covered, geoms, plan.scale_denominator or 1000):
            box = _extent([geoms[p.parcel_pk] for p in group])
            centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
            frame = MapFrame.at_scale(center=centre, scale=scale, width_mm=MAP_WIDTH_MM,
                                      height_mm=MAP_HEIGHT_MM, dpi=PRINT_DPI)
            sheets.append(MapSheet(plan=plan, scale=scale, frame=frame, parcels=tuple(group),
                                   geoms=tuple(geoms[p.parcel_pk] for p in group)))
    return sheets


def _groups(parcels: list[ParcelZoning], geoms: dict, plan_scale: int):
    pending = sorted(parcels, key=lambda p: geoms[p.parcel_pk].extent[0:2])
    while pending:
        first = pending.pop(0)
        scale = _fitting_scale(_extent([geoms[first.parcel_pk]]), plan_scale)
        group, rest = [first], []
        for parcel in pending:
            box = _extent([geoms[p.parcel_pk] for p in (*group, parcel)])
            (group if _fits(box, scale) else rest).append(parcel)
        pending = rest
        yield scale, group


def _fitting_scale(box: tuple, plan_scale: int) -> int:
    for scale in (plan_scale, *[s for s in FALLBACK_SCALES if s > plan_scale]):
        if _fits(box, scale):
            return scale
    return FALLBACK_SCALES[-1]


def _fits(box: tuple, scale: int) -> bool:
    usable = 1 - 2 * FRAME_MARGIN
    return (box[2] - box[0] <= MAP_WIDTH_MM / 1000 * scale * usable
            and box[3] - box[1] <= MAP_HEIGHT_MM / 1000 * scale * usable)


def _extent(geoms: list) -> tuple[float, float, float, float]:
    boxes = [g.extent for g in geoms]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))
