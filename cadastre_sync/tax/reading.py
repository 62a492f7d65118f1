"""Reading an export: CSV (UTF-8 with or without BOM, or Windows-1250; `;` or `,`) or XLSX.

Yields (line number, list of cells) with line 1 the header, as a spreadsheet shows it.
"""
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

XLSX_MAGIC = b"PK\x03\x04"
SAMPLE_BYTES = 64 * 1024


@dataclass(frozen=True)
class Detected:
    format: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""

    def as_dict(self) -> dict:
        return {"format": self.format, "encoding": self.encoding, "delimiter": self.delimiter}


def detect_encoding(data: bytes) -> str:
    """UTF-8 (BOM stripped) when the bytes decode as UTF-8, else Windows-1250.

    Polish exports are one or the other; Windows-1250 bytes of Polish letters are
    never valid UTF-8 sequences, so a strict decode tells them apart.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A sample may end inside a multibyte character: that alone is not a reason.
        if exc.start < len(data) - 3:
            return "cp1250"
    return "utf-8"


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
    encoding = detect_encoding(head)
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

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(v) for v in values]
    finally:
        book.close()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()
