"""What the feature types of a cadastre file are, in words a gmina's clerk reads.

Types the import models are counted as staged; the rest (BDOT500 and GESUT features
exported together with the cadastre, presentation objects, boundary points,
documents, addresses, ...) are read past and counted by type. Names are matched by
exact type first, then by prefix (BDOT500 types start with OT_, GESUT ones with
GES_). A table, not branches: add a vendor's type here.
"""
from django.utils.translation import gettext_lazy as _

# Staged kinds (staging.KINDS) -> what they are.
STAGED = {
    "parcel": _("parcels"), "building": _("buildings"), "precinct": _("precincts"),
    "land_use": _("land-use pieces"), "register_unit": _("register units"),
    "subject": _("owners"), "share": _("ownership shares"),
}
# Types read past, exactly (EGiB GML 2021/2015 local names, SWDE G5 classes).
SKIPPED = {
    "EGB_Dokument": _("documents"), "G5DOK": _("documents"),
    "EGB_AdresNieruchomosci": _("addresses"), "EGB_AdresZameldowania": _("addresses"),
    "EGB_AdresStalegoPobytu": _("addresses"), "G5ADR": _("addresses"),
    "EGB_PunktGraniczny": _("boundary points"), "G5PKT": _("boundary points"),
    "PrezentacjaGraficzna": _("presentation objects"),
    "EGB_PrezentacjaGraficzna": _("presentation objects"),
    "KR_ObiektKarto": _("presentation objects"),
    "EGB_KonturUzytkuGruntowego": _("land-use contours"), "G5UZG": _("land-use contours"),
    "EGB_KonturKlasyfikacyjny": _("soil classification contours"),
    "G5KKL": _("soil classification contours"),
    "EGB_JednostkaEwidencyjna": _("cadastral units"), "G5JEW": _("cadastral units"),
    "EGB_LokalSamodzielny": _("premises"), "G5LOK": _("premises"),
    "EGB_BlokBudynku": _("building blocks"),
    "EGB_ObiektTrwaleZwiazanyZBudynkiem": _("structures attached to buildings"),
    "EGB_PodmiotGrupowy": _("group owners"), "G5OSZ": _("group owners"),
    "EGB_Zmiana": _("changes (operations)"), "G5ZMN": _("changes (operations)"),
    "EGB_OperatTechniczny": _("survey records"),
}
SKIPPED_PREFIXES = {
    "OT_": _("BDOT500 topographic objects"), "GES_": _("GESUT utility network objects"),
}
OTHER = _("other objects")


def type_group(name: str):
    """The words for a type read past: exact name, then prefix, else “other objects”."""
    if name in SKIPPED:
        return SKIPPED[name]
    return next((words for prefix, words in SKIPPED_PREFIXES.items()
                 if name.startswith(prefix)), OTHER)


def held(staged: dict[str, int], skipped: dict[str, int]) -> dict[str, int]:
    """Objects of a file by what they are (translated now), most numerous first."""
    counts: dict[str, int] = {}
    for kind, n in staged.items():
        if n:
            words = str(STAGED.get(kind, kind))
            counts[words] = counts.get(words, 0) + n
    for name, n in skipped.items():
        words = str(type_group(name))
        counts[words] = counts.get(words, 0) + n
    return dict(sorted(counts.items(), key=lambda item: -item[1]))
