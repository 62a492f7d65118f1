"""The WZ rules of permits/legal.py (the general plan gate's day, the validity, the
art. 64 terms) written as dated legal rules, with the rest of that table again."""
from datetime import date

from django.db import migrations

from permits.legal import LEGAL_RULES


def _date(value):
    return date.fromisoformat(value) if value else None


def seed(apps, schema_editor):
    LegalRule = apps.get_model("core", "LegalRule")
    for key, value, start, end, act, article, journal, verified, note in LEGAL_RULES:
        LegalRule.objects.update_or_create(unit=None, key=key, valid_from=_date(start), defaults={
            "value": value, "valid_to": _date(end), "act": act, "article": article,
            "journal": journal, "verified": verified, "note": note})


class Migration(migrations.Migration):
    dependencies = [("permits", "0007_tree_rules_corrected"), ("core", "0007_legal_rule")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
