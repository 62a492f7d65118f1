"""The procedure rules written again with their sources (KPA art. 35 § 3, the holidays
act's 2011 and 2025 lists), with the rest of permits/legal.py."""
from django.db import migrations

from permits.migrations._legal_seed import seed


class Migration(migrations.Migration):
    dependencies = [("permits", "0012_wz_project_type_holidays"), ("core", "0007_legal_rule")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
