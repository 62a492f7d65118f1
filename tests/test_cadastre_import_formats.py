"""The other formats: EGiB GML 2015, SWDE in Windows-1250, and any file OGR reads.

All three land in the same tables as a 2021 export, through the same checks and merge.
"""
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from cadastre_sync.errors import ImportRejected
from cadastre_sync.importers.base import detect_format, read_head
from cadastre_sync.models import Building, OwnershipShare, Parcel, ParcelVersion, Precinct
from cadastre_sync.services import cadastre_import
from tests import factories

FIXTURES = Path(__file__).parent / "fixtures" / "cadastre"
GML_2015 = FIXTURES / "egib2015_legnica.gml"
SWDE = FIXTURES / "swde_legnica.swd"
GEOJSON = FIXTURES / "ogr_dzialki_2180.geojson"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def current(parcel_id: str) -> Parcel:
    return Parcel.objects.get(parcel_id=parcel_id, retired_at__isnull=True)


def ogr2ogr(*args: str) -> None:
    subprocess.run(["ogr2ogr", *args], check=True, capture_output=True, timeout=60)


@pytest.mark.parametrize(("path", "expected"), [
    (FIXTURES / "egib2021_legnica.gml", "egib2021"), (GML_2015, "egib2015"), (SWDE, "swde"),
    (GEOJSON, "ogr"), (FIXTURES / "bad_namespace.gml", None), (FIXTURES / "bad_not_xml.gml", None),
])
def test_the_format_is_detected_from_the_first_bytes(path, expected):
    assert detect_format(path, read_head(path)) == expected


def test_an_egib_2015_export_is_imported_through_its_own_element_names():
    result = cadastre_import(unit=factories.unit(), path=GML_2015)

    assert result.format == "egib2015" and result.errors == 0 and result.warnings == 0
    assert result.skipped == {"KR_ObiektKarto": 1}
    p21 = current("026101_1.0002.21")
    assert p21.registered_area_ha == Decimal("0.0901")  # powierzchniaEwidencyjna
    assert p21.land_register_number == "LE1L/00054321/7"
    # klasouzytekWGranicachDzialki links to separate EGB_Klasouzytek features by IIP id.
    assert sorted(p21.land_use.values_list("ofu", "ozu", "ozk", "area_ha")) == [
        ("Br", "R", "IVa", Decimal("0.0301")), ("R", "R", "IIIb", Decimal("0.0600"))]
    assert p21.versions.get().attributes["land_use"][0]["ozk"] == "IIIb"
    assert Precinct.objects.get(number="0002").name == "Przybków"


def test_egib_2015_ownership_links_by_iip_identifier_resolve():
    cadastre_import(unit=factories.unit(), path=GML_2015)

    couple = OwnershipShare.objects.get(register_unit__register_id="026101_1.0002.G21")
    assert (couple.owner.surname, couple.spouse.surname) == ("Zieliński", "Zielińska-Mróz")
    state = OwnershipShare.objects.get(register_unit__register_id="026101_1.0002.G22")
    assert (state.owner.name, state.register_unit.group) == ("Skarb Państwa", 1)
    assert current("026101_1.0002.22/3").register_unit.register_id == "026101_1.0002.G22"


def test_swde_in_windows_1250_keeps_its_polish_letters():
    result = cadastre_import(unit=factories.unit(), path=SWDE)

    assert result.format == "swde" and result.errors == 0 and result.warnings == 0
    assert Precinct.objects.get(number="0003").name == "Śródmieście"
    p31 = current("026101_1.0003.31")
    assert p31.land_register_number == "LE1L/00077777/1"
    assert sorted(p31.land_use.values_list("ofu", "ozk", "area_ha")) == [
        ("B", "", Decimal("0.0401")), ("Ł", "II", Decimal("0.0500"))]
    assert p31.geom.extent == pytest.approx((318040, 386400, 318070, 386430), abs=0.05)
    couple = OwnershipShare.objects.get(register_unit__register_id="026101_1.0003.G31")
    assert (couple.owner.surname, couple.spouse.first_name, couple.spouse.second_name,
            couple.spouse.surname) == ("Brzęczyszczykiewicz", "Łucja", "Żaneta", "Żółkiewska")
    coop = OwnershipShare.objects.get(register_unit__register_id="026101_1.0003.G32")
    assert coop.owner.name == "Spółdzielnia Mieszkaniowa „Piast” w Legnicy"
    house = Building.objects.get(building_id="026101_1.0003.31.1_BUD")
    assert list(house.parcels.all()) == [p31]


def test_swde_reimport_changes_nothing():
    unit = factories.unit()
    cadastre_import(unit=unit, path=SWDE)

    result = cadastre_import(unit=unit, path=SWDE)

    assert (result.totals.created, result.totals.updated, result.totals.retired) == (0, 0, 0)
    assert result.counts["parcel"].unchanged == 2 and ParcelVersion.objects.count() == 0


def test_a_geojson_file_is_read_with_the_default_field_names():
    result = cadastre_import(unit=factories.unit(), path=GEOJSON)

    assert result.format == "ogr" and result.counts["parcel"].created == 2
    p41 = current("026101_1.0004.41")
    assert p41.geom.extent == pytest.approx((318040, 386600, 318070, 386630))
    assert (p41.registered_area_ha, p41.land_register_number) == (Decimal("0.0900"),
                                                                  "LE1L/00011111/1")
    assert Precinct.objects.get(number="0004").name == "Obręb 0004"


def test_a_geopackage_is_read_with_a_field_mapping(tmp_path):
    gpkg = tmp_path / "dzialki.gpkg"
    ogr2ogr("-f", "GPKG", str(gpkg), str(GEOJSON), "-sql",
            "SELECT ID_DZIALKI AS nr_ewid, POLE AS pow FROM dzialki")

    result = cadastre_import(unit=factories.unit(), path=gpkg,
                             field_map={"parcel_id": "nr_ewid", "area": "pow"})

    assert result.counts["parcel"].created == 2
    assert current("026101_1.0004.42/5").registered_area_ha == Decimal("0.0900")


def test_a_zipped_shapefile_in_lon_lat_is_transformed(tmp_path):
    shp = tmp_path / "dzialki.shp"
    ogr2ogr("-f", "ESRI Shapefile", "-t_srs", "EPSG:4326", str(shp), str(GEOJSON))
    archive = tmp_path / "dzialki.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for part in tmp_path.glob("dzialki.*"):
            if part != archive:
                z.write(part, part.name)

    result = cadastre_import(unit=factories.unit(), path=archive)

    assert result.counts["parcel"].created == 2 and result.errors == 0
    assert current("026101_1.0004.41").geom.extent == pytest.approx(
        (318040, 386600, 318070, 386630), abs=0.01)


def test_without_an_area_field_the_drawn_area_is_recorded_and_said(tmp_path):
    bare = tmp_path / "bare.geojson"
    ogr2ogr("-f", "GeoJSON", str(bare), str(GEOJSON), "-select", "ID_DZIALKI")

    result = cadastre_import(unit=factories.unit(), path=bare)

    assert [p.code for p in result.problems] == ["no_area_field"]
    assert current("026101_1.0004.41").registered_area_ha == Decimal("0.0900")


def test_a_mapping_to_a_missing_field_is_rejected_naming_the_fields():
    with pytest.raises(ImportRejected) as caught:
        cadastre_import(unit=factories.unit(), path=GEOJSON, field_map={"parcel_id": "NUMER"})

    (problem,) = caught.value.problems
    assert problem.code == "ogr_mapping" and "NUMER" in problem.message
    assert "ID_DZIALKI, POLE, NR_KW, OBREB" in problem.message
    assert Parcel.objects.count() == 0


def test_another_gml_is_read_by_ogr_when_asked(tmp_path):
    gml = tmp_path / "dzialki.gml"
    ogr2ogr("-f", "GML", str(gml), str(GEOJSON), "-dsco", "FORMAT=GML3")
    shutil.copy(gml, tmp_path / "copy.gml")

    with pytest.raises(ImportRejected):
        cadastre_import(unit=factories.unit(), path=gml)  # auto: not an EGiB namespace
    result = cadastre_import(unit=factories.unit(), path=tmp_path / "copy.gml", fmt="ogr")

    assert result.counts["parcel"].created == 2


def test_features_listed_in_one_feature_members_element_are_read_too(tmp_path):
    # Some writers put every feature in one gml:featureMembers instead of one
    # gml:featureMember each; the reader streams both.
    text = (FIXTURES / "egib2021_legnica.gml").read_text(encoding="utf-8")
    text = text.replace("<gml:featureMember>", "").replace("</gml:featureMember>", "")
    text = text.replace("</gml:boundedBy>", "</gml:boundedBy>\n<gml:featureMembers>", 1)
    text = text.replace("</gml:FeatureCollection>", "</gml:featureMembers>\n"
                                                    "</gml:FeatureCollection>")
    plural = tmp_path / "featureMembers.gml"
    plural.write_text(text, encoding="utf-8")

    result = cadastre_import(unit=factories.unit(), path=plural)

    assert {kind: c.created for kind, c in result.counts.items()} == {
        "precinct": 1, "register_unit": 3, "owner": 5, "share": 4, "parcel": 5, "building": 2}
    assert Parcel.objects.get(parcel_id="026101_1.0001.1").versions.count() == 1
