"""Writes permits/legal.py's rules as national core.LegalRule rows (idempotent)."""
from datetime import date

from permits.legal import LEGAL_RULES


def _date(value):
    return date.fromisoformat(value) if value else None


def seed(apps, schema_editor):
    LegalRule = apps.get_model("core", "LegalRule")
    for key, value, start, end, act, article, journal, verified, note in LEGAL_RULES:
        LegalRule.objects.update_or_create(unit=None, key=key, valid_from=_date(start), defaults={
            "value": value, "valid_to": _date(end), "act": act, "article": article,
            "journal": journal, "verified": verified, "note": note})
