"""The legal tables of tax reconciliation, one place each, with their sources.

They are the seeds of data migrations: the rates (TaxRate, per year), the conversion
factors (ConversionFactor) and the dated rules (core.LegalRule: prices, quantities, the
land-use and building-class tables), each with its source and whether the figure was
confirmed; an administrator corrects them without a code change and the unit's own
rows (a council resolution) win over the national ones. A run uses the rules of its
tax year and refuses when they are not entered.
"""
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from ..dictionaries import RIGHT_OWNERSHIP, RIGHT_PERPETUAL_USUFRUCT, RIGHT_TRUST_MANAGEMENT

# Kinds of taxed object in a tax system export.
LAND, BUILDING, AGRICULTURAL, FOREST = "land", "building", "agricultural", "forest"
OBJECT_KINDS = [(LAND, _("land (property tax)")), (BUILDING, _("building")),
                (AGRICULTURAL, _("agricultural land")), (FOREST, _("forest land"))]

# Property tax on land by use (ustawa o podatkach i opłatach lokalnych art. 5 ust. 1 pkt 1).
BUSINESS, WATER, OTHER = "business", "water", "other"
LAND_CATEGORIES = [(BUSINESS, _("business")), (WATER, _("under water")), (OTHER, _("other"))]
# Buildings by use (art. 5 ust. 1 pkt 2).
RESIDENTIAL = "residential"
BUILDING_CATEGORIES = [(RESIDENTIAL, _("residential"))]  # business and other are shared codes

# Rates: key, what it is charged on.
RATE_KEYS = [
    ("land_business", _("land used for business [zł/m²]")),
    ("land_water", _("land under water [zł/ha]")),
    ("land_other", _("other land [zł/m²]")),
    ("building_residential", _("residential buildings [zł/m² usable floor area]")),
    ("building_business", _("business buildings [zł/m² usable floor area]")),
    ("building_other", _("other buildings [zł/m² usable floor area]")),
]

# Statutory maxima of the property tax rates per year (art. 5 ust. 1 UPOL, raised each
# year by the obwieszczenie of the Minister of Finance in Monitor Polski). Each row is
# seeded with its source and whether the figure was confirmed; the 2027 maxima (the
# obwieszczenie due in 2026) were searched for again on 2026-12-07 and not found, so none
# are entered: a 2027 run refuses and the list of rules in force shows them as not entered.
UPOL = "ustawa z dnia 12 stycznia 1991 r. o podatkach i opłatach lokalnych"
MAXIMA_2025 = ("obwieszczenie MF w sprawie górnych granic stawek kwotowych podatków i opłat "
               "lokalnych na rok 2025 (confirmed from podatkowyreferat.online 2025-01-02 and "
               "kujawy-pomorze.info quoting it)")
MAXIMA_2026 = ("obwieszczenie MFiG z 1 sierpnia 2025 r. w sprawie górnych granic stawek "
               "kwotowych podatków i opłat lokalnych na rok 2026 (rp.pl art42830821, "
               "dziennik.pl 9857197)")
# key -> (rate, verified, note)
DEFAULT_RATES = {
    2025: {"land_business": ("1.38", True, ""), "land_water": ("6.84", True, ""),
           "land_other": ("0.73", True, ""), "building_residential": ("1.19", True, ""),
           "building_business": ("34.00", True, ""),
           "building_other": ("11.86", False, "lit. e not confirmed in the sources read")},
    2026: {"land_business": ("1.45", True, ""),
           "land_water": ("7.15", True, "the obwieszczenie as quoted by samorzad.infor.pl "
                                       "7020275 (2025-08-24)"),
           "land_other": ("0.77", True, "the obwieszczenie as quoted by samorzad.infor.pl "
                                       "7020275 (2025-08-24)"),
           "building_residential": ("1.25", True, ""),
           "building_business": ("35.53", True, ""),
           "building_other": ("12.40", False,
                              "2025 maximum raised by the 4.5% index, rounded up to the "
                              "grosz (UPOL art. 20 ust. 1); the obwieszczenie not read")},
}
DEFAULT_RATES_SOURCE = {2025: MAXIMA_2025, 2026: MAXIMA_2026}

# Agricultural and forest tax follow from a price per year (the rye price of the GUS
# communiqué, art. 6 ust. 1-2 of the agricultural tax act; the wood price, art. 4 ust. 4
# of the forest tax act); a council may lower either for its gmina (a unit's row).
AGRICULTURAL_ACT = "ustawa z dnia 15 listopada 1984 r. o podatku rolnym"
FOREST_ACT = "ustawa z dnia 30 października 2002 r. o podatku leśnym"
RYE_PRICE, WOOD_PRICE = "tax.rye_price", "tax.wood_price"
FARM_RYE_Q, OTHER_RYE_Q, FOREST_WOOD_M3 = "tax.farm_rye_q", "tax.other_rye_q", "tax.forest_wood_m3"
FARM_THRESHOLD = "tax.farm_threshold_ha"
AGRICULTURAL_EXEMPT_CLASSES = "tax.agricultural_exempt_classes"
LAND_USE_TAX_RULE, SOIL_USE_GROUP_RULE = "tax.land_use_tax", "tax.soil_use_group"
KST_TAX_RULE, KST_FALLBACK_RULE = "tax.kst_building_tax", "tax.kst_fallback"
FINDING_SEVERITY_RULE = "tax.finding_severity"
TAX_RULE_LABELS = {
    RYE_PRICE: _("average rye price for the agricultural tax [zł/q]"),
    WOOD_PRICE: _("average wood price for the forest tax [zł/m³]"),
    FARM_RYE_Q: _("agricultural tax of a farm [q of rye per conversion ha]"),
    OTHER_RYE_Q: _("agricultural tax of other agricultural land [q of rye per ha]"),
    FOREST_WOOD_M3: _("forest tax [m³ of wood per ha]"),
    FARM_THRESHOLD: _("a farm: agricultural land over this many ha or conversion ha"),
    AGRICULTURAL_EXEMPT_CLASSES: _("soil classes exempt from the agricultural tax"),
    LAND_USE_TAX_RULE: _("land use (OFU) → tax and conversion group"),
    SOIL_USE_GROUP_RULE: _("soil use (OZU) → conversion group of Br, Lzr and S pieces"),
    KST_TAX_RULE: _("building class (KŚT) → property tax rate"),
    KST_FALLBACK_RULE: _("rate of a building whose class the table does not know"),
    FINDING_SEVERITY_RULE: _("reconciliation: severity of findings (high from, medium from "
                             "[zł a year]; fixed per category)"),
}

# Derived rates: key -> (price rule, quantity rule, what it is charged on).
AGRICULTURAL_FARM, AGRICULTURAL_OTHER = "agricultural", "agricultural_other"
DERIVED_RATES = {
    AGRICULTURAL_FARM: (RYE_PRICE, FARM_RYE_Q),
    AGRICULTURAL_OTHER: (RYE_PRICE, OTHER_RYE_Q),
    "forest": (WOOD_PRICE, FOREST_WOOD_M3),
}

# What tax each land-use code (OFU) carries and the conversion group of agricultural land.
# Agricultural tax on użytki rolne and Lzr (art. 1 of the agricultural tax act); forest tax
# on Ls (art. 1 of the forest tax act); nieużytki (N) and Lz exempt from property tax unless
# used for business (UPOL art. 7 ust. 1 pkt 10 as the domain review found it); internal
# roads (dr) that are not public roads are other land (BIP Grzmiąca tax codes).
TAX_AGRICULTURAL, TAX_FOREST, TAX_EXEMPT = "agricultural", "forest", "exempt"
# A building class exempt only on the land of a farm (UPOL art. 7 ust. 1 pkt 4 lit. b);
# elsewhere the building is taxed at the rate of the remaining buildings (KST_FALLBACK).
TAX_EXEMPT_ON_FARM = "exempt_on_farm"
TAX_LAND_BUSINESS, TAX_LAND_WATER, TAX_LAND_OTHER = "land_business", "land_water", "land_other"
TAX_CLASSES = (TAX_AGRICULTURAL, TAX_FOREST, TAX_LAND_BUSINESS, TAX_LAND_WATER, TAX_LAND_OTHER)
ARABLE, GRASSLAND = "arable", "grassland"
LAND_USE_TAX: dict[str, tuple[str, str]] = {
    "R": (TAX_AGRICULTURAL, ARABLE), "S": (TAX_AGRICULTURAL, ARABLE),
    "Ł": (TAX_AGRICULTURAL, GRASSLAND), "Ps": (TAX_AGRICULTURAL, GRASSLAND),
    "Br": (TAX_AGRICULTURAL, ARABLE), "Lzr": (TAX_AGRICULTURAL, ARABLE),
    "Wsr": (TAX_AGRICULTURAL, ""), "W": (TAX_AGRICULTURAL, ""),
    "N": (TAX_EXEMPT, ""), "Ls": (TAX_FOREST, ""), "Lz": (TAX_EXEMPT, ""),
    "B": (TAX_LAND_OTHER, ""), "Bi": (TAX_LAND_OTHER, ""), "Bz": (TAX_LAND_OTHER, ""),
    "Bp": (TAX_LAND_OTHER, ""), "K": (TAX_LAND_BUSINESS, ""), "Ba": (TAX_LAND_BUSINESS, ""),
    "Tk": (TAX_LAND_OTHER, ""), "Ti": (TAX_LAND_OTHER, ""), "Tp": (TAX_LAND_OTHER, ""),
    "Tr": (TAX_LAND_OTHER, ""),
    "Wm": (TAX_LAND_WATER, ""), "Wp": (TAX_LAND_WATER, ""), "Ws": (TAX_LAND_WATER, ""),
    "dr": (TAX_LAND_OTHER, ""),
}
# Br, Lzr and S pieces take the factors of the soil use they were classified as: Br-ŁIII
# counts as grassland III, not arable IIIa (domain review, December 2026).
SOIL_USE_GROUP = {"R": ARABLE, "S": ARABLE, "Ł": GRASSLAND, "Ps": GRASSLAND}
# A declared land object's category -> its tax class.
LAND_CATEGORY_TAX = {BUSINESS: TAX_LAND_BUSINESS, WATER: TAX_LAND_WATER, OTHER: TAX_LAND_OTHER}
# Agricultural land with no factor (ponds, ditches, a class the table lacks) counts one
# conversion hectare per hectare: the reconciliation's own estimate, not a statutory figure.
FALLBACK_FACTOR = Decimal("1.00")
# Orchards use the arable factors; III and IV of orchards count as IIIa and IVa (domain.md).
SOIL_CLASS_ALIASES = {(ARABLE, "III"): "IIIa", (ARABLE, "IV"): "IVa"}

# Conversion hectare factors by soil class, districts I/II/III/IV (domain.md; art. 4 ust. 1),
# seeded as in force from the act's first day: the table's amendments since 1985 and its
# figures were not read in the act's text, so the rows are marked unverified.
CONVERSION_FACTORS_FROM = "1985-01-01"
# (act, article, journal, verified, note) of the seeded rows.
CONVERSION_FACTORS_SOURCE = (AGRICULTURAL_ACT, "art. 4 ust. 1", "", False,
                             "table of the domain notes; the act's text was not read")
CONVERSION_FACTORS = {
    ARABLE: {"I": "1.95 1.80 1.65 1.45", "II": "1.80 1.65 1.50 1.35",
             "IIIa": "1.65 1.50 1.40 1.25", "IIIb": "1.35 1.25 1.15 1.00",
             "IVa": "1.10 1.00 0.90 0.80", "IVb": "0.80 0.75 0.65 0.60",
             "V": "0.35 0.30 0.25 0.20", "VI": "0.20 0.15 0.10 0.05"},
    GRASSLAND: {"I": "1.75 1.60 1.45 1.35", "II": "1.45 1.35 1.25 1.10",
                "III": "1.25 1.15 1.05 0.95", "IV": "0.75 0.70 0.60 0.55",
                "V": "0.20 0.20 0.15 0.15", "VI": "0.15 0.15 0.10 0.05"},
}

# Building class (KST) -> property tax rate of its usable floor area (UPOL art. 5 ust. 1
# pkt 2); "exempt" buildings are not expected in the register. KŚT 108 agricultural
# buildings (1271) are exempt only on a farm's land and used for farming: the cadastre
# shows the first (the building's parcels belong to a farm holding), not the use, so one
# on a farm is taken as exempt (the officer sees the rule) and one elsewhere is expected.
KST_TAX = {
    "1110": "building_residential", "1121": "building_residential",
    "1122": "building_residential", "1130": "building_residential",
    "1211": "building_business", "1212": "building_business", "1220": "building_business",
    "1230": "building_business", "1241": "building_business", "1251": "building_business",
    "1252": "building_business", "1242": "building_other", "1261": "building_other",
    "1262": "building_other", "1263": "building_other", "1264": "building_other",
    "1265": "building_other", "1273": "building_other", "1274": "building_other",
    "1271": TAX_EXEMPT_ON_FARM, "1272": TAX_EXEMPT,
}
# A building whose class this table does not know is expected as an "other" building
# (UPOL art. 5 ust. 1 pkt 2 lit. e, the remaining buildings).
KST_FALLBACK = "building_other"
# A declared building's category -> its rate.
BUILDING_CATEGORY_TAX = {RESIDENTIAL: "building_residential", BUSINESS: "building_business",
                         OTHER: "building_other"}


def _year(y: int, end: bool = False) -> str:
    return f"{y}-12-31" if end else f"{y}-01-01"


# The dated rules seeded by migration: (key, value, valid_from, valid_to, act, article,
# journal, verified, note).
LEGAL_RULES = [
    (RYE_PRICE, "86.34", _year(2025), _year(2025, True), AGRICULTURAL_ACT,
     "art. 6 ust. 1-2; komunikat Prezesa GUS (October 2024)", "M.P. 2024 poz. 891", True,
     "215.85 zł per conversion ha, 431.70 zł per ha (BIP Jaktorów, Wodzisław Śląski)"),
    (RYE_PRICE, "66.42", _year(2026), _year(2026, True), AGRICULTURAL_ACT,
     "art. 6 ust. 1-2; komunikat Prezesa GUS z 17 października 2025 r.", "", True,
     "agronews.com.pl, ogloszenia.agro.pl; M.P. position not found"),
    (WOOD_PRICE, "277.35", _year(2025), _year(2025, True), FOREST_ACT,
     "art. 4 ust. 4; komunikat Prezesa GUS z 18 października 2024 r.", "", True,
     "61.017 zł per ha (BIP Kiwity); the 2026 price (komunikat of October 2025) was searched "
     "for again on 2026-12-07 and not found: enter it before a 2026 run"),
    (FARM_RYE_Q, "2.5", "1985-01-01", None, AGRICULTURAL_ACT, "art. 4 ust. 1, art. 6a",
     "", False, "the figure is confirmed by many BIPs; the article number was not read"),
    (OTHER_RYE_Q, "5", "1985-01-01", None, AGRICULTURAL_ACT, "art. 4 ust. 1, art. 6a",
     "", False, "the figure is confirmed by many BIPs; the article number was not read"),
    (FOREST_WOOD_M3, "0.220", "2003-01-01", None, FOREST_ACT, "art. 4 ust. 1", "", True,
     "quoted from the act on BIP Kobylin"),
    (FARM_THRESHOLD, "1", "1985-01-01", None, AGRICULTURAL_ACT, "art. 2 ust. 1", "", True,
     "read in the act's text (przepisy.gofin.pl); counted per register unit of the gmina"),
    (AGRICULTURAL_EXEMPT_CLASSES, ["V", "VI", "VIz"], "1985-01-01", None, AGRICULTURAL_ACT,
     "art. 12 ust. 1 pkt 1", "", False,
     "domain review (agronews.com.pl; BIP Leszno; agrofakt.pl); act text not read"),
    (LAND_USE_TAX_RULE, {k: list(v) for k, v in LAND_USE_TAX.items()}, "2025-01-01", None,
     UPOL, "art. 2, art. 7 ust. 1 pkt 10; podatek rolny art. 1; podatek leśny art. 1", "",
     False, "Lz and N exempt unless used for business; dr as other land (BIP Grzmiąca)"),
    (SOIL_USE_GROUP_RULE, SOIL_USE_GROUP, "1985-01-01", None, AGRICULTURAL_ACT,
     "art. 4 ust. 4-5", "", False, "domain review, December 2026: Br-ŁIII is grassland III"),
    (KST_TAX_RULE, KST_TAX, "2025-01-01", None, UPOL,
     "art. 1a ust. 1 pkt 1-2, art. 5 ust. 1 pkt 2, art. 7 ust. 1 pkt 4 lit. b",
     "Dz.U. 2024 poz. 1757 (amending act, in force 2025-01-01)", False,
     "the 2025 definitions of budynek and budowla (containers fixed to the ground, wiaty and "
     "hangars are budowle, załącznik nr 4) and one rate for garages in residential buildings "
     "are confirmed (gazetaprawna.pl 9681151, 9628424; infor.pl 6821534); the class-to-rate "
     "table is the product's reading. KŚT 108 (1271) buildings are exempt only on the land of "
     "a farm and used only for farming (art. 7 ust. 1 pkt 4 lit. b; podatkowyreferat.online "
     "2024-04-19): one standing on a farm's land is taken as exempt (the cadastre cannot "
     "show the use: the officer checks), one elsewhere is expected at the fallback rate"),
    (KST_FALLBACK_RULE, KST_FALLBACK, "2025-01-01", None, UPOL, "art. 5 ust. 1 pkt 2 lit. e",
     "", False, ""),
]

# Who is taxed for land by the right recorded in the cadastre: the owner, but for land in
# perpetual usufruct the perpetual usufructuary, and for State Treasury or gmina property
# held in trust management its holder (UPOL art. 3 ust. 1 pkt 3 and pkt 4 lit. a; the same
# in the agricultural and forest tax acts; not re-read in December 2026). Of a register
# unit's shares, those of
# the lowest rank present name the taxpayers the register should hold.
TAXPAYER_RIGHT_RANK = {RIGHT_PERPETUAL_USUFRUCT: 1, RIGHT_TRUST_MANAGEMENT: 1, RIGHT_OWNERSHIP: 2}

# Finding categories, in the order the list shows them, and their map colours.
PARCEL_UNTAXED = "parcel_untaxed"
RETIRED_PARCEL = "retired_parcel"
UNKNOWN_PARCEL = "unknown_parcel"
AREA_DIFFERENCE = "area_difference"
LAND_USE_DIFFERENCE = "land_use_difference"
BUILDING_UNDECLARED = "building_undeclared"
FLOOR_AREA_DIFFERENCE = "floor_area_difference"
OWNER_MISMATCH = "owner_mismatch"
RETIRED_BUILDING = "retired_building"
UNKNOWN_BUILDING = "unknown_building"
FINDING_CATEGORIES = [
    (PARCEL_UNTAXED, _("parcel without a tax object"), "#c62828"),
    (RETIRED_PARCEL, _("tax object on a retired parcel"), "#6a1b9a"),
    (UNKNOWN_PARCEL, _("tax object on an unknown parcel"), "#4a148c"),
    (AREA_DIFFERENCE, _("declared area differs"), "#ef6c00"),
    (LAND_USE_DIFFERENCE, _("land use or soil class differs"), "#f9a825"),
    (BUILDING_UNDECLARED, _("building not declared"), "#d81b60"),
    (FLOOR_AREA_DIFFERENCE, _("usable floor area differs"), "#ad1457"),
    (RETIRED_BUILDING, _("tax object on a retired building"), "#8e24aa"),
    (UNKNOWN_BUILDING, _("tax object on an unknown building"), "#311b92"),
    (OWNER_MISMATCH, _("owners differ from taxpayers"), "#1565c0"),
]
CATEGORY_NAMES = {code: name for code, name, _colour in FINDING_CATEGORIES}
CATEGORY_COLOURS = {code: colour for code, _name, colour in FINDING_CATEGORIES}

# Severity by the estimated annual difference (zł, absolute); categories with no money
# estimate have a fixed severity; "spouse": only one spouse taxed where the cadastre lists a
# married couple. Seeded as the dated rule FINDING_SEVERITY_RULE (LEGAL_RULES), which a
# unit's tax office may replace with its own row; no statute sets these priorities.
FINDING_SEVERITY = {
    "high_from": "500", "medium_from": "50", "spouse": "low",
    "fixed": {RETIRED_PARCEL: "medium", UNKNOWN_PARCEL: "high", OWNER_MISMATCH: "medium",
              RETIRED_BUILDING: "medium", UNKNOWN_BUILDING: "high"},
}
SEVERITIES = ("high", "medium", "low")

# What each rate is charged on: m² of land, hectares, conversion hectares, m² of floor area.
RATE_BASIS = {"land_business": "m2", "land_water": "ha", "land_other": "m2",
              "agricultural": "conv", "agricultural_other": "ha", "forest": "ha",
              "building_residential": "floor", "building_business": "floor",
              "building_other": "floor"}
# A current parcel overlapping a retired one by at least this much (m²) is its successor.
SUCCESSOR_MIN_M2 = 1.0

# The map legend speaks Polish (layers/registry.py): category -> Polish title.
FINDING_TITLES_PL = {
    PARCEL_UNTAXED: "Działka bez przedmiotu opodatkowania",
    RETIRED_PARCEL: "Przedmiot opodatkowania na działce archiwalnej",
    UNKNOWN_PARCEL: "Przedmiot opodatkowania na nieznanej działce",
    AREA_DIFFERENCE: "Różnica powierzchni",
    LAND_USE_DIFFERENCE: "Różnica użytku lub klasy gleboznawczej",
    BUILDING_UNDECLARED: "Budynek niezgłoszony do opodatkowania",
    FLOOR_AREA_DIFFERENCE: "Różnica powierzchni użytkowej budynku",
    OWNER_MISMATCH: "Władający inni niż podatnicy",
    RETIRED_BUILDING: "Przedmiot opodatkowania na budynku archiwalnym",
    UNKNOWN_BUILDING: "Przedmiot opodatkowania na nieznanym budynku",
}

# Headings of the evidence a finding carries (reconcile_sql.py), in the order shown.
EVIDENCE_LABELS = {
    "registered_area_ha": _("registered area [ha]"),
    "tolerance_ha": _("tolerance [ha]"),
    "expected_area_ha": _("area by the cadastre [ha]"),
    "declared_area_ha": _("declared area [ha]"),
    "expected_conversion_ha": _("conversion hectares by the cadastre"),
    "declared_conversion_ha": _("declared conversion hectares"),
    "expected": _("by the cadastre, per tax class"),
    "declared": _("declared, per tax class"),
    "retired_at": _("parcel retired on"),
    "successors": _("parcels it became"),
    "declared_tax": _("tax declared on it [zł]; the estimate is the tax of the untaxed parcels "
                      "it became, less this tax for their share of its ground"),
    "taxed_as_retired": _("ground still taxed under a retired parcel (estimated in that "
                          "parcel's finding, not here)"),
    "objects": _("tax objects naming it"),
    "parcels": _("parcels"),
    "footprint_m2": _("built-up area [m²]"),
    "storeys": _("storeys above ground"),
    "estimated_floor_area_m2": _("estimated usable floor area [m²]"),
    "declared_floor_area_m2": _("declared usable floor area [m²]"),
    "buildings": _("buildings"),
    "tolerance_share": _("tolerance [share]"),
    "rate": _("rate applied"),
    "kst_class": _("KST class"),
    "building_retired_at": _("building retired on"),
    "buildings_now": _("current buildings on its footprint"),
    "spouse_case": _("only one spouse taxed"),
}


LEGAL_RULES.append(
    (FINDING_SEVERITY_RULE, FINDING_SEVERITY, "2024-01-01", None,
     "no statute: the tax office's own priorities for reviewing findings", "", "", True,
     "the product's defaults (an estimated difference of 500 zł a year or more is high, 50 "
     "zł or more medium); a unit enters its own row to change them"))
