"""One export row -> a holder and, optionally, a taxed object; or the reason it is refused.

Each check is one line of a table-like function; the first failing check names the row's
problem (line number and field), never its personal data.
"""
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..dictionaries import SOIL_CLASSES
from ..identifiers import parse_parcel_id, validate_pesel, validate_regon
from .rules import AGRICULTURAL, BUILDING, FOREST, LAND, LAND_USE_TAX, TAX_AGRICULTURAL
from .values import clean_nip, name_key, parse_decimal, validate_nip


class RowError(Exception):
    """Why one row is refused; the importer records it as the product's one problem type
    (core.problems.ImportProblem) with the file, line and account."""

    def __init__(self, message: str, code: str, field: str = "") -> None:
        super().__init__(message)
        self.message, self.code, self.field = message, code, field


@dataclass(frozen=True)
class Holder:
    account: str
    ident_key: str
    kind: str
    pesel: str
    regon: str
    nip: str
    first_name: str
    surname: str
    name: str
    role: str
    line: int


@dataclass(frozen=True)
class TaxedObject:
    account: str
    object_key: str
    kind: str
    parcel_ref: str
    building_ref: str
    category: str
    land_use: str
    soil_class: str
    area_ha: Decimal | None
    floor_area_m2: Decimal | None
    line: int

    def values(self) -> tuple:
        return (self.kind, self.parcel_ref, self.building_ref, self.category, self.land_use,
                self.soil_class, self.area_ha, self.floor_area_m2)


def _code(value: str, field: str, codes: dict[str, dict[str, str]]) -> str:
    found = codes[field].get(name_key(value))
    if found is None:
        raise RowError(_("%(field)s: unknown code “%(value)s”") % {"field": field,
                                                                   "value": value},
                       f"{field}_code", field)
    return found


def _number(cells: dict, field: str) -> Decimal | None:
    try:
        value = parse_decimal(cells.get(field, ""))
    except ValueError as exc:
        raise RowError(_("%(field)s: “%(value)s” is not a number") % {
            "field": field, "value": cells.get(field)}, "number", field) from exc
    if value is not None and value < 0:
        raise RowError(_("%(field)s: must not be negative") % {"field": field}, "negative",
                       field)
    return value


def _identifier(value: str, field: str, validator) -> str:
    try:
        validator(value)
    except ValidationError as exc:
        raise RowError(f"{field}: {exc.messages[0]}", f"{field}_invalid", field) from exc
    return value


def holder_of(cells: dict, line: int, codes: dict) -> Holder:
    pesel = cells.get("pesel", "")
    if pesel.isdigit() and len(pesel) < 11:  # a spreadsheet dropped the leading zeros
        pesel = pesel.zfill(11)
    regon, nip = cells.get("regon", ""), clean_nip(cells.get("nip", ""))
    pesel = pesel and _identifier(pesel, "pesel", validate_pesel)
    regon = regon and _identifier(regon, "regon", validate_regon)
    nip = nip and _identifier(nip, "nip", validate_nip)
    first, surname, name = (cells.get(f, "") for f in ("first_name", "surname", "name"))
    kind = "person" if pesel or (surname and not name and not regon) else "institution"
    if kind == "person" and not surname:
        raise RowError(_("surname: a natural person needs a surname"), "no_surname", "surname")
    if kind == "institution" and not name:
        raise RowError(_("name: an institution needs its name"), "no_name", "name")
    key = (f"P:{pesel}" if pesel else f"R:{regon[:9]}" if regon else f"N:{nip}" if nip
           else f"X:{name_key(first, surname) if kind == 'person' else name_key(name)}")
    return Holder(cells["account"], key, kind, pesel, regon, nip, first, surname, name,
                  _code(cells.get("role", ""), "role", codes), line)


def _parcel(cells: dict, required: bool) -> str:
    value = cells.get("parcel_id", "")
    if not value:
        if required:
            raise RowError(_("parcel_id: this object needs a parcel id"), "no_parcel",
                           "parcel_id")
        return ""
    try:
        return str(parse_parcel_id(value))
    except ValidationError as exc:
        raise RowError(f"parcel_id: {exc.messages[0]}", "parcel_invalid", "parcel_id") from exc


def _need(value, field: str):
    if value in (None, ""):
        raise RowError(_("%(field)s: this object needs it") % {"field": field}, "missing", field)
    return value


def object_of(cells: dict, line: int, codes: dict) -> TaxedObject | None:
    raw = cells.get("object_type", "")
    if not raw:
        return None
    kind = _code(raw, "object_type", codes)
    category = _code(cells["category"], "category", codes) if cells.get("category") else ""
    area, floor = _number(cells, "area_ha"), _number(cells, "floor_area_m2")
    land_use, soil = cells.get("land_use", ""), cells.get("soil_class", "")
    parcel = _parcel(cells, required=kind != BUILDING)
    building = cells.get("building_id", "")
    if kind == LAND:
        _need(category if category in ("business", "water", "other") else "", "category")
        _need(area, "area_ha")
    elif kind == BUILDING:
        if not (building or parcel):
            raise RowError(_("building_id: a building needs its id or its parcel id"),
                           "no_building", "building_id")
        _need(category if category in ("residential", "business", "other") else "", "category")
        _need(floor, "floor_area_m2")
    elif kind == AGRICULTURAL:
        _need(area, "area_ha")
        if LAND_USE_TAX.get(_need(land_use, "land_use"), ("",))[0] != TAX_AGRICULTURAL:
            raise RowError(_("land_use: “%(value)s” is not agricultural land") % {
                "value": land_use}, "land_use", "land_use")
        if soil and soil not in SOIL_CLASSES:
            raise RowError(_("soil_class: “%(value)s” is not a soil class") % {"value": soil},
                           "soil_class", "soil_class")
    elif kind == FOREST:
        _need(area, "area_ha")
    key = "|".join((kind, parcel, building, category, land_use, soil))
    return TaxedObject(cells["account"], key, kind, parcel, building, category, land_use, soil,
                       area, floor, line)
