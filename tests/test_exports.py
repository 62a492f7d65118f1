"""Spreadsheet exports never carry a live formula: text starting with = + - @, a tab or a
carriage return is neutralised in CSV and written as inert text in XLSX; numbers stay
numbers."""
import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from cadastre_sync.models import TaxFinding
from cadastre_sync.tax.exports import findings_csv, findings_xlsx
from cadastre_sync.tax.reconcile import reconcile
from core.exports import csv_export, xlsx_export
from tests.tax_factories import YEAR, discrepancy_gmina

PAYLOADS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1",
            '=HYPERLINK("http://x","y")']


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def xlsx_cells(data: bytes) -> list[list]:
    return [list(row) for row in load_workbook(io.BytesIO(data)).active.iter_rows()]


def test_csv_neutralises_every_formula_start_and_keeps_numbers():
    data = csv_export(["text", "amount"], [[p, Decimal("-12.50")] for p in PAYLOADS])

    rows = csv_rows(data)[1:]

    assert [r[0] for r in rows] == ["'" + p for p in PAYLOADS]
    assert {r[1] for r in rows} == {"-12,50"}


def test_xlsx_writes_text_as_strings_never_formulas_and_keeps_numbers():
    data = xlsx_export("Sheet", ["=title", "amount"], [[p, Decimal("-12.50")] for p in PAYLOADS])

    cells = xlsx_cells(data)

    assert cells[0][0].value == "'=title"
    assert [row[0].value for row in cells[1:]] == ["'" + p for p in PAYLOADS]
    assert all(c.data_type == "s" for row in cells for c in row[:1])
    assert all(row[1].value == -12.5 and row[1].data_type == "n" for row in cells[1:])


def test_ordinary_text_is_written_as_it_is():
    assert csv_rows(csv_export(["a"], [["Żurawski 10/2"], [None]]))[1:] == [["Żurawski 10/2"],
                                                                          [""]]


@pytest.mark.django_db
def test_a_tax_import_value_comes_back_inert_in_the_findings_exports():
    g = discrepancy_gmina()
    reconcile(unit=g.unit, year=YEAR)
    finding = TaxFinding.objects.filter(unit=g.unit).order_by("pk").first()
    TaxFinding.objects.filter(pk=finding.pk).update(parcel_ref=PAYLOADS[0],
                                                    resolution=PAYLOADS[-1])
    findings = TaxFinding.objects.filter(pk=finding.pk)

    row = csv_rows(findings_csv(findings))[1]
    cells = xlsx_cells(findings_xlsx(findings))[1]

    assert "'" + PAYLOADS[0] in row and "'" + PAYLOADS[-1] in row
    assert "'" + PAYLOADS[0] in [c.value for c in cells]
    assert all(c.data_type != "f" for c in cells)
