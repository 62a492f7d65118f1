"""Tree removal: turning an application's rows into the rules' inputs; verdict, fee, summary."""
import calendar
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.errors import InvalidInput
from core.rules import rule_value

from .. import legal
from ..kinds import Fee
from .models import EXEMPTION_BASIS, EXEMPTION_KIND, FeeRate, ReplacementPlanting, Species
from .rules import (
    NOTHING,
    PERMIT,
    Assessment,
    Holder,
    Rate,
    ShrubIn,
    SpeciesInfo,
    TreeIn,
    assess,
    tree_verdict,
)


def species_info(species: Species) -> SpeciesInfo:
    return SpeciesInfo(name=species.name,
                       fee_group=species.fee_group, shrub_group=species.shrub_group,
                       threshold_cm=species.notification_threshold_cm, fruit=species.fruit)


def tree_in(item) -> TreeIn:
    return TreeIn(species_info(item.species), item.circumference_5cm, list(item.stems_130cm),
                  item.exemption, EXEMPTION_KIND.get(item.exemption, ""),
                  EXEMPTION_BASIS.get(item.exemption, ""))


def shrub_in(item) -> ShrubIn:
    return ShrubIn(species_info(item.species), Decimal(item.area_m2), item.exemption,
                   EXEMPTION_KIND.get(item.exemption, ""), EXEMPTION_BASIS.get(item.exemption, ""))


def shrub_free_m2(unit, on: date | None = None) -> Decimal:
    return Decimal(str(rule_value(key=legal.SHRUB_FREE_M2, on=on or timezone.localdate(),
                                  unit=unit)))


def rates_for(unit) -> list[Rate]:
    """The unit's own rates for every (subject, group) it has set, the regulation's elsewhere."""
    rows = list(FeeRate.objects.filter(Q(unit=unit) | Q(unit__isnull=True)))
    own = {(r.subject, r.group) for r in rows if r.unit_id is not None}
    return [Rate(r.subject, r.group, r.band_from, r.rate) for r in rows
            if r.unit_id is not None or (r.subject, r.group) not in own]


def holder_of(payload: dict) -> Holder:
    return Holder(natural_person=bool(payload.get("natural_person")),
                  own_land=bool(payload.get("own_land")),
                  business=bool(payload.get("business")),
                  land_of_natural_persons=bool(payload.get("land_natural_persons")),
                  protected_site=bool(payload.get("protected_site")),
                  road_strip=bool(payload.get("road_strip")))


def assessment(application) -> Assessment:
    """The rules' answer for a saved application; kept on the instance for its version (fee,
    summary and PDF of one submission ask the same question)."""
    cached = getattr(application, "_assessment", None)
    if cached is not None and cached[0] == application.version:
        return cached[1]
    result = _assess(application)
    if isinstance(application.version, int):
        application._assessment = (application.version, result)
    return result


def _filed_on(application) -> date:
    return (timezone.localdate(application.submitted_at) if application.submitted_at
            else timezone.localdate())


def _assess(application) -> Assessment:
    trees = [tree_in(t) for t in application.trees.select_related("species")]
    shrubs = [shrub_in(s) for s in application.shrubs.select_related("species")]
    return assess(trees, shrubs, holder_of(application.payload), rates_for(application.unit),
                  shrub_free_m2(application.unit, _filed_on(application)))


def application_procedure(application) -> str:
    return assessment(application).verdict


def application_fee(application) -> Fee | None:
    result = assessment(application)
    if result.verdict != PERMIT:
        return None
    until = fee_deferred_until(application) if result.fee else None
    return Fee(result.fee, result.lines, deferred=until is not None, deferred_until=until)


def fee_deferred_until(application) -> date | None:
    """With replacement planting ordered, the fee is deferred (art. 84 ust. 3) for the years
    of the rule in force on the decision day, counted from the last planting deadline;
    None when no planting was ordered."""
    if application.outcome != "granted_with_planting":
        return None
    last = max((p.deadline for p in application.replacement_plantings.all()), default=None)
    years = int(rule_value(key=legal.FEE_DEFERRAL_YEARS, on=timezone.localdate(),
                           unit=application.unit))
    return _years_after(last, years) if last else None


def _years_after(day: date, years: int) -> date:
    # A term in years ends on the same day of the month, or the month's last (KPA art. 57 §3).
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def _date_text(iso: str) -> str:
    """"2027-03-15" -> "15 marca 2027" (the active language's long date); "–" if none."""
    return date_format(date.fromisoformat(iso), "j E Y") if iso else "–"


def application_summary(application) -> list[tuple[str, str]]:
    p = application.payload
    rows = [
        (_("Applicant"), p.get("applicant_name", "")),
        (_("Address"), p.get("applicant_address", "")),
        (_("Natural persons' land, outside business (notification route)"),
         _("yes") if holder_of(p).private else _("no")),
        (_("Land owned by natural persons"),
         _("yes") if holder_of(p).natural_persons_land else _("no")),
        (_("Reason for removal"), p.get("reason", "")),
        (_("Intended removal date"), _date_text(p.get("intended_date", ""))),
    ]
    for t in application.trees.select_related("species"):
        rows.append((_("Tree %(n)s") % {"n": t.position}, _(
            "%(species)s; %(c5)s cm at 5 cm; stems at 130 cm: %(stems)s cm; "
            "at X=%(x).1f Y=%(y).1f (EPSG:2180)") % {
            "species": str(t.species), "c5": t.circumference_5cm,
            "stems": ", ".join(map(str, t.stems_130cm)) or "–", "x": t.location.x,
            "y": t.location.y}))
    for s in application.shrubs.select_related("species"):
        rows.append((_("Shrubs %(n)s") % {"n": s.position},
                     _("%(species)s; %(area)s m²") % {"species": str(s.species),
                                                      "area": s.area_m2}))
    result = assessment(application)
    rows.append((_("Needed"), str(VERDICT_LABELS()[result.verdict])))
    rows.extend((_("Fee"), line) for line in result.lines)
    return rows


def VERDICT_LABELS() -> dict[str, str]:  # noqa: N802 - a table, translated when read
    return {"nothing": _("nothing: no notification and no permit is needed"),
            "notification": _("a notification (art. 83f)"),
            "permit": _("a permit (art. 83)")}


def decision_conditions(application, outcome: str, conditions: list) -> None:
    """Replacement planting (art. 83c ust. 2): required for 'granted_with_planting', refused
    for any other outcome; each row: number, species (id), place, deadline (ISO date)."""
    if outcome != "granted_with_planting":
        if conditions:
            raise InvalidInput(_("Only a permit with replacement planting carries planting "
                                 "conditions."), detail={"field": "conditions"})
        return
    if not conditions:
        raise InvalidInput(_("Give at least one replacement planting: number, species, place "
                             "and deadline."), detail={"field": "conditions"})
    rows = []
    for i, c in enumerate(conditions):
        where = {"field": f"conditions[{i}]"}
        try:
            number = int(c.get("number", 0))
            species = Species.objects.get(pk=int(c.get("species", 0)))
            deadline = date.fromisoformat(str(c.get("deadline", "")))
        except (ValueError, TypeError, Species.DoesNotExist):
            raise InvalidInput(_("Planting %(n)s: give the number, a species from the list and "
                                 "a date.") % {"n": i + 1}, detail=where) from None
        place = str(c.get("place", "")).strip()
        if number < 1 or not place or deadline <= date.today():
            raise InvalidInput(_("Planting %(n)s: at least one plant, a place, and a deadline "
                                 "in the future.") % {"n": i + 1}, detail=where)
        rows.append(ReplacementPlanting(application=application, number=number,
                                        species=species, place=place[:300], deadline=deadline))
    ReplacementPlanting.objects.filter(application=application).delete()
    ReplacementPlanting.objects.bulk_create(rows)


def stems_missing(trees: list[TreeIn], holder: Holder) -> list[str]:
    """A message for each tree that needs a permit but has no stem circumference at 130 cm
    (art. 83b ust. 1 pkt 4: the application gives them; the fee is computed from them)."""
    return [_("Tree %(n)s (%(species)s) needs a permit: give the circumference of each of "
              "its stems at 130 cm, from which the fee is computed.") % {
        "n": n, "species": t.species.name}
        for n, t in enumerate(trees, start=1)
        if not t.stems_130cm and tree_verdict(t, holder) == PERMIT]


def submit_check(application) -> str | None:
    if not application.trees.exists() and not application.shrubs.exists():
        return _("Add at least one tree or group of shrubs.")
    if application.procedure == NOTHING:
        return _("This removal needs neither a notification nor a permit, so there is "
                 "nothing to file.")
    trees = [tree_in(t) for t in application.trees.select_related("species")]
    missing = stems_missing(trees, holder_of(application.payload))
    if missing:
        return missing[0]
    return None
