"""The statistics table as CSV (Polish Excel: `;`, decimal comma, UTF-8 with BOM) and XLSX.

Unit and service names come from data an operator or an import typed in; a cell starting
with = + - @ (or a tab or carriage return) is a formula to a spreadsheet, so such text is
prefixed with an apostrophe (OWASP "CSV injection"). Numbers are written as numbers."""
import csv
import io
from decimal import Decimal

from django.utils.translation import gettext as _

from .statistics import StatRow

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def column_titles() -> dict[str, str]:
    return {
        "teryt": _("TERYT"), "unit": _("unit"), "kind": _("service code"),
        "service": _("service"), "received": _("applications received"),
        "online": _("filed online"), "online_share": _("online share"),
        "decided": _("decisions"), "median_days": _("median handling time [days]"),
        "p90_days": _("90th percentile handling time [days]"),
        "deadline_days": _("median statutory term [days]"),
        "on_time": _("decided on time"), "on_time_share": _("share decided on time"),
        "overdue_now": _("overdue now"), "silent_consent": _("silent consent"),
        "extracts_issued": _("extracts issued"),
        "reconciliation_runs": _("reconciliation runs"), "open_findings": _("open findings"),
        "open_findings_value": _("open findings: estimated annual value [zł]"),
        "findings_resolved": _("findings resolved"),
        "value_recovered": _("value recovered [zł]"),
    }


def neutralised(value):
    """Text that a spreadsheet would run as a formula, made inert; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _cells(row: StatRow, total_label: str) -> list:
    values = row.as_dict()
    if not values["teryt"] and not values["kind"]:
        values["unit"] = total_label
    return [neutralised(values[name]) for name in column_titles()]


def statistics_csv(rows: list[StatRow], total: StatRow) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(list(column_titles().values()))
    for row in [*rows, total]:
        writer.writerow(["" if v is None else str(v).replace(".", ",")
                         if isinstance(v, (float, Decimal)) else v
                         for v in _cells(row, _("Total"))])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def statistics_xlsx(rows: list[StatRow], total: StatRow) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Statistics")[:31])
    sheet.append(list(column_titles().values()))
    for row in [*rows, total]:
        sheet.append([float(v) if isinstance(v, Decimal) else v
                      for v in _cells(row, _("Total"))])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


EXPORTS = {
    "csv": (statistics_csv, "text/csv; charset=utf-8"),
    "xlsx": (statistics_xlsx,
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
