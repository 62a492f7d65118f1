"""The demo data generator against the plainest possible bulk insert.

Each repeat regenerates BENCH_PARCELS parcels with --replace (the delete is timed
apart), then inserts as many plain rectangles into a scratch table with one
INSERT ... SELECT generate_series: the floor for writing that many polygons.
"""
from statistics import median

from django.db import connection, transaction
from harness import Context, Result, timed

from geo_portal.demo.generator import REPLACE, demo_data_generate

UNIT = "026101_1"
DELETE_STAGE = "delete previous demo data"


def rectangles_insert(count: int) -> float:
    """Seconds to insert `count` rectangles with one statement, rolled back after."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_rectangles (id bigint, "
                       "geom geometry(Polygon, 2180)) ON COMMIT DROP")
        seconds = timed(lambda: cursor.execute(
            "INSERT INTO bench_rectangles SELECT g, ST_MakeEnvelope(g %% 1000 * 30.0, "
            "g / 1000 * 30.0, g %% 1000 * 30.0 + 25, g / 1000 * 30.0 + 25, 2180) "
            "FROM generate_series(1, %s) g", [count]))
        cursor.execute("DROP TABLE bench_rectangles")
    return seconds


def run(ctx: Context) -> list[Result]:
    generate, deletes, baseline, stages = [], [], [], {}
    for _ in range(ctx.repeat):
        report = demo_data_generate(teryt=UNIT, parcels=ctx.parcels, seed=1, existing=REPLACE)
        generate.append(sum(s.seconds for s in report.stages if s.name != DELETE_STAGE))
        deletes.append(sum(s.seconds for s in report.stages if s.name == DELETE_STAGE))
        for stage in report.stages:
            stages.setdefault(stage.name, []).append(stage.seconds)
        baseline.append(rectangles_insert(ctx.parcels))
    parcels_per_s = ctx.parcels / median(generate)
    return [
        Result(
            "demo_data generate", "s", generate, baseline,
            extra={"parcels": ctx.parcels, "parcels_per_s": round(parcels_per_s),
                   "delete_before_s": deletes,
                   "stages_median_s": {k: round(median(v), 3) for k, v in stages.items()}},
            goal="1,000,000 parcels in minutes",
        ),
        Result("demo_data parcels/s", "parcels/s",
               [ctx.parcels / s for s in generate], goal="set-based, no per-row saves"),
    ]
