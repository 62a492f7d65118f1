"""The zoning extract document: wypis text from the plan data, wyrys pages drawn by our map
services, a PDF that opens with the expected pages and the parcel's boundary on its map."""
import io
import subprocess
from datetime import date

import pytest
from django.db import connection
from django.utils import translation
from PIL import Image

from layers.models import ZoningPlan, ZoningZone
from permits.zoning_extract.content import MAP_HEIGHT_MM, MAP_WIDTH_MM, extract_content
from permits.zoning_extract.pdf import (
    MAP_LEFT_MM,
    MAP_TOP_MM,
    ExtractHeader,
    extract_page_counts,
    extract_pdf,
    sheet_legend,
)
from tests import factories

PARCEL = (318000.0, 386000.0, 318100.0, 386060.0)  # 100 m × 60 m
RASTER_DPI = 100
HEADER = ExtractHeader(office_name="Urząd Miasta Legnicy", office_address="pl. Słowiański 8",
                       place="Legnica", case_number="UA.6727.1.2026",
                       requested_on=date(2026, 11, 2))


def _plans():
    unit = factories.unit()
    local = ZoningPlan.objects.create(unit=unit, kind="local", identifier="MPZP 1",
                                      name="Miejscowy plan „Centrum”", scale_denominator=1000,
                                      resolution_number="XII/45/2019")
    mn = ZoningZone.objects.create(plan=local, local_id="1MN", label="1MN", symbol="MN",
                                   designation="teren zabudowy mieszkaniowej jednorodzinnej",
                                   provisions="§ 7. Dla terenu 1MN ustala się dachy strome.",
                                   geom=factories.box(317900, 385900, 318040, 386200))
    u = ZoningZone.objects.create(plan=local, local_id="2U", label="2U", symbol="U",
                                  designation="teren zabudowy usługowej",
                                  geom=factories.box(318040, 385900, 318300, 386200))
    general = ZoningPlan.objects.create(unit=unit, kind="general", identifier="POG",
                                        name="Plan ogólny gminy Legnica")
    ZoningZone.objects.create(plan=general, local_id="1SJ", label="1SJ", symbol="SJ",
                              designation="strefa wielofunkcyjna z zabudową jednorodzinną",
                              max_height_m=12, geom=factories.box(317000, 385000, 319000, 387000))
    return mn, u


def _share(zone, parcel) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_Area(ST_Intersection(z.geom, p.geom)) / ST_Area(p.geom) "
                       "FROM layers_zoningzone z, cadastre_sync_parcel p "
                       "WHERE z.id = %s AND p.id = %s", [zone.pk, parcel.pk])
        return cursor.fetchone()[0]


def _pdf_pages(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
    return int(next(line for line in info.decode().splitlines()
                    if line.startswith("Pages:")).split()[1])


def _pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()


def _page_image(pdf: bytes, page: int) -> Image.Image:
    png = subprocess.run(["pdftoppm", "-r", str(RASTER_DPI), "-f", str(page), "-l", str(page),
                          "-png", "-"], input=pdf, capture_output=True, check=True).stdout
    return Image.open(io.BytesIO(png)).convert("RGB")


def _outline_box_mm(image: Image.Image) -> tuple[float, float, float, float]:
    """Bounding box (mm, from the map's top-left) of the extract's blue parcel outline
    inside the map box of a rasterised wyrys page."""
    px = RASTER_DPI / 25.4
    left, top = round(MAP_LEFT_MM * px), round(MAP_TOP_MM * px)
    crop = image.crop((left, top, left + round(MAP_WIDTH_MM * px),
                       top + round(MAP_HEIGHT_MM * px)))
    width, _ = crop.size
    blue = [i for i, (r, g, b) in enumerate(crop.get_flattened_data())
            if b > 180 and r < 90 and g < 140]
    assert blue, "no outline pixels on the map"
    xs, ys = [i % width for i in blue], [i // width for i in blue]
    return min(xs) / px, min(ys) / px, max(xs) / px, max(ys) / px


@pytest.mark.django_db(transaction=True)
def test_a_parcel_split_between_two_zones_gets_a_pdf_with_both_shares_and_its_outline_on_the_map(
        map_services):
    # given a 100 m × 60 m parcel, its west 40 m in 1MN and the rest in 2U of a local plan
    # at 1:1000, all of it in zone 1SJ of the general plan
    parcel = factories.parcel("21/7", geom=factories.box(*PARCEL))
    factories.parcel("21/8", geom=factories.box(318100, 386000, 318150, 386060))
    mn, u = _plans()

    # when the draft extract (wypis and wyrys) is generated
    content = extract_content(parcels=[parcel], language="en")
    with translation.override("en"):
        pdf, text_pages = extract_pdf(header=HEADER, text=content.text, sheets=content.sheets,
                                      with_text=True, with_map=True, language="en")

    # then the wypis lists both zones with the shares PostGIS measures
    assert (round(_share(u, parcel), 4), round(_share(mn, parcel), 4)) == (0.6, 0.4)
    assert ("- 2U – teren zabudowy usługowej: 60.0 % of the parcel (3600 m²)" in content.text)
    assert ("- 1MN – teren zabudowy mieszkaniowej jednorodzinnej: 40.0 % of the parcel "
            "(2400 m²)") in content.text
    assert "§ 7. Dla terenu 1MN ustala się dachy strome." in content.text
    assert "maximum building height 12.0 m" in content.text
    # and the PDF opens with the text pages and one map page per plan
    assert [(s.plan.kind, s.scale) for s in content.sheets] == [("local", 1000),
                                                                 ("general", 1000)]
    assert _pdf_pages(pdf) == text_pages + 2
    text = _pdf_text(pdf)
    assert "Urząd Miasta Legnicy" in text and "60.0 % of the parcel" in text
    assert "Map excerpt 1 of 2: Miejscowy plan „Centrum”" in text
    # and the local plan's map page shows the parcel outline, 100 × 60 mm at 1:1000, centred
    x0, y0, x1, y1 = _outline_box_mm(_page_image(pdf, text_pages + 1))
    assert (x1 - x0, y1 - y0) == (pytest.approx(100, abs=2.5), pytest.approx(60, abs=2.5))
    assert ((x0 + x1) / 2, (y0 + y1) / 2) == (pytest.approx(MAP_WIDTH_MM / 2, abs=2),
                                              pytest.approx(MAP_HEIGHT_MM / 2, abs=2))


@pytest.mark.django_db
def test_a_parcel_outside_every_plan_gets_the_no_plan_text_and_no_map():
    # given a parcel with no plan anywhere near
    parcel = factories.parcel("99", geom=factories.box(*PARCEL))

    # when
    content = extract_content(parcels=[parcel], language="en")
    with translation.override("en"):
        pdf, text_pages = extract_pdf(header=HEADER, text=content.text, sheets=content.sheets,
                                      with_text=True, with_map=True, language="en")

    # then the document says so, and there is nothing to draw a wyrys from
    no_plan = ("No local zoning plan (MPZP) and no general plan of the gmina is in force for "
               "this parcel.")
    assert no_plan in content.text
    assert content.sheets == () and not content.covered
    assert _pdf_pages(pdf) == text_pages == 1
    assert no_plan in " ".join(_pdf_text(pdf).split())


@pytest.mark.django_db
def test_the_polish_document_is_the_default():
    # given a parcel outside every plan
    parcel = factories.parcel("98", geom=factories.box(*PARCEL))

    # when the draft is generated without naming a language
    content = extract_content(parcels=[parcel])

    # then it is in Polish
    assert ("Dla działki nie obowiązuje miejscowy plan zagospodarowania przestrzennego ani "
            "plan ogólny gminy.") in content.text


@pytest.mark.django_db
def test_a_parcel_only_under_a_plan_being_drafted_gets_the_no_plan_text_and_no_map():
    # given a parcel covered only by a general plan still being drafted (the APP status of
    # the real plan ogólny files)
    parcel = factories.parcel("97", geom=factories.box(*PARCEL))
    draft = ZoningPlan.objects.create(unit=factories.unit(), kind="general", identifier="POG",
                                      name="Plan ogólny gminy Legnica",
                                      legal_status="w opracowaniu")
    ZoningZone.objects.create(plan=draft, local_id="1SJ", label="1SJ", symbol="SJ",
                              status="w opracowaniu",
                              geom=factories.box(317000, 385000, 319000, 387000))

    # when the draft extract is generated
    content = extract_content(parcels=[parcel], language="en")

    # then the draft plan is not certified as in force: no plan, no wyrys
    assert ("No local zoning plan (MPZP) and no general plan of the gmina is in force for "
            "this parcel.") in content.text
    assert "Plan ogólny gminy Legnica" not in content.text
    assert content.sheets == () and not content.covered


@pytest.mark.django_db
def test_the_wyrys_legend_leaves_out_zones_of_a_plan_being_drafted():
    # given a parcel in zone 1MN of a local plan in force, and next to it zone 1P of a local
    # plan still being drafted, inside the same map frame
    parcel = factories.parcel("96", geom=factories.box(*PARCEL))
    unit = factories.unit()
    local = ZoningPlan.objects.create(unit=unit, kind="local", identifier="MPZP 1",
                                      name="Miejscowy plan „Centrum”",
                                      legal_status="obowiązujący")
    ZoningZone.objects.create(plan=local, local_id="1MN", label="1MN", symbol="MN",
                              designation="teren zabudowy mieszkaniowej jednorodzinnej",
                              geom=factories.box(317900, 385900, 318100, 386200))
    draft = ZoningPlan.objects.create(unit=unit, kind="local", identifier="MPZP 2",
                                      name="Projekt planu „Port”", legal_status="w opracowaniu")
    ZoningZone.objects.create(plan=draft, local_id="1P", label="1P", symbol="P",
                              designation="teren produkcji",
                              geom=factories.box(318100, 385900, 318250, 386200))

    # when the legend of the extract's map sheet is made
    [sheet] = extract_content(parcels=[parcel], language="en").sheets
    with translation.override("en"):
        legend = [item.title for item in sheet_legend(sheet)]

    # then only the plan in force is in it
    assert legend[3:] == ["MN – teren zabudowy mieszkaniowej jednorodzinnej"]


def _page_text(pdf: bytes, page: int) -> str:
    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-", "-"], input=pdf,
                         capture_output=True, check=True).stdout.decode()
    return " ".join(out.split())


@pytest.mark.django_db
def test_a_map_only_extract_opens_with_the_title_and_basis_and_carries_the_issuing_block():
    # given a parcel under a local and a general plan, and an issued map-only extract in
    # two copies
    parcel = factories.parcel("21/9", geom=factories.box(*PARCEL))
    _plans()
    header = ExtractHeader(office_name="Urząd Miasta Legnicy", office_address="",
                           place="Legnica", case_number="UA.6727.3.2026",
                           requested_on=date(2026, 11, 2), copies=2,
                           duty="Stamp duty: 80,00 zł", issued=True,
                           issued_on=date(2026, 11, 9), issued_by="Jan Kowalski")

    # when the wyrys alone is rendered (maps left undrawn: the text is what is checked)
    content = extract_content(parcels=[parcel], language="en")
    with translation.override("en"):
        pdf, text_pages = extract_pdf(header=header, text=content.text, sheets=content.sheets,
                                      with_text=False, with_map=True, language="en",
                                      draw_maps=False)

    # then a first page names the document, its legal basis and the issue, and the two
    # map pages follow; no wypis text is in it
    assert (text_pages, _pdf_pages(pdf)) == (0, 3)
    first = _page_text(pdf, 1)
    assert first.startswith("Urząd Miasta Legnicy Case: UA.6727.3.2026 Legnica, 09.11.2026 "
                            "MAP EXCERPT FROM THE ZONING PLAN Under art. 30 sec. 1 of the "
                            "Spatial Planning and Development Act of 27 March 2003, on the "
                            "application of 02.11.2026 (case UA.6727.3.2026), the map excerpt "
                            "from the plan is issued.")
    assert ("The map excerpt (wyrys) is on the following pages. Issued in 2 copy/copies. "
            "Stamp duty: 80,00 zł Issued on 09.11.2026 by: Jan Kowalski Page 1 of 3") in first
    assert "Parcels and the plans covering them" not in _pdf_text(pdf)
    assert _page_text(pdf, 2).startswith(
        "Urząd Miasta Legnicy Case: UA.6727.3.2026 Legnica, 09.11.2026 Map excerpt 1 of 2: "
        "Miejscowy plan „Centrum”")


@pytest.mark.django_db
def test_a_map_only_extract_in_polish_names_itself_a_wyrys_and_its_issuer():
    # given a parcel under the plans, and an issued map-only extract
    parcel = factories.parcel("21/10", geom=factories.box(*PARCEL))
    _plans()
    header = ExtractHeader(office_name="Urząd Miasta Legnicy", office_address="",
                           place="Legnica", case_number="UA.6727.4.2026",
                           requested_on=date(2026, 11, 2), issued=True,
                           issued_on=date(2026, 11, 9), issued_by="Jan Kowalski")

    # when it is rendered in the office's language
    content = extract_content(parcels=[parcel])
    pdf, _text_pages = extract_pdf(header=header, text=content.text, sheets=content.sheets,
                                   with_text=False, with_map=True, draw_maps=False)

    # then its first page says what it is, on what basis, and who issued it
    first = _page_text(pdf, 1)
    assert "WYRYS Z PLANU ZAGOSPODAROWANIA PRZESTRZENNEGO" in first
    assert "(znak sprawy UA.6727.4.2026), wydaje się wyrys z planu." in first
    assert ("Wyrys znajduje się na kolejnych stronach. Wydano w liczbie egzemplarzy: 1. "
            "Wydano dnia 09.11.2026. Wydał(a): Jan Kowalski") in first


@pytest.mark.django_db
def test_the_pages_charged_are_the_pages_of_the_issued_document_whatever_the_text_length():
    # given wypis texts of 30 to 70 paragraphs (the first page break falls among them), and
    # the header of an issued extract with its duty and official
    header = ExtractHeader(office_name="Urząd Miasta Legnicy", office_address="",
                           place="Legnica", case_number="UA.6727.12.2026",
                           requested_on=date(2026, 11, 2), copies=2,
                           duty="Opłata skarbowa: 60,00 zł", issued=True,
                           issued_on=date(2026, 11, 9), issued_by="Jan Kowalski")
    texts = ["# Ustalenia planu\n\n" + "\n".join(f"§ {i}. Ustalenie numer {i}." for i in
                                                 range(n)) for n in range(30, 71)]

    # when the pages are counted before submission and the issued document is rendered
    counted = [extract_page_counts(text=text, sheets=(), with_text=True, with_map=False)[0]
               for text in texts]
    issued = [extract_pdf(header=header, text=text, sheets=(), with_text=True, with_map=False)[1]
              for text in texts]

    # then each count is the issued document's
    assert counted == issued
    assert set(issued) == {1, 2}
