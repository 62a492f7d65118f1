"""EGiB GML exports, 2021 and 2015 schemas: one streaming reader, one table per schema.

The two schemas differ in namespace and in a few element names (domain.md); those
differences are the `GmlSchema` tables below, not branches in the code.

The file is read with `lxml.etree.iterparse`, asking only for the end of feature
elements; each feature is turned into staging rows and then cleared, together
with the siblings before it, so memory does not grow with the file. Links
(`xlink:href`) are kept as keys and resolved in SQL after staging, because a
feature may point at one that comes later in the file.
"""
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from lxml import etree

from .base import CadastreReader, CountingReader, Row
from .geometry import GML, GeometryError, surface_ewkt
from .values import (
    area_accuracy,
    decimal_text,
    kst_class,
    land_register_number,
    local_time,
    parcel_id_problem,
    pesel_or_blank,
    register_group,
    regon_or_blank,
    whole_number,
)

XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
GML_ID = f"{{{GML}}}id"
MEMBER_TAGS = frozenset({f"{{{GML}}}featureMember", f"{{{GML}}}member"})
CONTAINER_TAGS = frozenset({f"{{{GML}}}featureMembers"})
ENVELOPE = f"{{{GML}}}Envelope"
BOUNDED_BY = f"{{{GML}}}boundedBy"
LIFE_DATES = (("object_start", "startObiekt"), ("version_start", "startWersjaObiekt"),
              ("version_end", "koniecWersjaObiekt"), ("object_end", "koniecObiekt"))


@dataclass(frozen=True)
class GmlSchema:
    """Where one schema keeps what we read; element names are local names."""

    key: str
    namespace: str
    id_namespace: str  # namespace of the identifier's own elements (lokalnyId, ...)
    id_container: str
    names: dict[str, str]
    kw: tuple[str, ...]
    subjects: dict[str, str] = field(default_factory=dict)  # share's subject link -> kind


_COMMON = {
    "parcel": "EGB_DzialkaEwidencyjna", "building": "EGB_Budynek",
    "precinct": "EGB_ObrebEwidencyjny", "register_unit": "EGB_JednostkaRejestrowaGruntow",
    "person": "EGB_OsobaFizyczna", "institution": "EGB_Instytucja",
    "marriage": "EGB_Malzenstwo", "group": "EGB_PodmiotGrupowy",
    "land_use_feature": "EGB_Klasouzytek", "land_use_piece": "EGB_Klasouzytek",
    "parcel_jrg": "JRG2", "share_jrg": "JRG", "built_on": "dzialkaZabudowana",
    "spouse_a": "osobaFizyczna2", "spouse_b": "osobaFizyczna3",
}
EGIB_2021 = GmlSchema(
    key="egib2021", namespace="ewidencjaGruntowIBudynkow:1.0",
    id_namespace="ewidencjaGruntowIBudynkow:1.0", id_container="EGB_IdentyfikatorIIP",
    names={**_COMMON, "share": "EGB_UdzialWeWlasnosci", "area": "poleEwidencyjne",
           "accuracy": "dokladnoscReprezentacjiPola", "land_use_inline": "klasouzytek",
           "land_use_ref": "", "land_use_area": "powierzchnia"},
    kw=("numerKW",),
    subjects={"osobaFizyczna": "person", "malzenstwo": "marriage", "instytucja1": "institution",
              "podmiotGrupowy": "group"},
)
EGIB_2015 = GmlSchema(
    key="egib2015", namespace="urn:gugik:specyfikacje:gmlas:ewidencjaGruntowBudynkow:1.0",
    id_namespace="urn:gugik:specyfikacje:gmlas:modelPodstawowy:1.0",
    id_container="BT_Identyfikator",
    names={**_COMMON, "share": "EGB_UdzialWlasnosci", "area": "powierzchniaEwidencyjna",
           "accuracy": "informacjaODokladnReprezentacjiPola", "land_use_inline": "",
           "land_use_ref": "klasouzytekWGranicachDzialki",
           "land_use_area": "powierzchniaEwidencyjnaKlasouzytku"},
    kw=("numerElektronicznejKW", "numerKW"),
    subjects={"osobaFizyczna5": "person", "malzenstwo4": "marriage", "instytucja3": "institution",
              "podmiotGrupowy2": "group"},
)


def ref_key(href: str | None) -> str:
    """A link as the key staging uses: a gml:id, or `iip:<namespace>:<local id>`.

    2021 exports link to gml:id (`#id` or `id`); 2015 exports to the IIP identifier
    `urn:pzgik:id:<namespace>:<local id>[:<version>]`, which names the object, not
    one version of it.
    """
    href = (href or "").strip()
    if href.startswith("#"):
        return href[1:]
    if href.lower().startswith("urn:pzgik:id:"):
        parts = href[len("urn:pzgik:id:"):].split(":")
        return f"iip:{parts[0]}:{parts[1]}" if len(parts) > 1 else href
    return href


def looks_like_xml(head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def declared_namespaces(head: bytes) -> list[str]:
    """Namespace URIs declared near the top of an XML file, for messages."""
    return sorted({m.decode("utf-8", "replace")
                   for m in re.findall(rb'xmlns(?::\w+)?="([^"]+)"', head)})


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


class EgibGmlReader(CadastreReader):
    schema: ClassVar[GmlSchema]

    def __init__(self, path: Path, report, options) -> None:
        super().__init__(path, report, options)
        ns = self.schema.namespace
        self.q = {role: f"{{{ns}}}{name}" for role, name in self.schema.names.items() if name}
        self.q["ident"] = (f"{{{ns}}}idIIP/{{{self.schema.id_namespace}}}"
                           f"{self.schema.id_container}")
        self.handlers = {self.q[kind]: getattr(self, f"_{kind}") for kind in (
            "parcel", "building", "precinct", "register_unit", "person", "institution",
            "marriage", "group", "share")}
        if self.schema.names["land_use_ref"]:
            self.handlers[self.q["land_use_feature"]] = self._land_use_feature
        self.default_srs = ""

    def e(self, name: str) -> str:
        """Clark name of an element of the schema's namespace."""
        return f"{{{self.schema.namespace}}}{name}"

    def idn(self, name: str) -> str:
        return f"{{{self.schema.id_namespace}}}{name}"

    @classmethod
    def sniff(cls, head: bytes, path: Path) -> bool:
        return looks_like_xml(head) and f'"{cls.schema.namespace}"'.encode() in head

    # -- the stream -----------------------------------------------------------------

    def rows(self) -> Iterator[Row]:
        if not self._namespace_declared():
            return
        tags = [*MEMBER_TAGS, *CONTAINER_TAGS, ENVELOPE, *self.handlers]
        with self.path.open("rb") as raw:
            source = CountingReader(raw)
            events = etree.iterparse(source, events=("end",), tag=tags, huge_tree=True,
                                     resolve_entities=False, no_network=True)
            try:
                for _, elem in events:
                    self.bytes_done = source.done
                    yield from self._element(elem)
            except etree.XMLSyntaxError as exc:
                self.error(f"the file is not well-formed XML (truncated or damaged?): {exc.msg}",
                           code="xml_syntax", line=exc.lineno)

    def _namespace_declared(self) -> bool:
        with self.path.open("rb") as f:
            head = f.read(64 * 1024)
        if not looks_like_xml(head):
            self.error("the file is not XML (it does not start with an XML element)",
                       code="not_xml", line=1)
            return False
        if f'"{self.schema.namespace}"'.encode() in head:
            return True
        self.error(f"unknown namespace: the root element does not declare the {self.label} "
                   f"namespace “{self.schema.namespace}”", code="unknown_namespace", line=1)
        return False

    def _element(self, elem: etree._Element) -> Iterator[Row]:
        if elem.tag in MEMBER_TAGS:
            self._release(elem)
            return
        parent = elem.getparent()
        if elem.tag == ENVELOPE:
            if parent is not None and parent.tag == BOUNDED_BY and not self.default_srs:
                self.default_srs = elem.get("srsName") or ""
            return
        if parent is None or (parent.tag not in MEMBER_TAGS and parent.tag not in CONTAINER_TAGS):
            return  # nested in another feature (e.g. an inline EGB_Klasouzytek)
        yield from self.handlers[elem.tag](elem)
        if parent.tag in CONTAINER_TAGS:
            self._release(elem)

    def _release(self, elem: etree._Element) -> None:
        """Free a finished feature and everything before it: memory stays flat."""
        if elem.tag in MEMBER_TAGS and (len(elem) == 0 or elem[0].tag not in self.handlers):
            self.skipped[local_name(elem[0].tag) if len(elem) else "empty member"] += 1
        elem.clear()
        parent = elem.getparent()
        while elem.getprevious() is not None:
            del parent[0]

    # -- pieces shared by the feature types --------------------------------------------

    def _text(self, elem: etree._Element, name: str) -> str:
        return (elem.findtext(self.e(name)) or "").strip()

    def _href(self, elem: etree._Element, name: str) -> str:
        found = elem.find(self.e(name))
        return ref_key(found.get(XLINK_HREF)) if found is not None else ""

    def _where(self, elem: etree._Element, kind: str, object_id: str = "") -> dict:
        return {"line": elem.sourceline, "gml_id": elem.get(GML_ID) or "",
                "object_id": object_id, "kind": kind}

    def _life(self, elem: etree._Element, kind: str) -> dict:
        """gml:id, the IIP identifier and the version dates of a feature."""
        row = {"line": elem.sourceline, "gml_id": elem.get(GML_ID) or f"line-{elem.sourceline}"}
        ident = elem.find(self.q["ident"])
        ns = local = version = ""
        if ident is not None:
            ns = (ident.findtext(self.idn("przestrzenNazw")) or "").strip()
            local = (ident.findtext(self.idn("lokalnyId")) or "").strip()
            version = (ident.findtext(self.idn("wersjaId")) or "").strip()[:40]
        row.update(ns=ns[:100], local_id=local[:100], version_id=version,
                   iip=f"iip:{ns}:{local}" if local else "")
        for column, name in LIFE_DATES:
            value, ok = local_time(self._text(elem, name))
            if not ok:
                self.warn(f"{name} “{self._text(elem, name)}” is not a date; left empty",
                          code="bad_date", **self._where(elem, kind))
            row[column] = value
        return row

    def _geometry(self, elem: etree._Element, kind: str, object_id: str,
                  required: bool = True) -> str | None:
        container = elem.find(self.e("geometria"))
        if container is None or len(container) == 0:
            if required:
                self.error(f"{kind} {object_id} has no geometry", code="no_geometry",
                           **self._where(elem, kind, object_id))
            return None
        try:
            return surface_ewkt(container, self.default_srs)[0]
        except GeometryError as exc:
            self.error(f"{kind} {object_id}: {exc}", code="bad_geometry",
                       **self._where(elem, kind, object_id))
            return None

    def _decimal(self, elem, name: str, kind: str, object_id: str, required=True) -> str | None:
        raw = self._text(elem, name)
        value = decimal_text(raw)
        if value is None and (raw or required):
            self.error(f"{name} “{raw}” is not a number", code="bad_number",
                       **self._where(elem, kind, object_id))
        return value

    # -- feature types ------------------------------------------------------------------

    def _parcel(self, elem: etree._Element) -> Iterator[Row]:
        parcel_id = self._text(elem, "idDzialki")
        where = self._where(elem, "parcel", parcel_id)
        if problem := (parcel_id_problem(parcel_id, self.options.unit_teryt) if parcel_id
                       else "the parcel has no idDzialki"):
            self.error(problem, code="bad_parcel_id", **where)
            return
        row = self._life(elem, "parcel")
        kw, ok = land_register_number(next(
            (t for t in (self._text(elem, n) for n in self.schema.kw) if t), ""))
        if not ok:
            self.warn("the land register (KW) number is not of the form LE1L/00012345/6; "
                      "left empty", code="bad_kw", **where)
        row.update(parcel_id=parcel_id, kw=kw,
                   jrg_ref=self._href(elem, self.schema.names["parcel_jrg"]),
                   geom_in=self._geometry(elem, "parcel", parcel_id),
                   area_ha=self._decimal(elem, self.schema.names["area"], "parcel", parcel_id),
                   accuracy_ha=area_accuracy(self._text(elem, self.schema.names["accuracy"])))
        if ref_name := self.schema.names["land_use_ref"]:
            row["land_use_refs"] = [ref_key(e.get(XLINK_HREF))
                                    for e in elem.iterfind(self.e(ref_name)) if e.get(XLINK_HREF)]
        yield "parcel", row
        if inline := self.schema.names["land_use_inline"]:
            path = f"{self.e(inline)}/{self.q['land_use_piece']}"
            for piece in elem.iterfind(path):
                yield "land_use", self._land_use(piece, row["gml_id"], parcel_id)

    def _land_use(self, piece: etree._Element, parcel_ref: str, parcel_id: str) -> dict:
        ofu, ozu, ozk = (self._text(piece, n) for n in ("OFU", "OZU", "OZK"))
        if not ofu or max(len(ofu), len(ozu), len(ozk)) > 4:
            self.error(f"land-use piece of {parcel_id or 'a parcel'}: OFU “{ofu}”, OZU “{ozu}”, "
                       f"OZK “{ozk}” are not land-use codes", code="bad_land_use",
                       **self._where(piece, "land_use", parcel_id))
        area = self._decimal(piece, self.schema.names["land_use_area"], "land_use", parcel_id)
        return {"line": piece.sourceline, "gml_id": piece.get(GML_ID) or "",
                "parcel_ref": parcel_ref, "ofu": ofu, "ozu": ozu, "ozk": ozk, "area_ha": area}

    def _land_use_feature(self, elem: etree._Element) -> Iterator[Row]:
        """2015: a land-use piece is its own feature, linked from the parcel."""
        row = self._land_use(elem, "", "")
        life = self._life(elem, "land_use")
        row.update(gml_id=life["gml_id"], iip=life["iip"])
        if life["version_end"] is None and life["object_end"] is None:
            yield "land_use", row

    def _building(self, elem: etree._Element) -> Iterator[Row]:
        building_id = self._text(elem, "idBudynku")
        where = self._where(elem, "building", building_id)
        if not building_id or not building_id.startswith(self.options.unit_teryt + "."):
            self.error(f"building id “{building_id}” is missing or not of unit "
                       f"{self.options.unit_teryt}", code="bad_building_id", **where)
            return
        geom = self._geometry(elem, "building", building_id, required=False)
        if geom is None and elem.find(self.e("geometria")) is None:
            self.warn(f"building {building_id} has no footprint and is not imported",
                      code="building_without_geometry", **where)
        if geom is None:
            return
        kst, known = kst_class(self._text(elem, "rodzajWgKST"))
        if not known:
            self.warn(f"building class “{self._text(elem, 'rodzajWgKST')}” is not a KŚT code; "
                      f"recorded as {kst}", code="unknown_kst", **where)
        row = self._life(elem, "building")
        row.update(building_id=building_id, geom_in=geom, kst=kst,
                   above=whole_number(self._text(elem, "liczbaKondygnacjiNadziemnych")),
                   below=whole_number(self._text(elem, "liczbaKondygnacjiPodziemnych")),
                   built_up_m2=decimal_text(self._text(elem, "powZabudowy")),
                   parcel_refs=[ref_key(e.get(XLINK_HREF)) for e in
                                elem.iterfind(self.q["built_on"]) if e.get(XLINK_HREF)])
        yield "building", row

    def _precinct(self, elem: etree._Element) -> Iterator[Row]:
        code = self._text(elem, "idObrebu")
        where = self._where(elem, "precinct", code)
        if not code.startswith(self.options.unit_teryt + ".") or not code[-4:].isdigit():
            self.error(f"precinct id “{code}” is not a precinct of unit {self.options.unit_teryt}",
                       code="bad_precinct", **where)
            return
        yield "precinct", {"line": elem.sourceline, "gml_id": elem.get(GML_ID) or "",
                           "precinct_code": code, "name": self._text(elem, "nazwaWlasna")[:200],
                           "geom_in": self._geometry(elem, "precinct", code, required=False)}

    def _register_unit(self, elem: etree._Element) -> Iterator[Row]:
        register_id = self._text(elem, "idJednostkiRejestrowej")
        group = register_group(self._text(elem, "grupaRejestrowa"))
        if not register_id or len(register_id) > 64 or group is None:
            self.error(f"register unit “{register_id}”: the id is missing or too long, or the "
                       f"register group “{self._text(elem, 'grupaRejestrowa')}” is not 1-16",
                       code="bad_register_unit", **self._where(elem, "register_unit", register_id))
            return
        yield "register_unit", {**self._life(elem, "register_unit"),
                                "register_id": register_id, "grp": group}

    def _subject(self, elem: etree._Element, kind: str, **fields) -> Row:
        life = self._life(elem, "subject")
        return "subject", {"line": life["line"], "gml_id": life["gml_id"], "iip": life["iip"],
                           "ns": life["ns"], "local_id": life["local_id"],
                           "version_end": life["version_end"] or life["object_end"],
                           "kind": kind, **fields}

    def _person(self, elem: etree._Element) -> Iterator[Row]:
        surname = "-".join(filter(None, (self._text(elem, "pierwszyCzlonNazwiska"),
                                         self._text(elem, "drugiCzlonNazwiska"))))
        if not surname:
            # Personal data: the problem names the feature, never the person.
            self.error("a natural person without a surname", code="bad_owner",
                       **self._where(elem, "subject"))
            return
        pesel, ok = pesel_or_blank(self._text(elem, "pesel"))
        if not ok:
            self.warn("a PESEL number fails its check digit; not stored", code="bad_pesel",
                      **self._where(elem, "subject"))
        yield self._subject(elem, "person", first_name=self._text(elem, "pierwszeImie")[:100],
                            second_name=self._text(elem, "drugieImie")[:100],
                            surname=surname[:150], pesel=pesel)

    def _institution(self, elem: etree._Element) -> Iterator[Row]:
        name = self._text(elem, "nazwaPelna") or self._text(elem, "nazwaSkrocona")
        if not name:
            self.error("an institution without a name", code="bad_owner",
                       **self._where(elem, "subject"))
            return
        regon, ok = regon_or_blank(self._text(elem, "regon"))
        if not ok:
            self.warn("a REGON number fails its check digit; not stored", code="bad_regon",
                      **self._where(elem, "subject"))
        yield self._subject(elem, "institution", name=name[:300], regon=regon)

    def _marriage(self, elem: etree._Element) -> Iterator[Row]:
        members = [self._href(elem, self.schema.names[n]) for n in ("spouse_a", "spouse_b")]
        yield self._subject(elem, "marriage", member_refs=members)

    def _group(self, elem: etree._Element) -> Iterator[Row]:
        yield self._subject(elem, "group", name=(self._text(elem, "nazwaPelna") or "")[:300])

    def _share(self, elem: etree._Element) -> Iterator[Row]:
        subject_ref, jrg = "", elem.find(f".//{self.q['share_jrg']}")
        for name in self.schema.subjects:
            found = elem.find(f".//{self.e(name)}")
            if found is not None and found.get(XLINK_HREF):
                subject_ref = ref_key(found.get(XLINK_HREF))
                break
        life = self._life(elem, "share")
        yield "share", {"line": life["line"], "gml_id": life["gml_id"], "iip": life["iip"],
                        "version_end": life["version_end"] or life["object_end"],
                        "right_code": self._text(elem, "rodzajPrawa"),
                        "numerator": whole_number(
                            self._text(elem, "licznikUlamkaOkreslajacegoWartoscUdzialu")),
                        "denominator": whole_number(
                            self._text(elem, "mianownikUlamkaOkreslajacegoWartoscUdzialu")),
                        "subject_ref": subject_ref,
                        "jrg_ref": ref_key(jrg.get(XLINK_HREF)) if jrg is not None else ""}


class Egib2021Reader(EgibGmlReader):
    name = "egib2021"
    label = "EGiB GML 2021"
    schema = EGIB_2021


class Egib2015Reader(EgibGmlReader):
    name = "egib2015"
    label = "EGiB GML 2015"
    schema = EGIB_2015
