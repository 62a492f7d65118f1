"""What an import can find wrong, as one table: code, severity and the planner's message.

Errors stop the import (nothing is written); warnings are reported and the import
goes on. Messages are templates over the problem's `detail`, in Polish for the
planner and in English for everyone else.
"""
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class ProblemKind:
    code: str
    severity: Severity
    pl: str
    en: str


E, W = Severity.ERROR, Severity.WARNING
KINDS = {kind.code: kind for kind in (
    # Files and formats
    ProblemKind("unreadable_file", E, "Nie można odczytać pliku: {reason}",
                "The file cannot be read: {reason}"),
    ProblemKind("no_features", E,
                "W pliku nie ma obiektów do importu ({expected}).",
                "The file holds nothing to import ({expected})."),
    ProblemKind("features_skipped", W, "Pominięto obiekty innych typów: {types}.",
                "Features of other types were skipped: {types}."),
    ProblemKind("unsupported_srs", E, "Nieobsługiwany układ współrzędnych „{srs}”.",
                "Unsupported coordinate reference system “{srs}”."),
    ProblemKind("unsupported_geometry", E, "Nieobsługiwany typ geometrii {type}.",
                "Unsupported geometry type {type}."),
    ProblemKind("missing_geometry", E, "Obiekt nie ma geometrii.", "The feature has no geometry."),
    ProblemKind("missing_field", E, "Brak wymaganego atrybutu {field}.",
                "The required attribute {field} is missing."),
    ProblemKind("bad_value", E, "Atrybut {field} = „{value}”: {reason}.",
                "Attribute {field} = “{value}”: {reason}."),
    ProblemKind("unknown_source_field", E,
                "Pole „{source}” nie istnieje w warstwie {layer} (są: {fields}).",
                "Field “{source}” is not in layer {layer} (it has: {fields})."),
    # Plans
    ProblemKind("missing_act", E,
                "Brak aktu planowania przestrzennego {namespace}: strefy wymagają granicy "
                "planu (plik AktPlanowaniaPrzestrzennego.gml).",
                "The planning act {namespace} is missing: zones need the plan boundary "
                "(the AktPlanowaniaPrzestrzennego.gml file)."),
    ProblemKind("several_acts", E, "Import obejmuje jeden plan ogólny, a pliki zawierają "
                "{count}: {identifiers}.",
                "An import takes one general plan; the files hold {count}: {identifiers}."),
    ProblemKind("not_general_plan", E, "Akt jest typu „{type}”, a nie planem ogólnym gminy.",
                "The act is of type “{type}”, not a general plan."),
    ProblemKind("zone_of_other_plan", E,
                "Strefa należy do zbioru {namespace}, a nie do planu {plan}.",
                "The zone belongs to data set {namespace}, not to plan {plan}."),
    ProblemKind("plan_of_other_unit", E,
                "Plan dotyczy jednostki {plan_teryt}, a import jest do jednostki {unit}.",
                "The plan is of unit {plan_teryt}, but the import is for unit {unit}."),
    ProblemKind("plan_without_zones", W,
                "Plan nie ma stref planistycznych: zaimportowano samą granicę.",
                "The plan has no zones: only its boundary was imported."),
    # Zone attributes
    ProblemKind("unknown_symbol", E, "Nieznany symbol strefy „{symbol}” (dozwolone: {allowed}).",
                "Unknown zone symbol “{symbol}” (allowed: {allowed})."),
    ProblemKind("symbol_kind_mismatch", E,
                "Symbol {symbol} nie odpowiada rodzajowi strefy „{kind}” (symbol {expected}).",
                "Symbol {symbol} does not match the zone kind “{kind}” (symbol {expected})."),
    ProblemKind("unknown_local_symbol", W,
                "Symbol {symbol} spoza typowych przeznaczeń: teren zostanie narysowany na szaro.",
                "Symbol {symbol} is not a usual designation: the area is drawn grey."),
    ProblemKind("bad_label", E,
                "Oznaczenie „{label}” nie ma postaci numer i symbol strefy (np. 1SJ).",
                "Label “{label}” is not a number followed by a zone symbol (e.g. 1SJ)."),
    ProblemKind("label_symbol_mismatch", W,
                "Oznaczenie {label} nie kończy się symbolem strefy {symbol}.",
                "Label {label} does not end with the zone's symbol {symbol}."),
    ProblemKind("duplicate_local_id", E,
                "Identyfikator lokalny {local_id} ma {count} strefy.",
                "Local id {local_id} is used by {count} zones."),
    ProblemKind("duplicate_label", E, "Oznaczenie {label} ma {count} strefy.",
                "Label {label} is used by {count} zones."),
    ProblemKind("parameter_repeated", E, "Parametr {parameter} podano {count} razy.",
                "Parameter {parameter} is given {count} times."),
    ProblemKind("parameter_not_a_number", E, "Parametr {parameter} = „{value}” nie jest liczbą.",
                "Parameter {parameter} = “{value}” is not a number."),
    ProblemKind("parameter_precision", E,
                "Parametr {parameter} = {value}: dozwolone miejsca po przecinku: {places}.",
                "Parameter {parameter} = {value}: at most {places} decimal place(s) allowed."),
    ProblemKind("parameter_out_of_range", E,
                "Parametr {parameter} = {value} jest poza zakresem {low}–{high}.",
                "Parameter {parameter} = {value} is outside {low}–{high}."),
    # Geometry and topology (checked in PostGIS)
    ProblemKind("self_intersection", E, "Granica przecina samą siebie w punkcie {at}.",
                "The boundary intersects itself at {at}."),
    ProblemKind("invalid_geometry", E, "Nieprawidłowa geometria: {reason} w punkcie {at}.",
                "Invalid geometry: {reason} at {at}."),
    ProblemKind("zone_overlap", E,
                "Strefy nakładają się na powierzchni {area} m² (w pobliżu {at}).",
                "The zones overlap over {area} m² (near {at})."),
    ProblemKind("zone_gap", E,
                "Luka między strefami o powierzchni {area} m² w granicy planu (w pobliżu {at}).",
                "A gap of {area} m² between zones inside the plan boundary (near {at})."),
    ProblemKind("zone_outside_plan", E,
                "Strefa wychodzi poza granicę planu na powierzchni {area} m² (w pobliżu {at}).",
                "The zone extends {area} m² beyond the plan boundary (near {at})."),
)}


@dataclass(frozen=True)
class Problem:
    """One finding, with where it is: file, line, the zones' local ids, and what was seen."""

    code: str
    file: str = ""
    line: int | None = None
    zones: tuple[str, ...] = ()
    detail: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def severity(self) -> Severity:
        return KINDS[self.code].severity

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR

    def message(self, language: str = "pl") -> str:
        kind = KINDS[self.code]
        template = kind.pl if language == "pl" else kind.en
        return template.format_map(_Missing(self.detail))

    def as_dict(self) -> dict:
        return {"code": self.code, "severity": str(self.severity), "file": self.file,
                "line": self.line, "zones": list(self.zones), "message": self.message("pl"),
                "detail": self.detail}


class _Missing(dict):
    """Leaves a placeholder the detail does not fill visible instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
