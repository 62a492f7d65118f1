"""Spreadsheet exports: CSV for Polish Excel (`;`, decimal comma, UTF-8 with BOM) and XLSX,
both safe from formula injection.

Text that starts with = + - @, a tab or a carriage return is run as a formula by a
spreadsheet (OWASP, "CSV injection"): such text gets a leading apostrophe, in CSV and
XLSX alike, and every XLSX text cell is written as a string, never as a formula. Numbers
stay numbers: a negative amount is not text and keeps its sign. Every export of the
project writes through `csv_export` and `xlsx_export`.
"""
import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value):
    """Text that a spreadsheet would run as a formula, made inert; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (float, Decimal)):
        return str(value).replace(".", ",")
    return str(neutralised(value) if isinstance(value, str) else value)


def csv_export(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_cell(str(title)) for title in header])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def xlsx_export(title: str, header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(title)[:31])

    def cell(value):
        if isinstance(value, Decimal):
            return float(value)
        if not isinstance(value, str):
            return value
        text = WriteOnlyCell(sheet, value=neutralised(value))
        text.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
        return text

    sheet.append([cell(str(title)) for title in header])
    for row in rows:
        sheet.append([cell(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
