"""Addresses in villages without streets are found by their locality, index-backed too.

Partial index over addresses without a street, on the folded locality name (as 0006 does
for streets), so that `street prefix OR (no street AND locality prefix)` is answered from
two indexes instead of a scan of every address. Index-only, no model state.
"""
from django.db import migrations

NAME = "address_locality_folded_idx"
FOLDED = "translate(lower(locality), 'ąćęłńóśźż', 'acelnoszz')"


class Migration(migrations.Migration):

    dependencies = [
        ("cadastre_sync", "0006_search_folded_street_index"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON cadastre_sync_address "
            f"(({FOLDED}) text_pattern_ops, house_number) WHERE street = ''",
            f"DROP INDEX IF EXISTS {NAME}",
        ),
    ]
