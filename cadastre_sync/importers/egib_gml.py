"""EGiB GML exports, 2021 and 2015 schemas: one streaming reader, one table per schema.

The two schemas differ in namespace and in a few element names (domain.md); those
differences are the `GmlSchema` tables of egib_schema.py, not branches here.

The file is read with `lxml.etree.iterparse`, asking only for the end of feature
elements; each feature's fields come out in one compiled XPath call, become staging
rows, and the feature is cleared together with the siblings before it, so memory
does not grow with the file. Links (`xlink:href`) are kept as keys and resolved in
SQL after staging, because a feature may point at one that comes later in the file.
Everything else (labels, boundary points, addresses, ...) is read past and counted.
"""
import re
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from django.utils.translation import gettext_noop as N_
from lxml import etree

from .base import CadastreReader, CountingReader, Row
from .egib_schema import (
    EGIB_2015,
    EGIB_2021,
    GML,
    GmlSchema,
    extractors,
    list_extractors,
)
from .geometry import GeometryError, surface_ewkt
from .messages import (
    BAD_PESEL,
    BAD_REGON,
    DATE_MESSAGE,
    KST_MESSAGE,
    KW_MESSAGE,
    MALFORMED_BUILDING_ID,
    MALFORMED_BUILDING_ID_REFUSED,
    NO_NAME,
    NO_PARCEL_ID,
    NO_SURNAME,
    NUMBER_MESSAGES,
    REGISTER_UNIT_MESSAGE,
)
from .values import (
    area_accuracy,
    building_id_well_formed,
    decimal_text,
    kst_class,
    land_register_number,
    local_time,
    names_unit,
    parcel_id_problem,
    pesel_or_blank,
    register_group,
    regon_or_blank,
    whole_number,
)

MEMBER_TAGS = frozenset({f"{{{GML}}}featureMember", f"{{{GML}}}member"})
CONTAINER_TAGS = frozenset({f"{{{GML}}}featureMembers"})
ENVELOPE = f"{{{GML}}}Envelope"
BOUNDED_BY = f"{{{GML}}}boundedBy"
DATES = ("object_start", "version_start", "version_end", "object_end")
# Feature kinds read, by the schema role naming their element.
KINDS = ("parcel", "building", "precinct", "register_unit", "person", "institution",
         "marriage", "group", "share")


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


_XMLNS = re.compile(rb"""xmlns(?::[\w.-]+)?\s*=\s*(["'])([^"']+)\1""")


def declared_namespaces(head: bytes) -> list[str]:
    """Namespace URIs declared near the top of an XML file (either quotes), for messages."""
    return sorted({m.group(2).decode("utf-8", "replace") for m in _XMLNS.finditer(head)})


def declares(head: bytes, namespace: str) -> bool:
    """Does the start of the file declare `namespace`, in double or single quotes?"""
    uri = namespace.encode()
    return b'"' + uri + b'"' in head or b"'" + uri + b"'" in head


class WindowReader(CountingReader):
    """Reads `header + file[start:end] + tail`: one window of features as a document."""

    def __init__(self, raw, header: bytes, start: int, end: int, tail: bytes) -> None:
        super().__init__(raw)
        raw.seek(start)
        self.pending = [header]
        self.left = end - start
        self.tail = tail

    def read(self, size: int = -1) -> bytes:
        if self.pending:
            return self.pending.pop()
        if self.left <= 0:
            data, self.tail = self.tail, b""
            return data
        data = self.raw.read(min(self.left, size if size > 0 else self.left))
        self.left -= len(data)
        self.done += len(data)
        return data


def local_name(tag) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else "comment"


class EgibGmlReader(CadastreReader):
    schema: ClassVar[GmlSchema]
    splittable = True

    def __init__(self, path: Path, report, options) -> None:
        super().__init__(path, report, options)
        ns, names = self.schema.namespace, self.schema.names
        self.fields = extractors(self.schema)
        self.lists = list_extractors(self.schema)
        self.handlers = {f"{{{ns}}}{names[kind]}": getattr(self, f"_{kind}") for kind in KINDS}
        if names["land_use_ref"]:
            self.handlers[f"{{{ns}}}{names['land_use_feature']}"] = self._land_use_feature
        self.default_srs = ""
        # Set by parallel.py to read one window of the file: (header, start, end, tail).
        self.window: tuple[bytes, int, int, bytes] | None = None
        self.line_offset = 0  # lines of the file before the window, less the header's

    @classmethod
    def sniff(cls, head: bytes, path: Path) -> bool:
        return looks_like_xml(head) and declares(head, cls.schema.namespace)

    # -- the stream -----------------------------------------------------------------

    def rows(self) -> Iterator[Row]:
        head = self._head()
        if not self._namespace_declared(head):
            return
        # Features wrapped one by one (gml:featureMember, the rule in EGiB exports) are
        # handled at the end of their wrapper: half the events of asking for each feature.
        # A gml:featureMembers list needs the features' own end events.
        tags = [*MEMBER_TAGS, ENVELOPE]
        if b"featureMembers" in head:
            tags += [*CONTAINER_TAGS, *self.handlers]
        with self.path.open("rb") as raw:
            source = WindowReader(raw, *self.window) if self.window else CountingReader(raw)
            events = etree.iterparse(source, events=("end",), tag=tags, huge_tree=True,
                                     resolve_entities=False, no_network=True)
            try:
                for _, elem in events:
                    self.bytes_done = source.done
                    yield from self._element(elem)
            except etree.XMLSyntaxError as exc:
                # The parser's own words (English) stay in the problem's detail, for programs.
                self.error(N_("the file is not well-formed XML (truncated or damaged?)"),
                           params={"reason": exc.msg},
                           code="xml_syntax", line=(exc.lineno or 0) + self.line_offset)

    def _line(self, elem: etree._Element) -> int:
        return elem.sourceline + self.line_offset

    def _head(self) -> bytes:
        with self.path.open("rb") as f:
            return f.read(64 * 1024)

    def _namespace_declared(self, head: bytes) -> bool:
        if not looks_like_xml(head):
            self.error(N_("the file is not XML (it does not start with an XML element)"),
                       code="not_xml", line=1)
            return False
        if declares(head, self.schema.namespace):
            if declares(head, GML):
                return True
            # GML 3.1 (http://www.opengis.net/gml) or none: no feature would be found, and
            # "no parcels" would hide why.
            self.error(N_("the file does not declare the GML 3.2 namespace “%(gml)s” that "
                          "%(format)s files use; it declares %(found)s"),
                       params={"gml": GML, "format": self.label,
                               "found": ", ".join(declared_namespaces(head)) or "-"},
                       code="unknown_namespace", line=1)
            return False
        self.error(N_("unknown namespace: the root element does not declare the %(format)s "
                      "namespace “%(namespace)s”"),
                   params={"format": self.label, "namespace": self.schema.namespace},
                   code="unknown_namespace", line=1)
        return False

    def _element(self, elem: etree._Element) -> Iterator[Row]:
        if elem.tag in MEMBER_TAGS:
            handler = self.handlers.get(elem[0].tag) if len(elem) else None
            if handler is not None:
                yield from handler(elem[0])
            self._release(elem)
            return
        parent = elem.getparent()
        if elem.tag == ENVELOPE:
            if parent is not None and parent.tag == BOUNDED_BY and not self.default_srs:
                self.default_srs = elem.get("srsName") or ""
            return
        if parent is None or parent.tag not in CONTAINER_TAGS:
            return  # in a featureMember (handled at its end), or nested in another feature
        yield from self.handlers[elem.tag](elem)
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

    def _read(self, kind: str, elem: etree._Element) -> dict[str, str] | None:
        values = self.fields[kind](elem)
        if values is None:
            self.error(N_("a value holds the character U+E000, which this reader uses "
                          "internally"), code="bad_character", line=self._line(elem), kind=kind)
        return values

    def _where(self, elem: etree._Element, f: dict, kind: str, object_id: str = "") -> dict:
        return {"line": self._line(elem), "gml_id": f.get("gml_id", ""),
                "object_id": object_id, "kind": kind}

    def _life(self, elem: etree._Element, f: dict, kind: str) -> dict:
        """gml:id, the IIP identifier and the version dates of a feature."""
        local, ns = f["local_id"][:100], f["ns"][:100]
        line = self._line(elem)
        row = {"line": line, "gml_id": f["gml_id"] or f"line-{line}",
               "ns": ns, "local_id": local, "version_id": f["version_id"][:40],
               "iip": f"iip:{ns}:{local}" if local else ""}
        for column in DATES:
            value, ok = local_time(f[column])
            if not ok:
                self.warn(DATE_MESSAGE,
                          params={"value": f[column]}, code="bad_date",
                          **self._where(elem, f, kind))
            row[column] = value
        return row

    def _geometry(self, elem: etree._Element, f: dict, kind: str, object_id: str,
                  required: bool = True) -> str | None:
        containers = self.lists["geometry"](elem)
        if not containers or len(containers[0]) == 0:
            if required:
                self.error(N_("the object has no geometry"), code="no_geometry",
                           **self._where(elem, f, kind, object_id))
            return None
        try:
            return surface_ewkt(containers[0], self.default_srs)[0]
        except GeometryError as exc:
            self.error(exc.template, params=exc.params, code="bad_geometry",
                       **self._where(elem, f, kind, object_id))
            return None

    def _decimal(self, elem, f: dict, name: str, kind: str, object_id: str) -> str | None:
        value = decimal_text(f[name])
        if value is None:
            self.error(NUMBER_MESSAGES[name], params={"value": f[name]}, code="bad_number",
                       **self._where(elem, f, kind, object_id))
        return value

    def _refs(self, name: str, elem: etree._Element) -> list[str]:
        return [ref_key(h) for h in self.lists[name](elem) if h]

    # -- feature types ------------------------------------------------------------------

    def _parcel(self, elem: etree._Element) -> Iterator[Row]:
        if (f := self._read("parcel", elem)) is None:
            return
        parcel_id = f["parcel_id"]
        self.note_unit(parcel_id)
        where = self._where(elem, f, "parcel", parcel_id)
        if problem := (parcel_id_problem(parcel_id, self.options.unit_teryt) if parcel_id
                       else (NO_PARCEL_ID, {"field": "idDzialki"})):
            self.error(problem[0], params=problem[1], code="bad_parcel_id", **where)
            return
        kw, ok = land_register_number(f["kw"])
        if not ok:
            self.warn(KW_MESSAGE, params={"value": f["kw"]}, code="bad_kw", **where)
        row = self._life(elem, f, "parcel")
        row.update(parcel_id=parcel_id, kw=kw, jrg_ref=ref_key(f["jrg"]),
                   geom_in=self._geometry(elem, f, "parcel", parcel_id),
                   area_ha=self._decimal(elem, f, "area", "parcel", parcel_id),
                   accuracy_ha=area_accuracy(f["accuracy"]))
        if "land_use_refs" in self.lists:
            row["land_use_refs"] = self._refs("land_use_refs", elem)
        yield "parcel", self.number(row)
        for piece in self.lists["pieces"](elem) if "pieces" in self.lists else ():
            if (p := self._read("land_use", piece)) is not None:
                yield "land_use", {**self._land_use(piece, p, row["gml_id"], parcel_id),
                                   "parcel_seq": row["seq"]}

    def _land_use(self, piece: etree._Element, p: dict, parcel_ref: str, parcel_id: str) -> dict:
        ofu, ozu, ozk = p["ofu"], p["ozu"], p["ozk"]
        if not ofu or max(len(ofu), len(ozu), len(ozk)) > 4:
            self.error(N_("land-use piece: OFU “%(ofu)s”, OZU “%(ozu)s”, OZK “%(ozk)s” are not "
                          "land-use codes"), params={"ofu": ofu, "ozu": ozu, "ozk": ozk},
                       code="bad_land_use", **self._where(piece, p, "land_use", parcel_id))
        return {"line": self._line(piece), "gml_id": p["gml_id"], "parcel_ref": parcel_ref,
                "ofu": ofu, "ozu": ozu, "ozk": ozk,
                "area_ha": self._decimal(piece, p, "area", "land_use", parcel_id)}

    def _land_use_feature(self, elem: etree._Element) -> Iterator[Row]:
        """2015: a land-use piece is its own feature, linked from the parcel."""
        if (f := self._read("land_use_feature", elem)) is None:
            return
        life = self._life(elem, f, "land_use")
        if life["version_end"] is None and life["object_end"] is None:
            yield "land_use", {**self._land_use(elem, f, "", ""), "iip": life["iip"]}

    def _building(self, elem: etree._Element) -> Iterator[Row]:
        if (f := self._read("building", elem)) is None:
            return
        building_id = f["building_id"]
        self.note_unit(building_id)
        where = self._where(elem, f, "building", building_id)
        if not names_unit(building_id, self.options.unit_teryt):
            self.error(N_("building id “%(value)s” is missing or not of unit %(unit)s"),
                       params={"value": building_id, "unit": self.options.unit_teryt},
                       code="bad_building_id", **where)
            return
        if not building_id_well_formed(building_id):
            # The object is its IIP identifier; a placeholder idBudynku is the county's
            # data-quality finding, not a reason to leave the building out. --strict refuses
            # it (the building is still staged, so the report tells all that is wrong).
            has_iip = bool(f["local_id"] and f["ns"])
            flag_only = has_iip and not self.options.strict
            (self.warn if flag_only else self.error)(
                MALFORMED_BUILDING_ID if flag_only else MALFORMED_BUILDING_ID_REFUSED,
                params={"value": building_id}, code="malformed_building_id", **where)
            if not has_iip:
                return
        geom = self._geometry(elem, f, "building", building_id, required=False)
        if geom is None:
            if not self.lists["geometry"](elem):
                self.warn(N_("the building has no footprint and is not imported"),
                          code="building_without_geometry", **where)
            return
        kst, known = kst_class(f["kst"])
        if not known:
            self.warn(KST_MESSAGE, params={"value": f["kst"], "kst": kst}, code="unknown_kst",
                      **where)
        yield "building", {**self._life(elem, f, "building"), "building_id": building_id,
                           "geom_in": geom, "kst": kst, "above": whole_number(f["above"]),
                           "below": whole_number(f["below"]),
                           "built_up_m2": decimal_text(f["built_up"]),
                           "parcel_refs": self._refs("built_on", elem)}

    def _precinct(self, elem: etree._Element) -> Iterator[Row]:
        if (f := self._read("precinct", elem)) is None:
            return
        code = f["code"]
        self.note_unit(code)
        if not names_unit(code, self.options.unit_teryt) or not code[-4:].isdigit():
            self.error(N_("precinct id “%(value)s” is not a precinct of unit %(unit)s"),
                       params={"value": code, "unit": self.options.unit_teryt},
                       code="bad_precinct", **self._where(elem, f, "precinct", code))
            return
        yield "precinct", {"line": self._line(elem), "gml_id": f["gml_id"], "precinct_code": code,
                           "name": f["name"][:200],
                           "geom_in": self._geometry(elem, f, "precinct", code, required=False)}

    def _register_unit(self, elem: etree._Element) -> Iterator[Row]:
        if (f := self._read("register_unit", elem)) is None:
            return
        register_id, group = f["register_id"], register_group(f["group"])
        if not register_id or len(register_id) > 64 or group is None:
            self.error(REGISTER_UNIT_MESSAGE, params={"value": register_id, "group": f["group"]},
                       code="bad_register_unit",
                       **self._where(elem, f, "register_unit", register_id))
            return
        yield "register_unit", {**self._life(elem, f, "register_unit"),
                                "register_id": register_id, "grp": group}

    def _subject(self, elem: etree._Element, f: dict, kind: str, **fields) -> Row:
        life = self._life(elem, f, "subject")
        return "subject", {"line": life["line"], "gml_id": life["gml_id"], "iip": life["iip"],
                           "ns": life["ns"], "local_id": life["local_id"],
                           "version_end": life["version_end"] or life["object_end"],
                           "kind": kind, **fields}

    def _person(self, elem: etree._Element) -> Iterator[Row]:
        if (f := self._read("person", elem)) is None:
            return
        surname = "-".join(filter(None, (f["surname_1"], f["surname_2"])))
        if not surname:
            # Personal data: the problem names the feature, never the person.
            self.error(NO_SURNAME, code="bad_owner", **self._where(elem, f, "subject"))
            return
        pesel, ok = pesel_or_blank(f["pesel"])
        if not ok:
            self.warn(BAD_PESEL, code="bad_pesel", **self._where(elem, f, "subject"))
        yield self._subject(elem, f, "person", first_name=f["first_name"][:100],
                            second_name=f["second_name"][:100], surname=surname[:150],
                            pesel=pesel)

    def _institution(self, elem: etree._Element) -> Iterator[Row]:
        if (f := self._read("institution", elem)) is None:
            return
        name = f["full_name"] or f["short_name"]
        if not name:
            self.error(NO_NAME, code="bad_owner", **self._where(elem, f, "subject"))
            return
        regon, ok = regon_or_blank(f["regon"])
        if not ok:
            self.warn(BAD_REGON, code="bad_regon", **self._where(elem, f, "subject"))
        yield self._subject(elem, f, "institution", name=name[:300], regon=regon)

    def _marriage(self, elem: etree._Element) -> Iterator[Row]:
        if (f := self._read("marriage", elem)) is not None:
            yield self._subject(elem, f, "marriage", member_refs=[ref_key(f["a"]),
                                                                  ref_key(f["b"])])

    def _group(self, elem: etree._Element) -> Iterator[Row]:
        if (f := self._read("group", elem)) is not None:
            yield self._subject(elem, f, "group", name=f["full_name"][:300])

    def _share(self, elem: etree._Element) -> Iterator[Row]:
        if (f := self._read("share", elem)) is None:
            return
        life = self._life(elem, f, "share")
        yield "share", {"line": life["line"], "gml_id": life["gml_id"], "iip": life["iip"],
                        "version_end": life["version_end"] or life["object_end"],
                        "right_code": f["right"], "numerator": whole_number(f["numerator"]),
                        "denominator": whole_number(f["denominator"]),
                        "subject_ref": ref_key(f["subject"]), "jrg_ref": ref_key(f["jrg"])}


class Egib2021Reader(EgibGmlReader):
    name = "egib2021"
    label = "EGiB GML 2021"
    schema = EGIB_2021


class Egib2015Reader(EgibGmlReader):
    name = "egib2015"
    label = "EGiB GML 2015"
    schema = EGIB_2015
