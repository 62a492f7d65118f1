"""Zoning extract documents: the whole PDF (wypis and wyrys) generated for parcels of the
demo gmina, maps drawn by MapServer from PostGIS through layers/render.py.

- one-parcel extract incl. its map pages (a local plan sheet at 1:1000 and a general plan
  sheet), BENCH_EXTRACTS parcels under the local plan, each once; goal p95 under 2 s;
- a 20-parcel extract (a street block's parcels next to each other), ctx.repeat times;
- the baseline of each, interleaved: the very same document with the map boxes left
  empty (text, layout, legend queries; no MapServer), so the ratio is what the maps cost.

Data: the demo gmina of ctx.parcels parcels (with its general and local plan) in the
harness's database, generated with `demo_data --if-empty` when missing.
Run through the harness: `.venv/bin/python bench/run.py zoning_extract`.
"""
import os
import random
import tempfile

from harness import Context, Result, timed

UNIT, UNIT_NAME = "026101_1", "Legnica"
HEADER_NAME = "Urząd Miasta Legnicy"


def run(ctx: Context) -> list[Result]:
    from django.conf import settings
    from django.core.management import call_command

    from layers.mapproxy_config import publications_reset

    call_command("demo_data", unit=UNIT, name=UNIT_NAME, parcels=ctx.parcels, if_empty=True,
                 verbosity=0)
    count = int(os.environ.get("BENCH_EXTRACTS", "20"))
    with tempfile.TemporaryDirectory(prefix="gp-bench-extract-") as tmp:
        settings.VAR_DIR = tmp  # generated mapfile of this database, away from the demo's
        publications_reset()
        one, one_base = _one_parcel(count)
        block, block_base = _block(ctx.repeat)
        publications_reset()
    return [
        Result("extract PDF, 1 parcel incl. maps", "s", one, one_base,
               extra={"parcels": count, "baseline": "same PDF, map boxes empty"},
               goal="p95 < 2 s"),
        Result("extract PDF, 20 parcels incl. maps", "s", block, block_base,
               extra={"baseline": "same PDF, map boxes empty"}),
    ]


def _document(parcels, draw_maps: bool) -> bytes:
    from permits.zoning_extract.content import extract_content
    from permits.zoning_extract.pdf import ExtractHeader, extract_pdf

    content = extract_content(parcels=parcels)
    header = ExtractHeader(office_name=HEADER_NAME, office_address="pl. Słowiański 8",
                           place=UNIT_NAME, case_number="UA.6727.1.2026", requested_on=None)
    pdf, _pages = extract_pdf(header=header, text=content.text, sheets=content.sheets,
                              with_text=True, with_map=True, draw_maps=draw_maps)
    return pdf


def _one_parcel(count: int) -> tuple[list[float], list[float]]:
    from cadastre_sync.models import Parcel
    from layers.models import ZoningZone

    local = ZoningZone.objects.filter(plan__kind="local", plan__unit__teryt=UNIT)
    ids = set()
    for zone in local.order_by("id")[:200]:
        ids.update(Parcel.objects.filter(retired_at__isnull=True,
                                         geom__intersects=zone.geom.point_on_surface)
                   .values_list("id", flat=True)[:1])
    chosen = random.Random(1).sample(sorted(ids), min(count, len(ids)))
    parcels = list(Parcel.objects.filter(id__in=chosen))
    _document(parcels[:1], True)  # the first request builds the mapfile: not measured
    ours, base = [], []
    for parcel in parcels:
        ours.append(timed(lambda p=parcel: _document([p], True)))
        base.append(timed(lambda p=parcel: _document([p], False)))
    return ours, base


def _block(repeat: int) -> tuple[list[float], list[float]]:
    from django.contrib.gis.measure import D

    from cadastre_sync.models import Parcel

    first = _one_parcel_seed()
    near = list(Parcel.objects.filter(retired_at__isnull=True, unit__teryt=UNIT,
                                      geom__dwithin=(first.geom.centroid, D(m=300)))
                .order_by("id")[:400])
    near.sort(key=lambda p: p.geom.centroid.distance(first.geom.centroid))
    parcels = near[:20]
    ours, base = [], []
    for _ in range(repeat):
        ours.append(timed(lambda: _document(parcels, True)))
        base.append(timed(lambda: _document(parcels, False)))
    return ours, base


def _one_parcel_seed():
    from cadastre_sync.models import Parcel
    from layers.models import ZoningZone

    zone = ZoningZone.objects.filter(plan__kind="local", plan__unit__teryt=UNIT,
                                     symbol="MN").order_by("id").first()
    return Parcel.objects.filter(retired_at__isnull=True,
                                 geom__intersects=zone.geom.point_on_surface).first()
