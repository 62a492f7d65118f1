"""The two EGiB GML schemas as tables: element names, and where each field is read.

The 2021 (Dz.U. 2021 poz. 1390) and 2015 models differ in namespace and in a few
element names (domain.md). Everything a reader needs to know about one of them is
a `GmlSchema`; the XPath of every field is built from it once. Prefixes in the
paths: `e` the schema's namespace, `i` the namespace of the IIP identifier's parts,
`gml`, `xlink`.
"""
from dataclasses import dataclass, field

from lxml import etree

GML = "http://www.opengis.net/gml/3.2"
XLINK = "http://www.w3.org/1999/xlink"
# Joins the values of one feature in a single XPath string; a private-use character,
# which no field of a cadastre export holds (a value that does is reported).
SEP = "\ue000"


@dataclass(frozen=True)
class GmlSchema:
    key: str
    namespace: str
    id_namespace: str  # namespace of lokalnyId, przestrzenNazw, wersjaId
    names: dict[str, str]  # role -> local element name ("" when the schema has none)
    kw: tuple[str, ...]  # land register number elements, the first present wins
    subjects: tuple[str, ...] = field(default_factory=tuple)  # a share's subject links


_COMMON = {
    "parcel": "EGB_DzialkaEwidencyjna", "building": "EGB_Budynek",
    "precinct": "EGB_ObrebEwidencyjny", "register_unit": "EGB_JednostkaRejestrowaGruntow",
    "person": "EGB_OsobaFizyczna", "institution": "EGB_Instytucja",
    "marriage": "EGB_Malzenstwo", "group": "EGB_PodmiotGrupowy",
    "land_use_feature": "EGB_Klasouzytek", "parcel_jrg": "JRG2", "share_jrg": "JRG",
    "built_on": "dzialkaZabudowana", "spouse_a": "osobaFizyczna2", "spouse_b": "osobaFizyczna3",
}
EGIB_2021 = GmlSchema(
    key="egib2021", namespace="ewidencjaGruntowIBudynkow:1.0",
    id_namespace="ewidencjaGruntowIBudynkow:1.0",
    names={**_COMMON, "share": "EGB_UdzialWeWlasnosci", "area": "poleEwidencyjne",
           "accuracy": "dokladnoscReprezentacjiPola", "land_use_inline": "klasouzytek",
           "land_use_ref": "", "land_use_area": "powierzchnia"},
    kw=("numerKW",),
    subjects=("osobaFizyczna", "malzenstwo", "instytucja1", "podmiotGrupowy"),
)
EGIB_2015 = GmlSchema(
    key="egib2015", namespace="urn:gugik:specyfikacje:gmlas:ewidencjaGruntowBudynkow:1.0",
    id_namespace="urn:gugik:specyfikacje:gmlas:modelPodstawowy:1.0",
    names={**_COMMON, "share": "EGB_UdzialWlasnosci", "area": "powierzchniaEwidencyjna",
           "accuracy": "informacjaODokladnReprezentacjiPola", "land_use_inline": "",
           "land_use_ref": "klasouzytekWGranicachDzialki",
           "land_use_area": "powierzchniaEwidencyjnaKlasouzytku"},
    kw=("numerElektronicznejKW", "numerKW"),
    subjects=("osobaFizyczna5", "malzenstwo4", "instytucja3", "podmiotGrupowy2"),
)

LIFE = {
    "gml_id": "@gml:id", "local_id": "e:idIIP/*/i:lokalnyId", "ns": "e:idIIP/*/i:przestrzenNazw",
    "version_id": "e:idIIP/*/i:wersjaId", "object_start": "e:startObiekt",
    "version_start": "e:startWersjaObiekt", "version_end": "e:koniecWersjaObiekt",
    "object_end": "e:koniecObiekt",
}


def field_paths(s: GmlSchema) -> dict[str, dict[str, str]]:
    """Feature kind -> field -> XPath of its text, relative to the feature element."""
    n = s.names
    land_use = {"gml_id": "@gml:id", "ofu": "e:OFU", "ozu": "e:OZU", "ozk": "e:OZK",
                "area": f"e:{n['land_use_area']}"}
    return {
        "parcel": {**LIFE, "parcel_id": "e:idDzialki", "area": f"e:{n['area']}",
                   "accuracy": f"e:{n['accuracy']}",
                   "kw": "(" + " | ".join(f"e:{k}" for k in s.kw) + ")[1]",
                   "jrg": f"e:{n['parcel_jrg']}/@xlink:href"},
        "land_use": land_use,
        "land_use_feature": {**LIFE, **land_use},
        "building": {**LIFE, "building_id": "e:idBudynku", "kst": "e:rodzajWgKST",
                     "above": "e:liczbaKondygnacjiNadziemnych",
                     "below": "e:liczbaKondygnacjiPodziemnych", "built_up": "e:powZabudowy"},
        "precinct": {"gml_id": "@gml:id", "code": "e:idObrebu", "name": "e:nazwaWlasna"},
        "register_unit": {**LIFE, "register_id": "e:idJednostkiRejestrowej",
                          "group": "e:grupaRejestrowa"},
        "person": {**LIFE, "first_name": "e:pierwszeImie", "second_name": "e:drugieImie",
                   "surname_1": "e:pierwszyCzlonNazwiska", "surname_2": "e:drugiCzlonNazwiska",
                   "pesel": "e:pesel"},
        "institution": {**LIFE, "full_name": "e:nazwaPelna", "short_name": "e:nazwaSkrocona",
                        "regon": "e:regon"},
        "marriage": {**LIFE, "a": f"e:{n['spouse_a']}/@xlink:href",
                     "b": f"e:{n['spouse_b']}/@xlink:href"},
        "group": {**LIFE, "full_name": "e:nazwaPelna"},
        "share": {**LIFE, "right": "e:rodzajPrawa",
                  "numerator": "e:licznikUlamkaOkreslajacegoWartoscUdzialu",
                  "denominator": "e:mianownikUlamkaOkreslajacegoWartoscUdzialu",
                  "subject": "(" + " | ".join(f".//e:{k}" for k in s.subjects)
                             + ")[1]/@xlink:href",
                  "jrg": f"(.//e:{n['share_jrg']})[1]/@xlink:href"},
    }


def list_paths(s: GmlSchema) -> dict[str, str]:
    """Repeated things of a feature: XPaths returning a list."""
    n = s.names
    paths = {"geometry": "e:geometria", "built_on": f"e:{n['built_on']}/@xlink:href"}
    if n["land_use_inline"]:
        paths["pieces"] = f"e:{n['land_use_inline']}/e:{n['land_use_feature']}"
    if n["land_use_ref"]:
        paths["land_use_refs"] = f"e:{n['land_use_ref']}/@xlink:href"
    return paths


class Extractor:
    """All fields of one feature kind in a single compiled XPath call.

    One `concat()` evaluated by libxml2 instead of a `find` per field: field access
    is most of the reader's cost, and a county file may hold a million features.
    """

    def __init__(self, paths: dict[str, str], namespaces: dict[str, str]) -> None:
        self.names = list(paths)
        parts = [f"string({p})" for p in paths.values()]
        joined = f", '{SEP}', ".join(parts)
        self.xpath = etree.XPath(f"concat({joined}, '')", namespaces=namespaces)

    def __call__(self, elem: etree._Element) -> dict[str, str] | None:
        values = self.xpath(elem).split(SEP)
        if len(values) != len(self.names):
            return None
        return dict(zip(self.names, map(str.strip, values), strict=True))


def namespaces(s: GmlSchema) -> dict[str, str]:
    return {"e": s.namespace, "i": s.id_namespace, "gml": GML, "xlink": XLINK}


def extractors(s: GmlSchema) -> dict[str, Extractor]:
    ns = namespaces(s)
    return {kind: Extractor(paths, ns) for kind, paths in field_paths(s).items()}


def list_extractors(s: GmlSchema) -> dict[str, etree.XPath]:
    ns = namespaces(s)
    return {name: etree.XPath(path, namespaces=ns) for name, path in list_paths(s).items()}
