"""The 2026 maxima for land under water and other land marked as read in the
obwieszczenie's text (as quoted), with the rest of the tax rules written again."""
import importlib

from django.db import migrations


def seed(apps, schema_editor):
    importlib.import_module("cadastre_sync.migrations.0012_conversion_factor_dated").seed(
        apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("cadastre_sync", "0013_tax_rules_sources"), ("core", "0007_legal_rule")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
