"""The retired parcels' GiST index as the partial index its model declares.

GeoDjango builds a spatial index without its condition (its PostGIS schema editor takes
the geometry path and drops it), so 0017 indexed every parcel. Rebuilt here by hand; the
model state is unchanged.
"""
from django.db import migrations

PARTIAL = ("CREATE INDEX parcel_retired_geom_idx ON cadastre_sync_parcel USING gist (geom) "
           "WHERE retired_at IS NOT NULL")
WHOLE = "CREATE INDEX parcel_retired_geom_idx ON cadastre_sync_parcel USING gist (geom)"
DROP = "DROP INDEX IF EXISTS parcel_retired_geom_idx"


class Migration(migrations.Migration):

    dependencies = [
        ("cadastre_sync", "0017_parcel_retired_geom_index"),
    ]

    operations = [
        migrations.RunSQL(sql=[DROP, PARTIAL], reverse_sql=[DROP, WHOLE]),
    ]
