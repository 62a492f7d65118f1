"""Checks of zone attributes that need no geometry: symbols, labels, ids, the four parameters.

Each check reads the parsed plan and returns problems naming the zones' local ids.
`zone_values` turns the parameter texts into decimals once they have passed.
"""
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..models import ZoningPlan, ZoningZone
from ..zoning_symbols import GENERAL_PLAN_ZONES, LOCAL_PLAN_DESIGNATIONS, general_zone_by_code
from .parsed import ParsedPlan, ParsedZone
from .problems import Problem, zoning_problem


@dataclass(frozen=True)
class ZoneParameter:
    element: str  # the APP 2.0 element
    field: str  # the ZoningZone field
    low: Decimal
    high: Decimal | None


# The planning act art. 13e parameters. Shares are per cent of the plot, height in metres.
PARAMETERS = (
    ZoneParameter("maksNadziemnaIntensywnoscZabudowy", "max_intensity", Decimal(0), None),
    ZoneParameter("maksUdzialPowierzchniZabudowy", "max_built_up_share", Decimal(0),
                  Decimal(100)),
    ZoneParameter("maksWysokoscZabudowy", "max_height_m", Decimal(0), None),
    ZoneParameter("minUdzialPowierzchniBiologicznieCzynnej", "min_biologically_active_share",
                  Decimal(0), Decimal(100)),
)
PARAMETER_BY_FIELD = {p.field: p for p in PARAMETERS}
# Decimal places allowed by kind of plan. General plan: one, as the APP 2.0 editor of the
# ministry (CyfryzacjaAPP/wtyczka_qgis_app_2) enforces for all four (not confirmed against the
# regulation on the general plan). Local plans: what the table stores.
DECIMAL_PLACES = {"general": 1, "local": 2}
# Largest values the table stores (ZoningZone: 6 digits, 2 decimals; shares 5 digits).
STORED_MAX = {"max_intensity": Decimal("9999.99"), "max_height_m": Decimal("9999.99"),
              "max_built_up_share": Decimal("100"),
              "min_biologically_active_share": Decimal("100")}


def plan_checks(plan: ParsedPlan) -> list[Problem]:
    problems = []
    for check in (_lengths, _duplicates, _symbols, _labels, _parameters):
        problems.extend(check(plan))
    return problems


def _lengths(plan: ParsedPlan) -> list[Problem]:
    """Texts longer than their column would fail the insert: say which, and where."""
    problems = []
    for name in ("local_id", "label", "symbol", "status"):
        limit = ZoningZone._meta.get_field(name).max_length
        problems += [_zone_problem("bad_value", zone, field=name, value=getattr(zone, name),
                                   reason=f"dłuższe niż {limit} znaków")
                     for zone in plan.zones if len(getattr(zone, name)) > limit]
    for name in ("identifier", "name", "legal_status"):
        limit = ZoningPlan._meta.get_field(name).max_length
        if len(getattr(plan, name)) > limit:
            problems.append(zoning_problem("bad_value", file=plan.file, line=plan.line, detail={
                "field": name, "value": getattr(plan, name)[:80] + "…",
                "reason": f"dłuższe niż {limit} znaków"}))
    return problems


def _duplicates(plan: ParsedPlan) -> list[Problem]:
    problems = []
    for attribute, code in (("local_id", "duplicate_local_id"), ("label", "duplicate_label")):
        groups: dict[str, list[ParsedZone]] = defaultdict(list)
        for zone in plan.zones:
            if getattr(zone, attribute):
                groups[getattr(zone, attribute)].append(zone)
        for value, zones in groups.items():
            if len(zones) > 1:
                problems.append(zoning_problem(code, file=zones[1].file, line=zones[1].line,
                                        zones=tuple(z.local_id for z in zones),
                                        detail={attribute: value, "count": len(zones)}))
    return problems


def _symbols(plan: ParsedPlan) -> list[Problem]:
    problems = []
    for zone in plan.zones:
        if not zone.symbol:
            continue  # reported as a missing field
        if plan.kind == "local":
            if zone.symbol not in LOCAL_PLAN_DESIGNATIONS:
                problems.append(_zone_problem("unknown_local_symbol", zone, symbol=zone.symbol))
            continue
        if zone.symbol not in GENERAL_PLAN_ZONES:
            problems.append(_zone_problem("unknown_symbol", zone, symbol=zone.symbol,
                                          allowed=", ".join(GENERAL_PLAN_ZONES)))
            continue
        kind = general_zone_by_code(zone.kind_code) if zone.kind_code else None
        if kind is not None and kind.symbol != zone.symbol:
            problems.append(_zone_problem("symbol_kind_mismatch", zone, symbol=zone.symbol,
                                          kind=kind.name_pl, expected=kind.symbol))
    return problems


# A general plan zone's label is its number and its symbol: `12SJ` (1 to 99999).
_GENERAL_LABEL = re.compile(r"^[1-9][0-9]{0,4}(" + "|".join(GENERAL_PLAN_ZONES) + ")$")


def _labels(plan: ParsedPlan) -> list[Problem]:
    if plan.kind != "general":
        return []
    problems = []
    for zone in plan.zones:
        if not zone.label:
            continue
        match = _GENERAL_LABEL.match(zone.label)
        if match is None:
            problems.append(_zone_problem("bad_label", zone, label=zone.label))
        elif zone.symbol and match.group(1) != zone.symbol:
            problems.append(_zone_problem("label_symbol_mismatch", zone, label=zone.label,
                                          symbol=zone.symbol))
    return problems


def _parameters(plan: ParsedPlan) -> list[Problem]:
    places = DECIMAL_PLACES[plan.kind]
    problems = []
    for zone in plan.zones:
        for field_name, values in zone.parameters.items():
            parameter = PARAMETER_BY_FIELD[field_name]
            if len(values) > 1:
                problems.append(_zone_problem("parameter_repeated", zone,
                                              parameter=parameter.element, count=len(values)))
                continue
            problem = _value_problem(zone, parameter, values[0], places)
            if problem:
                problems.append(problem)
    return problems


def _value_problem(zone: ParsedZone, parameter: ZoneParameter, raw: str,
                   places: int) -> Problem | None:
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        return _zone_problem("parameter_not_a_number", zone, parameter=parameter.element,
                             value=raw)
    if -value.normalize().as_tuple().exponent > places:  # 30.10 is 30.1: one place
        return _zone_problem("parameter_precision", zone, parameter=parameter.element,
                             value=raw, places=places)
    high = parameter.high if parameter.high is not None else STORED_MAX[parameter.field]
    if not parameter.low <= value <= high:
        return _zone_problem("parameter_out_of_range", zone, parameter=parameter.element,
                             value=raw, low=parameter.low, high=high)
    return None


def zone_values(zone: ParsedZone) -> dict[str, Decimal | None]:
    """The four parameters as decimals (None where not given); call after the checks passed."""
    return {p.field: (Decimal(zone.parameters[p.field][0].replace(",", "."))
                      if zone.parameters.get(p.field) else None)
            for p in PARAMETERS}


def _zone_problem(code: str, zone: ParsedZone, **detail) -> Problem:
    return zoning_problem(code, file=zone.file, line=zone.line, zones=(zone.local_id,),
                          detail=detail)
