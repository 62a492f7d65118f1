"""The stamp duties (wypis, wyrys, WZ, power of attorney) as dated legal rules, with the
rest of permits/legal.py written again."""
from django.db import migrations

from permits.migrations._legal_seed import seed


class Migration(migrations.Migration):
    dependencies = [("permits", "0008_wz_rules"), ("core", "0007_legal_rule")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
