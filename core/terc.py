"""The national register of territorial division (TERYT), its TERC part, as GUS publishes it.

TERC comes as CSV (`;`-separated, UTF-8, often with a byte-order mark; older downloads in
Windows-1250) or XML (`<teryt><catalog name="TERC"><row><WOJ>02</WOJ>...</row>`). Each row
has WOJ, POW, GMI, RODZ, NAZWA, NAZWA_DOD and STAN_NA: a voivodeship has only WOJ, a powiat
WOJ and POW, a gmina all four. Rows of type 4 and 5 (the town and the rural area of an
urban-rural gmina) and 8 and 9 (districts of Warsaw, delegatury of cities) are parts of a
gmina, not local government units: they are read and left out.
"""
import csv
import io
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from django.utils.translation import gettext as _

from .errors import InvalidInput
from .identifiers import LEVEL_GMINA, LEVEL_POWIAT, LEVEL_VOIVODESHIP

COLUMNS = ("WOJ", "POW", "GMI", "RODZ", "NAZWA", "NAZWA_DOD", "STAN_NA")
# Gmina types that are local government units (TERYT "rodzaj gminy").
UNIT_TYPES = frozenset({"1", "2", "3"})


class TercFileInvalid(InvalidInput):
    code = "terc_file_invalid"


@dataclass(frozen=True)
class TercUnit:
    teryt: str
    level: str
    name: str
    kind: str  # NAZWA_DOD: "gmina miejska", "powiat", "miasto na prawach powiatu", ...
    as_of: str  # STAN_NA


def _text(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1250")


def _csv_rows(text: str, name: str) -> list[tuple[int, dict]]:
    reader = csv.DictReader(io.StringIO(text), delimiter=";")
    header = [h.strip().upper() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS[:5] if c not in header]
    if missing:
        raise TercFileInvalid(_("%(file)s: not a TERC file, the columns %(columns)s are missing "
                                "(expected WOJ;POW;GMI;RODZ;NAZWA;NAZWA_DOD;STAN_NA).")
                              % {"file": name, "columns": ", ".join(missing)},
                              detail={"file": name, "line": 1})
    reader.fieldnames = header
    return [(n, row) for n, row in enumerate(reader, start=2)]


def _xml_rows(raw: bytes, name: str) -> list[tuple[int, dict]]:
    try:
        root = ElementTree.fromstring(raw)  # noqa: S314 - no DTDs or entities in TERC
    except ElementTree.ParseError as exc:
        raise TercFileInvalid(_("%(file)s: not well-formed XML (line %(line)s).")
                              % {"file": name, "line": exc.position[0]},
                              detail={"file": name, "line": exc.position[0]}) from exc
    rows = []
    for n, row in enumerate(root.iter("row"), start=1):
        # Both layouts GUS has used: <WOJ>02</WOJ> and <col name="WOJ">02</col>.
        values = {(c.get("name") or c.tag).upper(): (c.text or "") for c in row}
        rows.append((n, values))
    if not rows:
        raise TercFileInvalid(_("%(file)s: no <row> elements; not a TERC file.") % {"file": name},
                              detail={"file": name})
    return rows


def _unit(row: dict, line: int, name: str) -> TercUnit | None:
    get = {k: (row.get(k) or "").strip() for k in COLUMNS}
    woj, pow_, gmi, rodz = get["WOJ"], get["POW"], get["GMI"], get["RODZ"]
    where = {"file": name, "line": line}
    if not woj.isdigit() or len(woj) != 2:
        raise TercFileInvalid(_("%(file)s, line %(line)s: WOJ “%(value)s” is not a two-digit "
                                "code.") % {**where, "value": woj}, detail=where)
    if gmi and rodz not in UNIT_TYPES:
        return None
    if gmi:
        return TercUnit(f"{woj}{pow_}{gmi}_{rodz}", LEVEL_GMINA, get["NAZWA"], get["NAZWA_DOD"],
                        get["STAN_NA"])
    if pow_:
        kind, base = get["NAZWA_DOD"], get["NAZWA"]
        label = f"{kind} {base}" if kind == "powiat" else f"{base} ({kind})" if kind else base
        return TercUnit(f"{woj}{pow_}", LEVEL_POWIAT, label, kind, get["STAN_NA"])
    return TercUnit(woj, LEVEL_VOIVODESHIP, f"województwo {get['NAZWA'].lower()}",
                    get["NAZWA_DOD"], get["STAN_NA"])


def terc_read(path: str | Path, *, under: str = "") -> list[TercUnit]:
    """The local government units of a TERC file (those whose code starts with `under`)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TercFileInvalid(_("%(file)s: cannot be read (%(error)s).")
                              % {"file": path.name, "error": exc.strerror},
                              detail={"file": path.name}) from exc
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")
    rows = (_xml_rows(raw, path.name) if head.startswith(b"<")
            else _csv_rows(_text(raw), path.name))
    units, seen = [], {}
    for line, row in rows:
        unit = _unit(row, line, path.name)
        if unit is None or not unit.teryt.startswith(under):
            continue
        if unit.teryt in seen:
            raise TercFileInvalid(_("%(file)s, line %(line)s: unit %(teryt)s is listed again "
                                    "(first on line %(first)s).")
                                  % {"file": path.name, "line": line, "teryt": unit.teryt,
                                     "first": seen[unit.teryt]},
                                  detail={"file": path.name, "line": line})
        seen[unit.teryt] = line
        units.append(unit)
    return units
