"""Zone symbols: their official names, the APP code list values and the planning colours.

General plan (plan ogólny, 2023 reform) planning zones are the closed list of the
planning act art. 13f. Names, the RodzajStrefyPlanistycznejKod code list values and
the fill colours follow the regulation on the general plan's form (MRiT, 8 Dec 2023)
as the ministry's APP QGIS plugin implements them (CyfryzacjaAPP/wtyczka_qgis_app_2,
QML/StrefaPlanistyczna.qml) (to be compared with the annex when it changes).

Local plan (MPZP) symbols vary by plan, so symbols not listed here are accepted
(with a warning) and drawn grey. Their colours are the customary planning palette
(not confirmed).
"""
from dataclasses import dataclass

CODE_LIST = ("https://www.gov.pl/static/zagospodarowanieprzestrzenne/codelist/"
             "RodzajStrefyPlanistycznejKod/")


@dataclass(frozen=True)
class ZoneKind:
    symbol: str
    name_pl: str
    name_en: str
    colour: str  # '#rrggbb'
    code: str = ""  # the APP code list value naming this kind of zone (general plan only)


def _kinds(*kinds: ZoneKind) -> dict[str, ZoneKind]:
    return {kind.symbol: kind for kind in kinds}


GENERAL_PLAN_ZONES = _kinds(
    ZoneKind("SW", "strefa wielofunkcyjna z zabudową mieszkaniową wielorodzinną",
             "multi-function zone with multi-family housing", "#9a7c64",
             "strefaWielofunkcyjnaZZabudowaMieszkaniowaWielorodzinna"),
    ZoneKind("SJ", "strefa wielofunkcyjna z zabudową mieszkaniową jednorodzinną",
             "multi-function zone with single-family housing", "#d9b473",
             "strefaWielofunkcyjnaZZabudowaMieszkaniowaJednorodzinna"),
    ZoneKind("SZ", "strefa wielofunkcyjna z zabudową zagrodową",
             "multi-function zone with farmsteads", "#ffe6ab",
             "strefaWielofunkcyjnaZZabudowaZagrodowa"),
    ZoneKind("SU", "strefa usługowa", "services zone", "#ff6c69", "strefaUslugowa"),
    ZoneKind("SH", "strefa handlu wielkopowierzchniowego", "large retail zone", "#ff84b7",
             "strefaHandluWielkopowierzchniowego"),
    ZoneKind("SP", "strefa gospodarcza", "economic zone", "#af88de", "strefaGospodarcza"),
    ZoneKind("SR", "strefa produkcji rolniczej", "agricultural production zone", "#feef64",
             "strefaProdukcjiRolniczej"),
    ZoneKind("SI", "strefa infrastrukturalna", "infrastructure zone", "#cccccc",
             "strefaInfrastrukturalna"),
    ZoneKind("SN", "strefa zieleni i rekreacji", "green and recreation zone", "#bbf58b",
             "strefaZieleniIRekreacji"),
    ZoneKind("SC", "strefa cmentarzy", "cemetery zone", "#94d4c4", "strefaCmentarzy"),
    ZoneKind("SG", "strefa górnictwa", "mining zone", "#fcd4ff", "strefaGornictwa"),
    ZoneKind("SO", "strefa otwarta", "open areas zone", "#e3ffc7", "strefaOtwarta"),
    ZoneKind("SK", "strefa komunikacyjna", "transport zone", "#f2f2f2", "strefaKomunikacyjna"),
)
GENERAL_ZONE_OUTLINE = "#535353"

LOCAL_PLAN_DESIGNATIONS = _kinds(
    ZoneKind("MN", "teren zabudowy mieszkaniowej jednorodzinnej", "single-family housing",
             "#f5c77e"),
    ZoneKind("MW", "teren zabudowy mieszkaniowej wielorodzinnej", "multi-family housing",
             "#c8641e"),
    ZoneKind("U", "teren zabudowy usługowej", "services", "#e53935"),
    ZoneKind("P", "teren obiektów produkcyjnych, składów i magazynów", "production",
             "#9575cd"),
    ZoneKind("R", "teren rolniczy", "agriculture", "#e4e49b"),
    ZoneKind("ZL", "teren lasu", "forest", "#2e7d32"),
    ZoneKind("ZP", "teren zieleni urządzonej", "public green", "#66bb6a"),
    ZoneKind("KD", "teren drogi publicznej", "public roads", "#d6d6d6"),
)
UNKNOWN_COLOUR = "#b0b0b0"


def general_zone_by_code(code: str) -> ZoneKind | None:
    """The zone kind named by an APP code list value or its full URL (`app:nazwa`)."""
    value = code.rsplit("/", 1)[-1]
    return _BY_CODE.get(value)


_BY_CODE = {kind.code: kind for kind in GENERAL_PLAN_ZONES.values()}
