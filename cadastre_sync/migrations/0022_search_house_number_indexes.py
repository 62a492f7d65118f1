"""A street and house number ("Polna 12") found by both, not by the street alone.

The folded street index of 0006 holds the house number second, but the search compares
house numbers with case ignored (12a is 12A), which that column cannot serve: every
address of the street was read and filtered (1,614 on one street at 1M parcels, more as
a town grows). With the upper-cased house number first and the folded street (or, for
addresses without a street, locality) second, the index seeks the number and then the
name's prefix. Index-only, no model state.
"""
from django.db import migrations

STREET, LOCALITY = "address_house_street_folded_idx", "address_house_locality_folded_idx"


def _folded(column: str) -> str:
    return f"translate(lower({column}), 'ąćęłńóśźż', 'acelnoszz')"


class Migration(migrations.Migration):

    dependencies = [
        ("cadastre_sync", "0021_search_indexes_bounded"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {STREET} ON cadastre_sync_address "
            f"(upper(house_number), ({_folded('street')}) text_pattern_ops)",
            f"DROP INDEX IF EXISTS {STREET}",
        ),
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {LOCALITY} ON cadastre_sync_address "
            f"(upper(house_number), ({_folded('locality')}) text_pattern_ops) "
            "WHERE street = ''",
            f"DROP INDEX IF EXISTS {LOCALITY}",
        ),
    ]
