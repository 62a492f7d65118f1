"""Prefix indexes for the map's search: parcel numbers within a precinct and street names.

Plain SQL, not Meta.indexes: the operator class must be varchar_pattern_ops so that
`LIKE 'prefix%'` uses the index under any database collation (the default btree index
serves it only under the C collation). Both are index-only concerns with no model state.
"""
from django.db import migrations

PARCEL_NUMBER = "parcel_number_prefix_idx"
ADDRESS_STREET = "address_street_prefix_idx"


class Migration(migrations.Migration):

    dependencies = [
        ("cadastre_sync", "0002_cadastre_import"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {PARCEL_NUMBER} ON cadastre_sync_parcel "
            "(precinct_id, number varchar_pattern_ops) WHERE retired_at IS NULL",
            f"DROP INDEX IF EXISTS {PARCEL_NUMBER}",
        ),
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {ADDRESS_STREET} ON cadastre_sync_address "
            "(lower(street) varchar_pattern_ops, house_number)",
            f"DROP INDEX IF EXISTS {ADDRESS_STREET}",
        ),
    ]
