"""What a zoning import can find wrong, as one table: code, severity and the message.

Errors stop the import (nothing is written); warnings are reported and the import goes
on. Messages are templates over the problem's `detail`, translated when the problem is
found (Polish for the planner by default, English by the language switch). Problems are
the product's one problem type (core.problems.ImportProblem); the zones concerned are its
feature id.
"""
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.problems import ERROR, WARNING, ImportProblem

Problem = ImportProblem
__all__ = ["ERROR", "KINDS", "WARNING", "Problem", "problem_zones", "zoning_problem"]


@dataclass(frozen=True)
class ProblemKind:
    code: str
    severity: str
    template: Promise


E, W = ERROR, WARNING
KINDS = {kind.code: kind for kind in (
    # Files and formats
    ProblemKind("unreadable_file", E, _("The file cannot be read: {reason}")),
    ProblemKind("no_features", E, _("The file holds nothing to import ({expected}).")),
    ProblemKind("features_skipped", W, _("Features of other types were skipped: {types}.")),
    ProblemKind("unsupported_srs", E, _("Unsupported coordinate reference system “{srs}”.")),
    ProblemKind("unsupported_geometry", E, _("Unsupported geometry type {type}.")),
    ProblemKind("missing_geometry", E, _("The feature has no geometry.")),
    ProblemKind("missing_field", E, _("The required attribute {field} is missing.")),
    ProblemKind("bad_value", E, _("Attribute {field} = “{value}”: {reason}.")),
    ProblemKind("unknown_source_field", E,
                _("Field “{source}” is not in layer {layer} (it has: {fields}).")),
    # Plans
    ProblemKind("missing_act", E,
                _("The planning act {namespace} is missing: zones need the plan "
                  "boundary (the AktPlanowaniaPrzestrzennego.gml file).")),
    ProblemKind("several_acts", E,
                _("An import takes one general plan; the files hold {count}: "
                  "{identifiers}.")),
    ProblemKind("not_general_plan", E, _("The act is of type “{type}”, not a general plan.")),
    ProblemKind("zone_of_other_plan", E,
                _("The zone belongs to data set {namespace}, not to plan {plan}.")),
    ProblemKind("plan_of_other_unit", E,
                _("The plan is of unit {plan_teryt}, but the import is for unit {unit}.")),
    ProblemKind("plan_without_zones", W,
                _("The plan has no zones: only its boundary was imported.")),
    # Zone attributes
    ProblemKind("unknown_symbol", E, _("Unknown zone symbol “{symbol}” (allowed: {allowed}).")),
    ProblemKind("symbol_kind_mismatch", E,
                _("Symbol {symbol} does not match the zone kind “{kind}” (symbol "
                  "{expected}).")),
    ProblemKind("unknown_local_symbol", W,
                _("Symbol {symbol} is not a usual designation: the area is drawn grey.")),
    ProblemKind("bad_label", E,
                _("Label “{label}” is not a number followed by a zone symbol (e.g. "
                  "1SJ).")),
    ProblemKind("label_symbol_mismatch", W,
                _("Label {label} does not end with the zone's symbol {symbol}.")),
    ProblemKind("duplicate_local_id", E, _("Local id {local_id} is used by {count} zones.")),
    ProblemKind("duplicate_label", E, _("Label {label} is used by {count} zones.")),
    ProblemKind("parameter_repeated", E, _("Parameter {parameter} is given {count} times.")),
    ProblemKind("parameter_not_a_number", E,
                _("Parameter {parameter} = “{value}” is not a number.")),
    ProblemKind("parameter_precision", E,
                _("Parameter {parameter} = {value}: at most {places} decimal place(s) "
                  "allowed.")),
    ProblemKind("parameter_out_of_range", E,
                _("Parameter {parameter} = {value} is outside {low}–{high}.")),
    # Geometry and topology (checked in PostGIS)
    ProblemKind("self_intersection", E, _("The boundary intersects itself at {at}.")),
    ProblemKind("invalid_geometry", E, _("Invalid geometry: {reason} at {at}.")),
    ProblemKind("zone_overlap", E, _("The zones overlap over {area} m² (near {at}).")),
    ProblemKind("zone_gap", E,
                _("A gap of {area} m² between zones inside the plan boundary (near "
                  "{at}).")),
    ProblemKind("zone_outside_plan", E,
                _("The zone extends {area} m² beyond the plan boundary (near {at}).")),
)}


def zoning_problem(code: str, *, file: str = "", line: int | None = None,
                   zones: tuple[str, ...] = (), detail: dict | None = None) -> ImportProblem:
    """The problem `code` found at `file`:`line` in `zones`, its message translated now."""
    kind, detail = KINDS[code], detail or {}
    return ImportProblem(str(kind.template).format_map(_Missing(detail)), code, kind.severity,
                         file, line, ", ".join(zones), "", "zone" if zones else "", detail)


def problem_zones(problem: ImportProblem) -> tuple[str, ...]:
    """The local ids of the zones a problem names."""
    return tuple(problem.feature_id.split(", ")) if problem.feature_id else ()


class _Missing(dict):
    """Leaves a placeholder the detail does not fill visible instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
