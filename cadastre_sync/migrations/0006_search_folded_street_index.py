"""Street search that forgives missing Polish letters: "zytnia" finds "Żytnia".

The street prefix index of 0003 is replaced by one on the street name folded the way
cadastre_sync.selectors folds what is typed (lower case, Polish letters to their base
letters), so the prefix search stays index-backed. Index-only, no model state.
"""
from django.db import migrations

OLD = "address_street_prefix_idx"
NEW = "address_street_folded_idx"
FOLDED = "translate(lower(street), 'ąćęłńóśźż', 'acelnoszz')"


class Migration(migrations.Migration):

    dependencies = [
        ("cadastre_sync", "0005_tax_defaults"),
    ]

    operations = [
        migrations.RunSQL(
            [f"DROP INDEX IF EXISTS {OLD}",
             f"CREATE INDEX IF NOT EXISTS {NEW} ON cadastre_sync_address "
             f"(({FOLDED}) text_pattern_ops, house_number)"],
            [f"DROP INDEX IF EXISTS {NEW}",
             f"CREATE INDEX IF NOT EXISTS {OLD} ON cadastre_sync_address "
             "(lower(street) varchar_pattern_ops, house_number)"],
        ),
    ]
