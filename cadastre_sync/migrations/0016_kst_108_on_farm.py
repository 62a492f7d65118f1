"""KŚT 108 agricultural buildings exempt only on a farm's land: the building-class table
written again with its note (the rules seeded from cadastre_sync/tax/rules.py)."""
import importlib

from django.db import migrations


def seed(apps, schema_editor):
    importlib.import_module("cadastre_sync.migrations.0012_conversion_factor_dated").seed(
        apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("cadastre_sync", "0015_reconciliation_changes"), ("core", "0007_legal_rule")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
