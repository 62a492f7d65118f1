"""Closed vocabularies of the EGiB model, as tables (sources cited per table)."""
from django.utils.translation import gettext_lazy as _

# Land-use codes OFU (oznaczenie form użytkowania), EGiB regulation annex; domain.md.
LAND_USE_CODES = {
    "R": _("arable land"), "Ł": _("meadow"), "Ps": _("pasture"), "S": _("orchard"),
    "Br": _("built-up agricultural land"), "Lzr": _("wooded agricultural land"),
    "Wsr": _("ponds on agricultural land"), "W": _("ditches"), "N": _("wasteland"),
    "Ls": _("forest"), "Lz": _("wooded land"),
    "B": _("residential land"), "Ba": _("industrial land"), "Bi": _("other built-up land"),
    "Bp": _("land under development"), "Bz": _("recreation land"), "K": _("mining land"),
    "dr": _("road"), "Tk": _("railway"), "Ti": _("other transport land"),
    "Tp": _("land for transport infrastructure"),
    "Wm": _("sea waters"), "Wp": _("flowing waters"), "Ws": _("standing waters"),
    "Tr": _("various land"),
}
AGRICULTURAL_CODES = frozenset({"R", "Ł", "Ps", "S", "Br", "Lzr", "Wsr", "W", "N"})
FOREST_CODES = frozenset({"Ls", "Lz"})

# Soil classes OZK: arable I..VI with IIIa/IIIb/IVa/IVb; meadows and pastures I..VI.
# VIz: the weakest class, land to be afforested (a valid class; exempt from the
# agricultural tax with V and VI).
SOIL_CLASSES = ("I", "II", "IIIa", "IIIb", "IVa", "IVb", "III", "IV", "V", "VI", "VIz")

# Register groups (grupa rejestrowa) of register units, EGiB regulation 2021 (wording as the
# domain notes give it; not re-read in the regulation's annex).
REGISTER_GROUPS = [
    (1, _("State Treasury")),
    (2, _("State Treasury, in perpetual usufruct")),
    (3, _("State companies and other state legal persons")),
    (4, _("Gminas and their unions")),
    (5, _("Gminas and their unions, in perpetual usufruct")),
    (6, _("Gmina companies and other gmina legal persons")),
    (7, _("Natural persons")),
    (8, _("Cooperatives")),
    (9, _("Churches and religious associations")),
    (10, _("Land communities")),
    (11, _("Powiats and their unions")),
    (12, _("Powiats and their unions, in perpetual usufruct")),
    (13, _("Powiat companies and other powiat legal persons")),
    (14, _("Voivodeships")),
    (15, _("Voivodeships, in perpetual usufruct")),
    (16, _("Voivodeship companies and other voivodeship legal persons")),
]

# Building classes of the KST (Klasyfikacja Środków Trwałych) group 1, as used in EGiB.
KST_CLASSES = {
    "1110": _("single-family residential"),
    "1121": _("two-dwelling residential"),
    "1122": _("multi-family residential"),
    "1130": _("collective residence"),
    "1211": _("hotel"),
    "1212": _("other short-stay accommodation"),
    "1220": _("office"),
    "1230": _("retail and services"),
    "1241": _("communication, stations, terminals"),
    "1242": _("garage"),
    "1251": _("industrial"),
    "1252": _("tanks, silos and warehouses"),
    "1261": _("culture and public entertainment"),
    "1262": _("museum or library"),
    "1263": _("school or research"),
    "1264": _("hospital or care"),
    "1265": _("sports hall"),
    "1271": _("farm building"),
    "1272": _("religious building"),
    "1273": _("historic monument"),
    "1274": _("other non-residential"),
}

# Rights recorded in an ownership share (rodzaj prawa).
RIGHT_OWNERSHIP = "ownership"
RIGHT_PERPETUAL_USUFRUCT = "perpetual_usufruct"
RIGHT_TRUST_MANAGEMENT = "trust_management"
RIGHT_CHOICES = [
    (RIGHT_OWNERSHIP, _("ownership")),
    (RIGHT_PERPETUAL_USUFRUCT, _("perpetual usufruct")),
    (RIGHT_TRUST_MANAGEMENT, _("trust management")),
]
