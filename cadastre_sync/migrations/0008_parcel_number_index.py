"""Parcel numbers across every precinct: a number typed without its precinct.

0003 indexes numbers within a precinct; this partial index over current parcels serves
the same exact and prefix searches when no precinct is given. Index-only, no model state.
"""
from django.db import migrations

NAME = "parcel_current_number_idx"


class Migration(migrations.Migration):

    dependencies = [
        ("cadastre_sync", "0007_search_folded_locality_index"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON cadastre_sync_parcel "
            "(number varchar_pattern_ops) WHERE retired_at IS NULL",
            f"DROP INDEX IF EXISTS {NAME}",
        ),
    ]
