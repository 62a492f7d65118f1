"""Search whose cost does not grow with the region: every lookup reads the rows it answers
with, not every row that could match.

- Precinct names are searched by substring ("sady" finds "Białe Sady 28"), folded as
  cadastre_sync.selectors folds what is typed. A trigram index (pg_trgm, shipped with
  PostgreSQL) on the folded name finds the precincts containing the typed text; without
  it every precinct's name was folded and compared on every search.
- A number typed without its precinct recurs in most precincts (thousands of parcels
  numbered "12" in a large region). The answer is the first ones by parcel id; with the
  parcel id beside the number in the index, the first ten are read in that order and the
  rest never. The index replaces 0008's, whose prefix searches it serves the same way.

Index-only, no model state. The extension is left in place when migrating back (other
databases' objects may use it).
"""
from django.db import migrations

FOLDED_NAME = "translate(lower(name), 'ąćęłńóśźż', 'acelnoszz')"
TRIGRAM = "precinct_name_folded_trgm_idx"
OLD_NUMBER, NUMBER = "parcel_current_number_idx", "parcel_current_number_id_idx"


class Migration(migrations.Migration):

    dependencies = [
        ("cadastre_sync", "0020_finding_last_run_heap_only"),
    ]

    operations = [
        migrations.RunSQL("CREATE EXTENSION IF NOT EXISTS pg_trgm", migrations.RunSQL.noop),
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {TRIGRAM} ON cadastre_sync_precinct "
            f"USING gin (({FOLDED_NAME}) gin_trgm_ops)",
            f"DROP INDEX IF EXISTS {TRIGRAM}",
        ),
        migrations.RunSQL(
            [f"CREATE INDEX IF NOT EXISTS {NUMBER} ON cadastre_sync_parcel "
             "(number varchar_pattern_ops, parcel_id) WHERE retired_at IS NULL",
             f"DROP INDEX IF EXISTS {OLD_NUMBER}"],
            [f"CREATE INDEX IF NOT EXISTS {OLD_NUMBER} ON cadastre_sync_parcel "
             "(number varchar_pattern_ops) WHERE retired_at IS NULL",
             f"DROP INDEX IF EXISTS {NUMBER}"],
        ),
    ]
