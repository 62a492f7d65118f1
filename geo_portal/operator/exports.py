"""The statistics table as CSV (Polish Excel: `;`, decimal comma, UTF-8 with BOM) and XLSX.

Unit and service names come from data an operator or an import typed in; a cell starting
with = + - @ (or a tab or carriage return) is a formula to a spreadsheet: core.exports, which
writes every export, makes such text inert (OWASP "CSV injection"). Numbers stay numbers."""
from django.utils.translation import gettext as _

from core.exports import csv_export, xlsx_export

from .statistics import StatRow


def column_titles() -> dict[str, str]:
    return {
        "teryt": _("TERYT"), "unit": _("unit"), "kind": _("service code"),
        "service": _("service"), "received": _("applications received"),
        "online": _("filed online"), "online_share": _("online share"),
        "decided": _("decisions"),
        "median_days": _("median handling time [days counted in the term]"),
        "p90_days": _("90th percentile handling time [days counted in the term]"),
        "deadline_days": _("median statutory term [days]"),
        "margin_days": _("median days decided before the deadline"),
        "on_time": _("decided on time"), "on_time_share": _("share decided on time"),
        "overdue_now": _("overdue now"), "silent_consent": _("silent consent"),
        "extracts_issued": _("extracts issued"),
        "reconciliation_runs": _("reconciliation runs"), "open_findings": _("open findings"),
        "open_findings_value": _("open findings: estimated annual value [zł]"),
        "findings_resolved": _("findings resolved"),
        "value_recovered": _("value recovered [zł]"),
    }


def _cells(row: StatRow, total_label: str) -> list:
    values = row.as_dict()
    if not values["teryt"] and not values["kind"]:
        values["unit"] = total_label
    return [values[name] for name in column_titles()]


def statistics_csv(rows: list[StatRow], total: StatRow) -> bytes:
    return csv_export(list(column_titles().values()),
                      (_cells(row, _("Total")) for row in [*rows, total]))


def statistics_xlsx(rows: list[StatRow], total: StatRow) -> bytes:
    return xlsx_export(_("Statistics"), list(column_titles().values()),
                       (_cells(row, _("Total")) for row in [*rows, total]))


EXPORTS = {
    "csv": (statistics_csv, "text/csv; charset=utf-8"),
    "xlsx": (statistics_xlsx,
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
