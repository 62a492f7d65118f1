"""SWDE, the pre-2013 text exchange format, as domain.md describes it.

The dialect read (the record letters and G5 attribute names are not yet confirmed
against a real county file; they are tables below, not code):

    NS,UK,"2000/15"                      header line; UK names the coordinate system
    RO,G5DZE,<key>[,<version start>[,<version end>]]   an object (RO, RD or RC record)
    D,G5IDD,"026101_1.0003.31"           one attribute of the object
    R,G5RJDR,<key>                       a relation to another object, by its key
    WG,<northing>,<easting>              one outline vertex; a ring ends where it closes,
                                         further rings are holes

Lines are CSV with double quotes. The encoding is the one the header names (an NS
line mentioning UTF-8, 1250 or 8859-2), else the one the content shows: a UTF-8
byte-order mark or valid multi-byte UTF-8, else Windows-1250 or ISO-8859-2 told apart
by the bytes where they differ (Polish letters ą ś ź Ą Ś Ź sit at different codes). A
file whose first megabyte is plain ASCII is decided by its first line that is not.
The file is read line by line (memory stays flat); an object ends at the next record line.
"""
import csv
import re
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext_noop as N_

from .base import CadastreReader, CountingReader, Row
from .messages import (
    BAD_PESEL,
    BAD_REGON,
    DATE_MESSAGE,
    KST_MESSAGE,
    KW_MESSAGE,
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
    parcel_id_problem,
    pesel_or_blank,
    register_group,
    regon_or_blank,
    whole_number,
)

RECORDS = frozenset({"RO", "RD", "RC"})
# Line kinds of the format: a file is SWDE when its first lines are of these.
LINE_KINDS = frozenset({"NS", "RO", "RD", "RC", "D", "R", "WG", "WP", "K", "X", "CD", "CR"})
SNIFF_LINES = 20
# Encodings as a header may name them -> Python codec.
DECLARED_ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "1250": "cp1250",
                      "8859-2": "iso-8859-2", "8859_2": "iso-8859-2", "latin2": "iso-8859-2",
                      "latin-2": "iso-8859-2"}
_DECLARED = re.compile(rb"^NS,[^\n]*?(utf-?8|1250|8859[-_]2|latin-?2)",
                       re.IGNORECASE | re.MULTILINE)
# Bytes that are Polish letters in one single-byte encoding and not in the other.
CP1250_ONLY = frozenset(b"\x8c\x8f\x9c\x9f\xa5\xb9")  # Ś Ź ś ź Ą ą
ISO_8859_2_ONLY = frozenset(b"\xa1\xa6\xac\xb1\xb6\xbc")  # Ą Ś Ź ą ś ź
BOM = b"\xef\xbb\xbf"
_UNIT_ID = re.compile(r"^\s*\d{6}_\d\.")  # an identifier naming its unit: WWPPGG_R.…


def swde_encoding(head: bytes) -> tuple[str, bool]:
    """(codec, sure) of a SWDE file from its first bytes: BOM, header, then content; not
    sure where the sample is plain ASCII and names no encoding (the first line with
    another byte then decides, see SwdeReader._lines)."""
    if head.startswith(BOM):
        return "utf-8-sig", True
    declared = _DECLARED.search(head)
    if declared:
        return DECLARED_ENCODINGS[declared.group(1).decode().lower()], True
    if not any(b > 0x7F for b in head):
        return "cp1250", False
    try:
        head.decode("utf-8")
        return "utf-8", True
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a letter cut at the end of the sample
            return "utf-8", True
    cp1250 = sum(head.count(bytes([b])) for b in CP1250_ONLY)
    iso = sum(head.count(bytes([b])) for b in ISO_8859_2_ONLY)
    return ("iso-8859-2" if iso > cp1250 else "cp1250"), True
# UK header values -> EPSG (PL-2000 zones by central meridian, PL-1992); spellings not
# confirmed against real files.
COORDINATE_SYSTEMS = {"2000/15": 2176, "2000/18": 2177, "2000/21": 2178, "2000/24": 2179,
                      "1992": 2180, "PL-1992": 2180}
# Attribute and relation names of the G5 classes (pre-2013 EGiB regulation), not
# confirmed against its text.
A = {
    "parcel_id": "G5IDD", "area": "G5PEW", "kw": "G5NKW", "accuracy": "G5DOKL",
    "parcel_ru": "G5RJDR", "ofu": "G5OFU", "ozu": "G5OZU", "ozk": "G5OZK",
    "piece_parcel": "G5RDZE", "building_id": "G5IDB", "kst": "G5RBB", "above": "G5LKN",
    "below": "G5LKP", "built_up": "G5PZB", "building_parcel": "G5RDZE", "ru_id": "G5IJR",
    "group": "G5RGR", "numerator": "G5LCZ", "denominator": "G5MNK", "right": "G5RWD",
    "share_ru": "G5RWLS", "share_subject": "G5RPOD", "first_name": "G5PIM",
    "second_name": "G5DIM", "surname": "G5NZW", "pesel": "G5PSL", "name": "G5NPE",
    "regon": "G5RGN", "husband": "G5RMAZ", "wife": "G5RZONA", "precinct_no": "G5NRO",
    "precinct_name": "G5NAZ",
}


class SwdeObject:
    """One record with its attributes, relations and outline, as read."""

    def __init__(self, cls: str, key: str, line: int, start: str, end: str) -> None:
        self.cls, self.key, self.line = cls, key, line
        self.start, self.end = start, end
        self.attrs: dict[str, str] = {}
        self.rels: dict[str, list[str]] = {}
        self.rings: list[list[tuple[str, str]]] = [[]]

    def get(self, role: str) -> str:
        return self.attrs.get(A[role], "").strip()

    def rel(self, role: str) -> list[str]:
        return self.rels.get(A[role], [])

    def vertex(self, northing: str, easting: str) -> None:
        ring = self.rings[-1]
        ring.append((easting, northing))
        if len(ring) > 3 and ring[0] == ring[-1]:
            self.rings.append([])


class SwdeReader(CadastreReader):
    name = "swde"
    label = "SWDE"

    def __init__(self, path: Path, report, options) -> None:
        super().__init__(path, report, options)
        self.srid: int | None = None
        self.handlers = {"G5DZE": self._parcel, "G5KLU": self._land_use, "G5BUD": self._building,
                         "G5JDR": self._register_unit, "G5UDZ": self._share,
                         "G5OSF": self._person, "G5INS": self._institution,
                         "G5MLZ": self._marriage, "G5OBR": self._precinct}

    @classmethod
    def sniff(cls, head: bytes, path: Path) -> bool:
        """The first lines are SWDE line kinds and one of them a header or a record."""
        lines = [line.strip() for line in head.removeprefix(BOM).splitlines()[:SNIFF_LINES]]
        kinds = [line.split(b",", 1)[0].decode("ascii", "replace") for line in lines
                 if b"," in line]
        return (bool(kinds) and sum(k in LINE_KINDS for k in kinds) >= 0.8 * len(lines)
                and any(k == "NS" or k in RECORDS for k in kinds))

    def _lines(self, source: CountingReader, encoding: str, sure: bool) -> Iterator[str]:
        for number, data in enumerate(iter(source.readline, b""), start=1):
            if not sure and not data.isascii():
                # The first line past an all-ASCII start decides (a file may open with
                # a megabyte of coordinates before the first Polish letter).
                encoding, sure = swde_encoding(data.rstrip(b"\r\n"))
                self.encoding = encoding
            try:
                yield data.decode(encoding)
            except UnicodeDecodeError:
                self.error(N_("the line is not valid %(encoding)s text (the encoding was "
                              "taken from the start of the file)"),
                           params={"encoding": encoding}, code="bad_encoding", line=number)
                yield data.decode(encoding, "replace")

    def rows(self) -> Iterator[Row]:
        current: SwdeObject | None = None
        with self.path.open("rb") as raw:
            self.encoding, sure = swde_encoding(raw.read(1 << 20))
            raw.seek(0)
            source = CountingReader(raw)
            lines = self._lines(source, self.encoding, sure)
            for number, fields in enumerate(csv.reader(lines), start=1):
                self.bytes_done = source.done
                kind = fields[0].strip() if fields else ""
                if kind in RECORDS:
                    yield from self._finish(current)
                    current = self._start(fields, number)
                elif kind == "NS":
                    self._header(fields, number)
                elif current is not None:
                    self._field(current, kind, fields, number)
        yield from self._finish(current)

    def _start(self, fields: list[str], number: int) -> SwdeObject:
        padded = [*fields, "", "", "", ""]
        return SwdeObject(padded[1].strip(), padded[2].strip(), number, padded[3].strip(),
                          padded[4].strip())

    def _header(self, fields: list[str], number: int) -> None:
        if len(fields) > 2 and fields[1].strip() == "UK":
            self.srid = COORDINATE_SYSTEMS.get(fields[2].strip())
            if self.srid is None:
                self.error(N_("coordinate system “%(value)s” is not one of %(known)s"),
                           params={"value": fields[2], "known": ", ".join(COORDINATE_SYSTEMS)},
                           code="bad_crs", line=number)

    def _field(self, obj: SwdeObject, kind: str, fields: list[str], number: int) -> None:
        if kind == "D" and len(fields) >= 3:
            obj.attrs[fields[1].strip()] = fields[2]
        elif kind == "R" and len(fields) >= 3:
            obj.rels.setdefault(fields[1].strip(), []).append(fields[2].strip())
        elif kind == "WG" and len(fields) >= 3:
            obj.vertex(fields[1].strip(), fields[2].strip())
        elif kind:
            self.warn(N_("line kind “%(kind)s” is not read"), params={"kind": kind},
                      code="swde_line", line=number)

    def _finish(self, obj: SwdeObject | None) -> Iterator[Row]:
        if obj is None:
            return
        for value in obj.attrs.values():
            if _UNIT_ID.match(value):
                self.note_unit(value.strip())
        handler = self.handlers.get(obj.cls)
        if handler is None:
            self.skipped[obj.cls or "?"] += 1
            return
        yield from handler(obj)

    # -- shared pieces --------------------------------------------------------------------

    def _where(self, obj: SwdeObject, kind: str, object_id: str = "") -> dict:
        return {"line": obj.line, "gml_id": obj.key, "object_id": object_id, "kind": kind}

    def _life(self, obj: SwdeObject, kind: str) -> dict:
        row = {"line": obj.line, "gml_id": obj.key, "iip": "", "local_id": obj.key[:100],
               "ns": "", "version_id": obj.start[:40]}
        for column, text in (("version_start", obj.start), ("version_end", obj.end)):
            value, ok = local_time(text)
            if not ok:
                self.warn(DATE_MESSAGE, params={"value": text}, code="bad_date",
                          **self._where(obj, kind))
            row[column] = value
        return row

    def _geometry(self, obj: SwdeObject, kind: str, object_id: str) -> str | None:
        rings = [r for r in obj.rings if r]
        problem = (N_("the object has no outline (WG lines)") if not rings else
                   N_("no coordinate system (NS,UK header)") if self.srid is None else
                   N_("an outline ring is not closed") if any(r[0] != r[-1] or len(r) < 4
                                                              for r in rings) else "")
        if not problem:
            try:
                for easting, northing in (p for r in rings for p in r):
                    float(easting), float(northing)
            except ValueError:
                problem = N_("coordinates are not numbers")
        if problem:
            self.error(problem, code="bad_geometry", **self._where(obj, kind, object_id))
            return None
        text = "),(".join(",".join(f"{e} {n}" for e, n in r) for r in rings)
        return f"SRID={self.srid};MULTIPOLYGON((({text})))"

    # -- classes --------------------------------------------------------------------------

    def _parcel(self, obj: SwdeObject) -> Iterator[Row]:
        parcel_id = obj.get("parcel_id")
        if problem := (parcel_id_problem(parcel_id, self.options.unit_teryt) if parcel_id
                       else (NO_PARCEL_ID, {"field": "G5IDD"})):
            self.error(problem[0], params=problem[1], code="bad_parcel_id",
                       **self._where(obj, "parcel", parcel_id))
            return
        kw, ok = land_register_number(obj.get("kw"))
        if not ok:
            self.warn(KW_MESSAGE, params={"value": obj.get("kw")}, code="bad_kw",
                      **self._where(obj, "parcel", parcel_id))
        area = decimal_text(obj.get("area"))
        if area is None:
            self.error(NUMBER_MESSAGES["area"], params={"value": obj.get("area")},
                       code="bad_number", **self._where(obj, "parcel", parcel_id))
        yield "parcel", {**self._life(obj, "parcel"), "parcel_id": parcel_id, "kw": kw,
                         "area_ha": area, "accuracy_ha": area_accuracy(obj.get("accuracy")),
                         "jrg_ref": next(iter(obj.rel("parcel_ru")), ""),
                         "geom_in": self._geometry(obj, "parcel", parcel_id)}

    def _land_use(self, obj: SwdeObject) -> Iterator[Row]:
        area = decimal_text(obj.get("area"))
        ofu, ozu, ozk = obj.get("ofu"), obj.get("ozu"), obj.get("ozk")
        if area is None or not ofu or max(len(ofu), len(ozu), len(ozk)) > 4:
            self.error(N_("land-use piece: OFU “%(ofu)s”, OZU “%(ozu)s”, OZK “%(ozk)s”, area "
                          "“%(area)s”: not land-use codes or not a number"),
                       params={"ofu": ofu, "ozu": ozu, "ozk": ozk, "area": obj.get("area")},
                       code="bad_land_use", **self._where(obj, "land_use"))
        yield "land_use", {"line": obj.line, "gml_id": obj.key,
                           "parcel_ref": next(iter(obj.rel("piece_parcel")), ""),
                           "ofu": ofu, "ozu": ozu, "ozk": ozk, "area_ha": area}

    def _building(self, obj: SwdeObject) -> Iterator[Row]:
        building_id = obj.get("building_id")
        if not building_id.startswith(self.options.unit_teryt + "."):
            self.error(N_("building id “%(value)s” is missing or not of unit %(unit)s"),
                       params={"value": building_id, "unit": self.options.unit_teryt},
                       code="bad_building_id", **self._where(obj, "building", building_id))
            return
        if not building_id_well_formed(building_id):
            self.error(MALFORMED_BUILDING_ID_REFUSED, params={"value": building_id},
                       code="malformed_building_id", **self._where(obj, "building", building_id))
            return
        kst, known = kst_class(obj.get("kst"))
        if not known:
            self.warn(KST_MESSAGE, params={"value": obj.get("kst"), "kst": kst},
                      code="unknown_kst", **self._where(obj, "building", building_id))
        yield "building", {**self._life(obj, "building"), "building_id": building_id,
                           "geom_in": self._geometry(obj, "building", building_id), "kst": kst,
                           "above": whole_number(obj.get("above")),
                           "below": whole_number(obj.get("below")),
                           "built_up_m2": decimal_text(obj.get("built_up")),
                           "parcel_refs": obj.rel("building_parcel")}

    def _register_unit(self, obj: SwdeObject) -> Iterator[Row]:
        register_id, group = obj.get("ru_id"), register_group(obj.get("group"))
        if not register_id or len(register_id) > 64 or group is None:
            self.error(REGISTER_UNIT_MESSAGE, params={"value": register_id,
                                                      "group": obj.get("group")},
                       code="bad_register_unit", **self._where(obj, "register_unit", register_id))
            return
        yield "register_unit", {**self._life(obj, "register_unit"), "register_id": register_id,
                                "grp": group}

    def _subject(self, obj: SwdeObject, kind: str, **fields) -> Row:
        return "subject", {"line": obj.line, "gml_id": obj.key, "iip": "", "ns": "",
                           "local_id": obj.key[:100], "kind": kind, **fields}

    def _person(self, obj: SwdeObject) -> Iterator[Row]:
        if not obj.get("surname"):
            self.error(NO_SURNAME, code="bad_owner", **self._where(obj, "subject"))
            return
        pesel, ok = pesel_or_blank(obj.get("pesel"))
        if not ok:
            self.warn(BAD_PESEL, code="bad_pesel", **self._where(obj, "subject"))
        yield self._subject(obj, "person", first_name=obj.get("first_name")[:100],
                            second_name=obj.get("second_name")[:100],
                            surname=obj.get("surname")[:150], pesel=pesel)

    def _institution(self, obj: SwdeObject) -> Iterator[Row]:
        if not obj.get("name"):
            self.error(NO_NAME, code="bad_owner", **self._where(obj, "subject"))
            return
        regon, ok = regon_or_blank(obj.get("regon"))
        if not ok:
            self.warn(BAD_REGON, code="bad_regon", **self._where(obj, "subject"))
        yield self._subject(obj, "institution", name=obj.get("name")[:300], regon=regon)

    def _marriage(self, obj: SwdeObject) -> Iterator[Row]:
        members = [next(iter(obj.rel(role)), "") for role in ("husband", "wife")]
        yield self._subject(obj, "marriage", member_refs=members)

    def _share(self, obj: SwdeObject) -> Iterator[Row]:
        yield "share", {"line": obj.line, "gml_id": obj.key, "iip": "",
                        "right_code": obj.get("right"),
                        "numerator": whole_number(obj.get("numerator")),
                        "denominator": whole_number(obj.get("denominator")),
                        "subject_ref": next(iter(obj.rel("share_subject")), ""),
                        "jrg_ref": next(iter(obj.rel("share_ru")), "")}

    def _precinct(self, obj: SwdeObject) -> Iterator[Row]:
        number = obj.get("precinct_no").zfill(4)
        if not number.isdigit() or len(number) != 4:
            self.error(N_("precinct number “%(value)s” is not 4 digits"),
                       params={"value": obj.get("precinct_no")},
                       code="bad_precinct", **self._where(obj, "precinct"))
            return
        yield "precinct", {"line": obj.line, "gml_id": obj.key,
                           "precinct_code": f"{self.options.unit_teryt}.{number}",
                           "name": obj.get("precinct_name")[:200]}
