"""The tax rules written again with their sources of December 2026 (the 2025 building
definitions and the KŚT 108 exemption recorded on the building-class table)."""
import importlib

from django.db import migrations


def seed(apps, schema_editor):
    importlib.import_module("cadastre_sync.migrations.0012_conversion_factor_dated").seed(
        apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("cadastre_sync", "0012_conversion_factor_dated"), ("core", "0007_legal_rule")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
