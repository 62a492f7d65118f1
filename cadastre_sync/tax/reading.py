"""Reading an export: CSV (UTF-8 with or without BOM, or Windows-1250; `;` or `,`) or XLSX.

Yields (line number, list of cells) with line 1 the header, as a spreadsheet shows it.
"""
import codecs
import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"
SAMPLE_BYTES = 64 * 1024  # enough for the header row
BLOCK_BYTES = 1 << 20  # encoding is checked over the whole file, a block at a time


class UnreadableWorkbook(Exception):
    """The file starts as an XLSX (a ZIP) but the spreadsheet in it cannot be read."""


@dataclass(frozen=True)
class Detected:
    format: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""

    def as_dict(self) -> dict:
        return {"format": self.format, "encoding": self.encoding, "delimiter": self.delimiter}


def detect_encoding(blocks: Iterable[bytes]) -> str:
    """UTF-8 (BOM stripped) when the whole file decodes as UTF-8, else Windows-1250.

    Polish exports are one or the other; Windows-1250 bytes of Polish letters are
    never valid UTF-8 sequences, so a strict decode tells them apart. It runs over
    every block, so one Polish letter at the end of a long ASCII file still counts;
    a multibyte character split between blocks is carried by the decoder.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for number, block in enumerate(blocks):
            if number == 0 and block.startswith(codecs.BOM_UTF8):
                return "utf-8-sig"
            decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1250"
    return "utf-8"


def _blocks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        yield from iter(lambda: handle.read(BLOCK_BYTES), b"")


def detect_delimiter(first_line: str) -> str:
    """`;` where the header holds more of them than commas (Polish exports), else `,`."""
    semicolons, commas, tabs = (first_line.count(c) for c in ";,\t")
    if tabs > max(semicolons, commas):
        return "\t"
    return ";" if semicolons >= commas and semicolons else ","


def detect(path: Path) -> Detected:
    with path.open("rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    if head.startswith(XLSX_MAGIC):
        return Detected("xlsx")
    encoding = detect_encoding(_blocks(path))
    text = head.decode(encoding, errors="replace")
    first = text.splitlines()[0] if text else ""
    return Detected("csv", encoding, detect_delimiter(first))


def rows(path: Path, detected: Detected) -> Iterator[tuple[int, list[str]]]:
    if detected.format == "xlsx":
        yield from _xlsx_rows(path)
        return
    with path.open("r", encoding=detected.encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=detected.delimiter)
        for cells in reader:
            yield reader.line_num, [c.strip() for c in cells]


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    # Whatever openpyxl raises here is about the file (a broken ZIP, a part missing, XML
    # that is malformed or declares entities beyond the parser's limits), never about us.
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise UnreadableWorkbook(_reason(exc, path)) from exc
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(v) for v in values]
    except Exception as exc:
        raise UnreadableWorkbook(_reason(exc, path)) from exc
    finally:
        book.close()


# defusedxml (which openpyxl uses when it is installed) refuses these; expat alone stops
# entity expansion past its amplification limit.
_FORBIDDEN_XML = {"EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden"}


def _reason(exc: BaseException, path: Path) -> str:
    """The innermost cause in words, without our storage path."""
    while (exc.__cause__ or exc.__context__) is not None:
        exc = exc.__cause__ or exc.__context__
    if type(exc).__name__ in _FORBIDDEN_XML:
        return _("the sheet declares XML entities (a DOCTYPE), which no spreadsheet writes")
    text = (str(exc).strip().splitlines() or [""])[0][:300] or type(exc).__name__
    return text.replace(str(path), path.name)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()
