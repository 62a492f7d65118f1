"""Field values shared by the readers: dates, decimals, identifiers, codes.

Each check is cheap (a compiled regex first) because it runs once per field of
every feature of a file that may hold a million of them. Tables here are data:
correct them, do not add branches.
"""
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_noop as N_

from ..dictionaries import KST_CLASSES
from ..identifiers import (
    parse_parcel_id,
    validate_land_register_number,
    validate_pesel,
    validate_regon,
)
from .messages import PARCEL_ID_FOREIGN, PARCEL_ID_INVALID

# EGiB times are written without a zone and mean Polish local time.
CADASTRE_TZ = ZoneInfo("Europe/Warsaw")
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2})[:-](\d{2})(?:[:-](\d{2}(?:\.\d+)?))?)?"
                   r"(Z|[+-]\d{2}:?\d{2})?$")
_DECIMAL = re.compile(r"^\d{1,8}(?:[.,]\d{1,8})?$")
_PARCEL_ID = re.compile(r"^\d{6}_\d\.\d{4}\.(?:AR_[1-9]\d{0,3}\.)?[1-9]\d{0,5}(?:/[1-9]\d{0,4})?$")
_KW = re.compile(r"^[A-Z]{2}\d[A-Z]/\d{8}/\d$")

# dokladnoscReprezentacjiPola (2021) / informacjaODokladnReprezentacjiPola (2015):
# code -> the unit the registered area is given in, in ha (not confirmed against the
# XSD code list: listed unverified in IMPORT_RULES). A file may also state the value
# itself (e.g. 0.0001).
AREA_ACCURACY_CODES = {"1": Decimal("0.0001"), "2": Decimal("0.01")}
# Where a file states no accuracy, the drawn area may differ from the registered one by
# AREA_TOLERANCE_RELATIVE * P + AREA_TOLERANCE_SQRT_M * sqrt(P) (P in m²), never less
# than half the 0.0001 ha unit areas are registered in. Source: IMPORT_RULES below
# (unverified: no statute in force found to give it).
AREA_TOLERANCE_RELATIVE = Decimal("0.0001")
AREA_TOLERANCE_SQRT_M = Decimal("0.2")
AREA_ROUNDING_M2 = Decimal("0.5")

# Building class: EGiB 2021 writes the 3-digit KŚT code of the building's kind (KŚT group
# 1, rodzaje 101-110); our model keeps the 4-digit PKOB classes of
# dictionaries.KST_CLASSES. The codes' names are the KŚT's; which PKOB class stands for
# each is this product's choice (the nearest class). Source: IMPORT_RULES below.
KST_3_DIGIT = {
    "101": "1251", "102": "1241", "103": "1230", "104": "1252", "105": "1220",
    "106": "1264", "107": "1263", "108": "1271", "109": "1274", "110": "1110",
}
# Letters older exports (SWDE G5RBB, vendors' 2021 exports still) write for the same ten
# kinds, as map symbols spell them. Source: IMPORT_RULES below (unverified).
KST_LETTERS = {
    "p": "101", "t": "102", "k": "103", "z": "104", "b": "105", "s": "106", "h": "107",
    "g": "108", "i": "109", "m": "110",
}
KST_FALLBACK = "1274"


@dataclass(frozen=True)
class ImportRule:
    """A fixed rule of the cadastre import, with where it comes from, for the officer's
    list of rules in force (which shows an unverified one as such)."""

    name: str  # a msgid
    value: str  # a msgid, formatted with `params` once translated
    source: str
    verified: bool
    valid_from: date | None = None
    params: tuple[tuple[str, str], ...] = ()


KST_ACT = ("Rozporządzenie Rady Ministrów z dnia 3 października 2016 r. w sprawie "
           "Klasyfikacji Środków Trwałych (KŚT), Dz.U. 2016 poz. 1864, grupa 1")
EGIB_ACT = ("Rozporządzenie Ministra Rozwoju, Pracy i Technologii z dnia 27 lipca 2021 r. w "
            "sprawie ewidencji gruntów i budynków, Dz.U. 2021 poz. 1390")
IMPORT_RULES = (
    ImportRule(
        N_("cadastre import: tolerance of the drawn against the registered area"),
        N_("0.0001·P + 0.2·√P m², at least 0.5 m² (P: the area in the register, in m²); "
           "where the file states the accuracy (dokladnoscReprezentacjiPola), that instead: "
           "%(codes)s (the schema's code list not read) or the value written"),
        "Not found in " + EGIB_ACT + ", which has areas given to 0.0001 ha. GUGiK's "
        "explanations of the 2011 survey standards (Dz.U. 2011 nr 263 poz. 1572, § 68 ust. "
        "1 pkt 2, repealed) call the empirical formula the one of § 102 of technical "
        "instruction G-5, a surveying guideline, not a statute. Only the size of a "
        "finding depends on it: no data is refused for it.", False,
        params=(("codes", ", ".join(f"{code} → {ha} ha"
                                    for code, ha in AREA_ACCURACY_CODES.items())),)),
    ImportRule(
        N_("cadastre import: KŚT building kind codes 101-110"),
        ", ".join(f"{code} → {pkob}" for code, pkob in KST_3_DIGIT.items()),
        KST_ACT + ": the ten codes and their names (101 industrial ... 110 residential) as "
        "a starostwo's change form lists them; the act's text was not read. The PKOB class "
        "each stands for is this product's nearest-class choice, not a rule of the act.",
        False),
    ImportRule(
        N_("cadastre import: KŚT building kind letters"),
        ", ".join(f"{letter} → {code}" for letter, code in KST_LETTERS.items()),
        "Letters vendors' exports write instead of the KŚT code (m residential, g farm, "
        "p industrial, ...). No act giving them was found: not in " + EGIB_ACT + " as read.",
        False),
)
# A building id: the parcel id it stands on, then the building number (2015 exports add
# "_BUD"). Exports with a placeholder (the precinct id and ".0") fail this.
_BUILDING_ID = re.compile(r"^\d{6}_\d\.\d{4}\.(?:AR_[1-9]\d{0,3}\.)?[1-9]\d{0,5}(?:/[1-9]\d{0,4})?"
                          r"\.[1-9]\d{0,3}(?:_BUD)?$")

# Register group: the 2021 code list is 1..16; exports write "7", "G7" or "7.0".
_GROUP = re.compile(r"(\d{1,2})")


@lru_cache(maxsize=8192)  # exports repeat the same few timestamps thousands of times
def local_time(text: str | None) -> tuple[str | None, bool]:
    """(naive local timestamp text or None, ok). Accepts `T12-00-00` as some vendors write."""
    if not text:
        return None, True
    match = _DATE.match(text.strip())
    if not match:
        return None, False
    day, hh, mm, ss, zone = match.groups()
    value = f"{day} {hh or '00'}:{mm or '00'}:{ss or '00'}"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None, False
    if zone:
        zone = "+00:00" if zone == "Z" else zone
        moment = datetime.fromisoformat(value + zone).astimezone(CADASTRE_TZ).replace(tzinfo=None)
        value = moment.isoformat(sep=" ")
    return value, True


def decimal_text(text: str | None) -> str | None:
    """A non-negative decimal as text with a dot, or None when it is not one."""
    value = (text or "").strip()
    return value.replace(",", ".") if _DECIMAL.match(value) else None


def area_accuracy(text: str | None) -> str | None:
    value = (text or "").strip()
    if value in AREA_ACCURACY_CODES:
        return str(AREA_ACCURACY_CODES[value])
    return decimal_text(value) if "." in value or "," in value else None


def names_unit(identifier: str, teryt: str) -> bool:
    """Does `identifier` (`WWPPGG_R.…`) name unit `teryt`, or, for a powiat importing its
    county's file, one of the powiat's gminy?"""
    head, dot, _rest = identifier.partition(".")
    if not dot:
        return False
    if len(teryt) == 4:  # a powiat: the gminy of its county, never the powiat itself
        return len(head) == 8 and head[6] == "_" and head.startswith(teryt)
    return head == teryt


def parcel_id_problem(value: str, teryt: str) -> tuple[str, dict] | None:
    """Why `value` is not a parcel id of unit `teryt` (or of a gmina of powiat `teryt`), as
    a message and its values, or None when it is one."""
    if not _PARCEL_ID.match(value):
        try:
            parse_parcel_id(value)
        except ValidationError as exc:
            return PARCEL_ID_INVALID, {"reason": exc.messages[0]}
    if not names_unit(value, teryt):
        return PARCEL_ID_FOREIGN, {"value": value, "other": value.split(".")[0], "unit": teryt}
    return None


def parcel_parts(parcel_id: str) -> tuple[str, str]:
    """(precinct number, parcel number incl. a map sheet) of a checked parcel id."""
    _, precinct, number = parcel_id.split(".", 2)
    return precinct, number


def land_register_number(value: str | None) -> tuple[str, bool]:
    value = (value or "").strip()
    if not value:
        return "", True
    if _KW.match(value):
        return value, True
    try:
        validate_land_register_number(value)
    except ValidationError:
        return "", False
    return value, True


def kst_class(code: str | None) -> tuple[str, bool]:
    """(4-digit class, known): a 4-digit class, a 3-digit KŚT code or its letter."""
    code = (code or "").strip()
    if code in KST_CLASSES:
        return code, True
    code = KST_LETTERS.get(code.lower(), code)
    if code in KST_3_DIGIT:
        return KST_3_DIGIT[code], True
    return KST_FALLBACK, False


def building_id_well_formed(value: str) -> bool:
    return bool(_BUILDING_ID.match(value))


def register_group(text: str | None) -> int | None:
    match = _GROUP.search(text or "")
    group = int(match.group(1)) if match else None
    return group if group is not None and 1 <= group <= 16 else None


def whole_number(text: str | None) -> int | None:
    value = (text or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def pesel_or_blank(value: str | None) -> tuple[str, bool]:
    """(PESEL, ok): a PESEL that fails its checksum is dropped, never stored."""
    value = (value or "").strip()
    if not value:
        return "", True
    try:
        validate_pesel(value)
    except ValidationError:
        return "", False
    return value, True


def regon_or_blank(value: str | None) -> tuple[str, bool]:
    value = (value or "").strip()
    if not value:
        return "", True
    try:
        validate_regon(value)
    except ValidationError:
        return "", False
    return value, True


# rodzajPrawa of an ownership share -> dictionaries.RIGHT_CHOICES. Code 1 is ownership
# (własność); 2, self-possession (władanie samoistne), has no place in the model yet.
RIGHT_CODES = {"": "ownership", "1": "ownership"}
