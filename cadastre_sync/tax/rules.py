"""The legal tables of tax reconciliation, one place each, with their sources.

Items marked (verify) were not confirmed against the statute text (domain.md): they
are data, so an administrator corrects them without a code change. Rates and the
conversion factors are stored in the database (TaxRate, ConversionFactor) and seeded
from these tables by a data migration; the unit's own rates override the defaults.
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
    ("agricultural", _("agricultural tax [zł/conversion ha]")),
    ("forest", _("forest tax [zł/ha]")),
]

# Statutory maxima for 2025 (obwieszczenie Ministra Finansów on the upper limits of local
# tax rates for 2025; agricultural: 2.5 q of rye at the GUS average price; forest: 0.220 m³
# of wood at the GUS average price) (verify every figure).
DEFAULT_RATES = {
    2025: {"land_business": "1.38", "land_water": "7.33", "land_other": "0.78",
           "building_residential": "1.19", "building_business": "34.00",
           "building_other": "11.86", "agricultural": "168.55", "forest": "63.73"},
}
DEFAULT_RATES_SOURCE = "maximum rates 2025, obwieszczenie MF (verify)"

# What tax each land-use code (OFU) carries and at which rate; the land group picks the
# conversion factors of agricultural land. ustawa o podatku rolnym art. 1, 4;
# ustawa o podatku leśnym art. 1; UPOL art. 2 (verify: Br, Lzr, Wsr, W; roads; wasteland).
TAX_AGRICULTURAL, TAX_FOREST, TAX_EXEMPT = "agricultural", "forest", "exempt"
TAX_LAND_BUSINESS, TAX_LAND_WATER, TAX_LAND_OTHER = "land_business", "land_water", "land_other"
TAX_CLASSES = (TAX_AGRICULTURAL, TAX_FOREST, TAX_LAND_BUSINESS, TAX_LAND_WATER, TAX_LAND_OTHER)
ARABLE, GRASSLAND = "arable", "grassland"
LAND_USE_TAX: dict[str, tuple[str, str]] = {
    "R": (TAX_AGRICULTURAL, ARABLE), "S": (TAX_AGRICULTURAL, ARABLE),
    "Ł": (TAX_AGRICULTURAL, GRASSLAND), "Ps": (TAX_AGRICULTURAL, GRASSLAND),
    "Br": (TAX_AGRICULTURAL, ARABLE), "Lzr": (TAX_AGRICULTURAL, ARABLE),
    "Wsr": (TAX_AGRICULTURAL, ""), "W": (TAX_AGRICULTURAL, ""),
    "N": (TAX_EXEMPT, ""),
    # Forest tax on Ls only; Lz (wooded and bushy land) is not a forest and pays property tax
    # as other land (domain.md, "Which tax applies") (verify).
    "Ls": (TAX_FOREST, ""), "Lz": (TAX_LAND_OTHER, ""),
    "B": (TAX_LAND_OTHER, ""), "Bi": (TAX_LAND_OTHER, ""), "Bz": (TAX_LAND_OTHER, ""),
    "Bp": (TAX_LAND_OTHER, ""), "K": (TAX_LAND_BUSINESS, ""), "Ba": (TAX_LAND_BUSINESS, ""),
    "Tk": (TAX_LAND_OTHER, ""), "Ti": (TAX_LAND_OTHER, ""), "Tp": (TAX_LAND_OTHER, ""),
    "Tr": (TAX_LAND_OTHER, ""),
    "Wm": (TAX_LAND_WATER, ""), "Wp": (TAX_LAND_WATER, ""), "Ws": (TAX_LAND_WATER, ""),
    "dr": (TAX_EXEMPT, ""),
}
# A declared land object's category -> its tax class.
LAND_CATEGORY_TAX = {BUSINESS: TAX_LAND_BUSINESS, WATER: TAX_LAND_WATER, OTHER: TAX_LAND_OTHER}
# Agricultural land of a group or class without a factor counts one conversion hectare per
# hectare (verify: ponds and ditches, art. 4 ust. 4-5).
FALLBACK_FACTOR = Decimal("1.00")
# Orchards use the arable factors; III and IV of orchards count as IIIa and IVa (domain.md).
SOIL_CLASS_ALIASES = {(ARABLE, "III"): "IIIa", (ARABLE, "IV"): "IVa"}

# Conversion hectare factors by soil class, districts I/II/III/IV (domain.md; art. 4 ust. 1).
CONVERSION_FACTORS = {
    ARABLE: {"I": "1.95 1.80 1.65 1.45", "II": "1.80 1.65 1.50 1.35",
             "IIIa": "1.65 1.50 1.40 1.25", "IIIb": "1.35 1.25 1.15 1.00",
             "IVa": "1.10 1.00 0.90 0.80", "IVb": "0.80 0.75 0.65 0.60",
             "V": "0.35 0.30 0.25 0.20", "VI": "0.20 0.15 0.10 0.05"},
    GRASSLAND: {"I": "1.75 1.60 1.45 1.35", "II": "1.45 1.35 1.25 1.10",
                "III": "1.25 1.15 1.05 0.95", "IV": "0.75 0.70 0.60 0.55",
                "V": "0.20 0.20 0.15 0.15", "VI": "0.15 0.15 0.10 0.05"},
}

# Building class (KST) -> property tax category of its usable floor area; "exempt" buildings
# are not expected in the register (UPOL art. 5 ust. 1 pkt 2, art. 7; verify public-use
# buildings and religious buildings).
KST_TAX = {
    "1110": "building_residential", "1121": "building_residential",
    "1122": "building_residential", "1130": "building_residential",
    "1211": "building_business", "1212": "building_business", "1220": "building_business",
    "1230": "building_business", "1241": "building_business", "1251": "building_business",
    "1252": "building_business", "1242": "building_other", "1261": "building_other",
    "1262": "building_other", "1263": "building_other", "1264": "building_other",
    "1265": "building_other", "1273": "building_other", "1274": "building_other",
    "1271": TAX_EXEMPT, "1272": TAX_EXEMPT,
}
# A building whose class this table does not know (a code outside KST_CLASSES, or none)
# is expected as an "other" building rather than left out (UPOL art. 5 ust. 1 pkt 2
# lit. e, the remaining buildings) (verify).
KST_FALLBACK = "building_other"
# A declared building's category -> its rate.
BUILDING_CATEGORY_TAX = {RESIDENTIAL: "building_residential", BUSINESS: "building_business",
                         OTHER: "building_other"}

# Who is taxed for land by the right recorded in the cadastre: the owner, but for land in
# perpetual usufruct the perpetual usufructuary, and for State Treasury or gmina property
# held in trust management its holder (UPOL art. 3 ust. 1 pkt 3 and pkt 4 lit. a; the same
# in the agricultural and forest tax acts) (verify). Of a register unit's shares, those of
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
# estimate have a fixed severity.
SEVERITY_BY_AMOUNT = ((Decimal("500"), "high"), (Decimal("50"), "medium"))
FIXED_SEVERITY = {RETIRED_PARCEL: "medium", UNKNOWN_PARCEL: "high", OWNER_MISMATCH: "medium",
                  RETIRED_BUILDING: "medium", UNKNOWN_BUILDING: "high"}
SPOUSE_SEVERITY = "low"  # only one spouse taxed where the cadastre lists a married couple

# What each rate is charged on: m² of land, hectares, conversion hectares, m² of floor area.
RATE_BASIS = {"land_business": "m2", "land_water": "ha", "land_other": "m2",
              "agricultural": "conv", "forest": "ha", "building_residential": "floor",
              "building_business": "floor", "building_other": "floor"}
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
