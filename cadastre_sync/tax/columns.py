"""Canonical fields of a tax record and how exports name them (column profiles).

One row of an export describes one holder of an account and, optionally, one taxed
object of that account: co-owners and spouses appear as further rows of the same
account (with or without the object repeated). A profile maps each field to the
column header its tax system uses; headers are compared without case or diacritics.
"""
from django.utils.translation import gettext_lazy as _

from .values import name_key

FIELDS = {
    "account": _("account number"),
    "role": _("holder role (taxpayer, co-owner, spouse)"),
    "pesel": "PESEL",
    "regon": "REGON",
    "nip": "NIP",
    "first_name": _("first name"),
    "surname": _("surname"),
    "name": _("institution name"),
    "object_type": _("object type (land, building, agricultural, forest)"),
    "parcel_id": _("parcel id"),
    "building_id": _("building id"),
    "category": _("category (business, under water, other, residential)"),
    "land_use": _("land use (OFU)"),
    "soil_class": _("soil class"),
    "area_ha": _("area [ha]"),
    "floor_area_m2": _("usable floor area [m²]"),
}
REQUIRED = ("account",)

# The default profile: the column names of the demo export and of the template offered
# for download; many systems can be set to export exactly these.
DEFAULT_PROFILE_NAME = "geo_portal"
DEFAULT_COLUMNS = {
    "account": "nr_konta", "role": "rola", "pesel": "pesel", "regon": "regon", "nip": "nip",
    "first_name": "imie", "surname": "nazwisko", "name": "nazwa",
    "object_type": "przedmiot", "parcel_id": "id_dzialki", "building_id": "id_budynku",
    "category": "kategoria", "land_use": "uzytek", "soil_class": "klasa",
    "area_ha": "pow_ha", "floor_area_m2": "pow_uzytkowa_m2",
}

# Codes accepted for coded fields, compared folded (name_key); a profile may add its own.
VALUE_CODES = {
    "object_type": {"land": "land", "grunt": "land", "g": "land", "gr": "land",
                    "building": "building", "budynek": "building", "b": "building",
                    "bud": "building", "agricultural": "agricultural", "rolny": "agricultural",
                    "grunt rolny": "agricultural", "r": "agricultural", "pr": "agricultural",
                    "forest": "forest", "lesny": "forest", "las": "forest", "l": "forest",
                    "pl": "forest"},
    "category": {"business": "business", "dzialalnosc": "business",
                 "dzialalnosc gospodarcza": "business", "dg": "business",
                 "water": "water", "under water": "water", "wody": "water",
                 "pod wodami": "water", "other": "other", "pozostale": "other",
                 "p": "other", "residential": "residential", "mieszkalny": "residential",
                 "mieszkalne": "residential", "m": "residential"},
    "role": {"": "owner", "owner": "owner", "taxpayer": "owner", "podatnik": "owner",
             "wlasciciel": "owner", "co owner": "co_owner", "co_owner": "co_owner",
             "wspolwlasciciel": "co_owner", "spouse": "spouse", "malzonek": "spouse",
             "malzonka": "spouse", "wspolmalzonek": "spouse"},
}


def header_map(headers: list[str], columns: dict[str, str]) -> tuple[dict[str, int], list[str]]:
    """Field -> column index for the headers found; and the required fields missing."""
    position = {name_key(h): i for i, h in enumerate(headers) if h}
    found = {}
    for field, header in columns.items():
        if field in FIELDS and name_key(header) in position:
            found[field] = position[name_key(header)]
    missing = [field for field in REQUIRED if field not in found]
    return found, missing


def value_codes(extra: dict | None) -> dict[str, dict[str, str]]:
    codes = {field: dict(table) for field, table in VALUE_CODES.items()}
    for field, table in (extra or {}).items():
        codes.setdefault(field, {}).update({name_key(k): v for k, v in table.items()})
    return codes
