"""The gmina's plans as the APP data set: each plan as APP 2.0 and 3.0 GML, valid against
the official schemas (tests/fixtures/schemas, lxml), read back by our own importer
unchanged, with the plan's formal documents, drawings and each zone's legal nature.

The plans come from the real ministry sample files (../shared/fixtures, read only).
"""
import json
import re
import subprocess
from datetime import UTC, date

import pytest
import shapely
from django.contrib.gis.geos import GEOSGeometry
from lxml import etree

from layers.app_export import app_plan_gml, pl2000_zone
from layers.models import PlanArea, PlanDocument, PlanDrawing, ZoningPlan, ZoningZone
from layers.services import zoning_import
from tests import factories
from tests.app_schema import app_features_invalid
from tests.conftest import APP_ACT as ACT
from tests.conftest import APP_FIXTURES as FIXTURES
from tests.conftest import APP_SET2 as SET2
from tests.test_zoning_import_areas import FEATURE, _areas_file

pytestmark = [pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not at {FIXTURES}"),
              pytest.mark.django_db]
APP = "{https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/2.0}"
APP_3 = "{https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/3.0}"
XLINK = "{http://www.w3.org/1999/xlink}"
_PLAN = ("identifier", "kind", "name", "legal_status", "valid_from", "valid_to",
         "scale_denominator", "version_started")
_ZONE = ("local_id", "label", "symbol", "designation", "provisions", "status", "valid_from",
         "valid_to", "max_intensity", "max_built_up_share", "max_height_m",
         "min_biologically_active_share", "profiles", "regulation_nature")
_DOCUMENT = ("role", "title", "short_name", "number", "issuer", "date", "date_type",
             "in_force_from", "repealed_on", "detail_reference", "official_journal", "links")
_DRAWING = ("title", "url", "legend_url", "crs", "resolution", "description", "valid_from",
            "valid_to")


def _general_plan(tmp_path) -> ZoningPlan:
    unit = factories.unit("121201_1", "Gmina Testowa")
    zoning_import(unit=unit, paths=[SET2 / ACT, SET2 / "StrefaPlanistyczna_OK.gml",
                                    _areas_file(tmp_path, "2.0")])
    return ZoningPlan.objects.get(unit=unit)


def _snapshot(plan: ZoningPlan) -> dict:
    return {
        "plan": {name: getattr(plan, name) for name in _PLAN},
        "zones": {z.local_id: {name: getattr(z, name) for name in _ZONE}
                  for z in plan.zones.order_by("local_id")},
        "areas": sorted((a.kind, a.local_id, a.regulation_nature, a.label,
                         json.dumps(a.standards, sort_keys=True)) for a in plan.areas.all()),
        "documents": {d.local_id: {name: getattr(d, name) for name in _DOCUMENT}
                      for d in plan.documents.all()},
        "drawings": {d.local_id: {name: getattr(d, name) for name in _DRAWING}
                     for d in plan.drawings.all()},
    }


def _with_papers(plan: ZoningPlan) -> ZoningPlan:
    """The plan's procedure as a gmina keeps it: the resolution to draw it up, the one
    adopting it (published in the voivodeship's journal), its drawing, and one zone and the
    downtown area of another legal nature than the usual."""
    PlanDocument.objects.create(
        plan=plan, local_id="1", role=PlanDocument.INITIATING, date=date(2024, 4, 23),
        title="Uchwała nr LIV/923/2024 Rady Gminy Testowej z dnia 23 kwietnia 2024 r. w sprawie "
              "przystąpienia do sporządzenia planu ogólnego gminy",
        short_name="POG – przystąpienie", number="LIV/923/2024", issuer="Rada Gminy Testowej",
        in_force_from=date(2024, 4, 23), links=["https://bip.example.pl/uchwaly/923"])
    PlanDocument.objects.create(
        plan=plan, local_id="XXIV.300.2026", role=PlanDocument.ADOPTING,
        date=date(2026, 6, 30), date_type="publication", number="XXIV/300/2026",
        title="Uchwała nr XXIV/300/2026 w sprawie uchwalenia planu ogólnego gminy",
        in_force_from=date(2026, 8, 19), detail_reference="§ 1–12 i załącznik nr 1",
        official_journal="https://www.gov.pl/static/zagospodarowanieprzestrzenne/codelist/"
                         "DziennikUrzedowyKod/dziennikUrzedowyWojewodztwaMalopolskiego",
        links=["https://bip.example.pl/uchwaly/300", "https://dziennik.example.pl/2026/5123"])
    PlanDocument.objects.create(
        plan=plan, local_id="prognoza", role=PlanDocument.OTHER, date=date(2025, 11, 2),
        title="Prognoza oddziaływania na środowisko planu ogólnego")
    PlanDrawing.objects.create(
        plan=plan, local_id="RYS-1", title="Rysunek planu ogólnego gminy",
        url="https://bip.example.pl/pog/rysunek.tif", legend_url="https://bip.example.pl/pog/"
        "legenda.png", crs="EPSG:2177", resolution=10_000, valid_from=date(2026, 8, 19),
        description="Część graficzna w skali 1:10 000")
    zone = plan.zones.order_by("local_id").first()
    ZoningZone.objects.filter(pk=zone.pk).update(regulation_nature="bindingOnlyForAuthorities")
    plan.areas.filter(kind=PlanArea.DOWNTOWN).update(regulation_nature="nonBinding")
    return plan


def _shapes(plan: ZoningPlan) -> dict[str, GEOSGeometry]:
    shapes = {"plan": plan.geom}
    shapes.update({f"zone {z.local_id}": z.geom for z in plan.zones.all()})
    shapes.update({f"area {a.local_id}": a.geom for a in plan.areas.all()})
    return shapes


def _reimported(tmp_path, plan: ZoningPlan, gml: bytes) -> ZoningPlan:
    """The export imported into the plan's unit emptied of every plan."""
    unit = plan.unit
    ZoningPlan.objects.filter(unit=unit).delete()
    path = tmp_path / "export.gml"
    path.write_bytes(gml)
    result = zoning_import(unit=unit, paths=[path])
    assert result.imported and not result.warnings, result.problems
    return ZoningPlan.objects.get(unit=unit)


@pytest.mark.parametrize("version", ["2.0", "3.0"])
def test_a_general_plan_exports_as_app_gml_valid_against_the_schema(tmp_path, version):
    # given the ministry's sample plan imported with its zones and two areas
    plan = _general_plan(tmp_path)

    # when exported
    root = etree.fromstring(app_plan_gml(plan=plan, version=version))

    # then every feature is valid APP of that version: the act, 4 zones, the infill and
    # downtown areas
    app = APP if version == "2.0" else APP_3
    assert etree.QName(root[0][0]).namespace == app.strip("{}")
    assert app_features_invalid(root) == []
    names = [etree.QName(f).localname for member in root for f in member]
    assert names == ["AktPlanowaniaPrzestrzennego", *["StrefaPlanistyczna"] * 4,
                     "ObszarUzupelnieniaZabudowy", "ObszarZabudowySrodmiejskiej"]
    assert root.get("numberReturned") == "7"
    # in the plan's PL-2000 zone, northing first, as the ministry's own files
    act = root[0][0]
    assert act.findtext(f"{app}idIIP/{app}Identyfikator/{app}przestrzenNazw") == (
        "PL.ZIPPZP.1234/121201-POG")
    # the act lists its zones and areas, as the Register's files do
    assert len(act.findall(f"{app}wydzielenie")) == 4
    assert len(act.findall(f"{app}regulacja")) == 2
    surface = act.find(f"{app}zasiegPrzestrzenny")[0]
    assert surface.get("srsName").endswith(f"/{pl2000_zone(plan)}")
    north, east = map(float, surface.findtext(".//{*}posList").split()[:2])
    assert 5_400_000 < north < 6_100_000  # northing first; easting starts with the zone
    assert int(east // 1_000_000) == pl2000_zone(plan) - 2171  # EPSG:2177 is zone 6


@pytest.mark.parametrize("version", ["2.0", "3.0"])
def test_gdal_reads_the_export(tmp_path, version):
    plan = _with_papers(_general_plan(tmp_path))
    path = tmp_path / "plan.gml"
    path.write_bytes(app_plan_gml(plan=plan, srid=2180, version=version))

    done = subprocess.run(["ogrinfo", "-ro", "-al", "-so", str(path)], capture_output=True,
                          text=True, timeout=120, check=False)

    assert done.returncode == 0, done.stderr
    assert "Layer name: StrefaPlanistyczna" in done.stdout
    assert "Feature Count: 4" in done.stdout
    assert "Layer name: AktPlanowaniaPrzestrzennego" in done.stdout
    assert "Layer name: DokumentFormalny" in done.stdout


@pytest.mark.parametrize("version", ["2.0", "3.0"])
def test_the_export_in_epsg_2180_reimports_unchanged(tmp_path, version):
    # given the sample plan with its documents and drawing, and what is stored of it
    plan = _with_papers(_general_plan(tmp_path))
    before, shapes = _snapshot(plan), _shapes(plan)
    assert len(before["documents"]) == 3 and len(before["drawings"]) == 1

    # when exported in EPSG:2180 and imported into the emptied unit
    gml = app_plan_gml(plan=plan, srid=2180, version=version)
    assert app_features_invalid(etree.fromstring(gml)) == []
    again = _reimported(tmp_path, plan, gml)

    # then every stored value and every coordinate are the same
    assert _snapshot(again) == before
    for name, shape in _shapes(again).items():
        assert shape.equals_exact(shapes[name], tolerance=0), name


def test_the_export_in_pl2000_reimports_to_the_millimetre(tmp_path):
    plan = _general_plan(tmp_path)
    before, shapes = _snapshot(plan), _shapes(plan)

    again = _reimported(tmp_path, plan, app_plan_gml(plan=plan))

    assert _snapshot(again) == before
    for name, shape in _shapes(again).items():
        distance = shapely.from_wkb(bytes(shape.wkb)).hausdorff_distance(
            shapely.from_wkb(bytes(shapes[name].wkb)))
        assert distance < 0.001, name


def test_a_local_plan_exports_its_act_with_the_boundary(tmp_path):
    # given a local plan read from a shapefile: an identifier of its own, no IIP namespace
    unit = factories.unit("121201_1", "Gmina Testowa")
    plan = factories.zoning_plan("local", "MPZP-7", u=unit, valid_from="2020-05-01",
                                 legal_status="prawnie wiążący lub realizowany", geom=GEOSGeometry(
                                     "MULTIPOLYGON(((318000 386000, 318100 386000, 318100 386100,"
                                     " 318000 386100, 318000 386000)))", srid=2180))
    plan.refresh_from_db()

    root = etree.fromstring(app_plan_gml(plan=plan, srid=2180))

    assert app_features_invalid(root) == []
    act = root[0][0]
    assert [etree.QName(f).localname for m in root for f in m] == ["AktPlanowaniaPrzestrzennego"]
    assert act.find(f"{APP}typPlanu").get("{http://www.w3.org/1999/xlink}href").endswith(
        "/miejscowyPlanZagospodarowaniaPrzestrzennego")
    assert act.findtext(f"{APP}idIIP/{APP}Identyfikator/{APP}lokalnyId") == "MPZP-7"
    # a plan written without a version starts its version on the day it binds from
    assert act.findtext(f"{APP}poczatekWersjiObiektu") == "2020-05-01T00:00:00Z"
    assert act.findtext(".//{*}posList").startswith("386000.0 318000.0 ")


def test_a_zone_stored_before_profiles_were_kept_exports_its_profile_titles(tmp_path):
    # given a zone whose profiles are known only from its provisions text
    plan = _general_plan(tmp_path)
    zone = plan.zones.order_by("local_id").first()
    titles = [p["title"] for p in zone.profiles if p["kind"] == "profilPodstawowy"]
    ZoningZone.objects.filter(pk=zone.pk).update(profiles=[])

    root = etree.fromstring(app_plan_gml(plan=plan))

    assert app_features_invalid(root) == []
    exported = root[1][0].findall(f"{APP}profilPodstawowy")
    assert [e.get("{http://www.w3.org/1999/xlink}title") for e in exported] == titles


def test_a_plan_missing_what_app_requires_is_refused_naming_it(tmp_path):
    # given a plan whose zones have no date in force and the plan none either
    plan = _general_plan(tmp_path)
    plan.zones.update(valid_from=None)
    ZoningPlan.objects.filter(pk=plan.pk).update(valid_from=None, resolution_date=None)
    plan.refresh_from_db()

    with pytest.raises(Exception) as refused:
        app_plan_gml(plan=plan)

    assert refused.value.status == 409
    assert refused.value.detail["missing"] == "obowiazujeOd"
    assert PlanArea.objects.filter(plan=plan).count() == 2  # nothing changed


def test_the_export_writes_the_documents_drawings_and_legal_nature_as_app_requires(tmp_path):
    # given the plan with its documents, drawing and natures
    plan = _with_papers(_general_plan(tmp_path))

    # when exported in APP 3.0
    root = etree.fromstring(app_plan_gml(plan=plan, version="3.0"))

    # then the act refers to each document in its role and to its drawing
    assert app_features_invalid(root) == []
    act = root[0][0]
    refs = {etree.QName(e).localname: e.get(f"{XLINK}href") for e in act
            if etree.QName(e).localname.startswith(("dokument", "rysunek"))}
    assert refs["dokumentPrzystepujacy"].endswith("/DokumentFormalny/PL.ZIPPZP.1234/"
                                                  "121201-POG/1")
    assert refs["dokumentUchwalajacy"].endswith("/XXIV.300.2026")
    assert refs["dokument"].endswith("/prognoza")
    assert "/RysunekAktuPlanowaniaPrzestrzennego/" in refs["rysunek"]
    features = {f.findtext(f"{APP_3}idIIP/{APP_3}Identyfikator/{APP_3}lokalnyId"): f
                for m in root for f in m}
    # the adopting resolution, with its date as ISO 19139 writes it and its journal
    adopting = features["XXIV.300.2026"]
    assert adopting.findtext(".//{*}Date") == "2026-06-30"
    assert adopting.find(".//{*}CI_DateTypeCode").get("codeListValue") == "publication"
    act_href = act.findtext("{http://www.opengis.net/gml/3.2}identifier").rsplit("/", 1)[0]
    assert adopting.find(f"{APP_3}uchwala").get(f"{XLINK}href") == act_href
    assert [e.text for e in adopting.findall(f"{APP_3}lacze")] == [
        "https://bip.example.pl/uchwaly/300", "https://dziennik.example.pl/2026/5123"]
    drawing = features["RYS-1"]
    assert drawing.findtext(f"{APP_3}rozdzielczoscPrzestrzenna") == "10000"
    assert drawing.findtext(f"{APP_3}obowiazujeOd") == "2026-08-19"
    # each zone's legal nature as stored, not one value for all
    natures = [f.find(f"{APP_3}charakterUstalenia").get(f"{XLINK}title")
               for m in root for f in m if f.find(f"{APP_3}charakterUstalenia") is not None]
    assert natures == ["wiążące tylko dla władz", "ogólnie wiążące", "ogólnie wiążące",
                       "ogólnie wiążące", "ogólnie wiążące", "niewiążące"]


def test_a_draft_without_a_date_in_force_exports_in_3_0_with_its_version_day(tmp_path):
    # given a plan in the making: no date it binds from (3.0 requires the act's); its zones
    # are dated, it has no areas yet
    plan = _general_plan(tmp_path)
    plan.areas.all().delete()
    ZoningPlan.objects.filter(pk=plan.pk).update(valid_from=None)
    plan.refresh_from_db()

    root = etree.fromstring(app_plan_gml(plan=plan, version="3.0"))

    assert app_features_invalid(root) == []
    assert root[0][0].findtext(f"{APP_3}obowiazujeOd") == (
        plan.version_started.astimezone(UTC).date().isoformat())


def test_an_unknown_app_version_is_refused_naming_the_versions(tmp_path):
    plan = _general_plan(tmp_path)

    with pytest.raises(Exception) as refused:
        app_plan_gml(plan=plan, version="4.0")

    assert refused.value.status == 400
    assert refused.value.detail == {"version": "4.0", "allowed": "2.0, 3.0"}


# A social infrastructure standards area as the Register writes one (its standards after
# the plan reference), made of the sample's second zone: its identifier and geometry.
STANDARDS = ("<app:wylaczenieZabudowyZagrodowej>false</app:wylaczenieZabudowyZagrodowej>"
             '<app:odlegloscDoSzkolyPodstawowej uom="m">3000.0</app:odlegloscDoSzkolyPodstawowej>'
             '<app:odlegloscDoObszarowZieleniPublicznej uom="m">1500.0'
             "</app:odlegloscDoObszarowZieleniPublicznej>"
             '<app:powierzchniaLacznaObszarowZieleniPublicznej uom="ha">3.0'
             "</app:powierzchniaLacznaObszarowZieleniPublicznej>"
             '<app:odlegloscDoObszaruZieleniPublicznej uom="m">3000.0'
             "</app:odlegloscDoObszaruZieleniPublicznej>"
             '<app:powierzchniaObszaruZieleniPublicznej uom="ha">20.0'
             "</app:powierzchniaObszaruZieleniPublicznej>"
             '<app:odlegloscDoPrzystanku uom="m">800</app:odlegloscDoPrzystanku>')
OSD = "ObszarStandardowDostepnosciInfrastrukturySpolecznej"


def _social_standards_file(tmp_path, standards: str = STANDARDS):
    text = (SET2 / "StrefaPlanistyczna_OK.gml").read_text(encoding="utf-8")
    feature = FEATURE.findall(text)[1]
    feature = feature[:feature.index("/>", feature.index("<app:plan ")) + 2]
    feature = feature.replace("app:StrefaPlanistyczna", f"app:{OSD}")
    feature = re.sub(r"<app:lokalnyId>[^<]*</app:lokalnyId>",
                     "<app:lokalnyId>OSD-1</app:lokalnyId>", feature)
    feature = re.sub(r"<app:oznaczenie>[^<]*</app:oznaczenie>",
                     "<app:oznaczenie>10OSD</app:oznaczenie>", feature)
    feature = re.sub(r"<app:symbol>[^<]*</app:symbol>", "<app:symbol>OSD</app:symbol>", feature)
    head = text[:text.index("<wfs:member>")]
    path = tmp_path / "OSD.gml"
    path.write_text(f"{head}<wfs:member>{feature}{standards}</app:{OSD}></wfs:member>"
                    "</wfs:FeatureCollection>", encoding="utf-8")
    return path


@pytest.mark.parametrize("version", ["2.0", "3.0"])
def test_a_social_standards_area_exports_its_standards_and_reimports_unchanged(tmp_path,
                                                                              version):
    # given the plan with an area of the social infrastructure standards, read from a file
    unit = factories.unit("121201_1", "Gmina Testowa")
    zoning_import(unit=unit, paths=[SET2 / ACT, SET2 / "StrefaPlanistyczna_OK.gml",
                                    _social_standards_file(tmp_path)])
    plan = ZoningPlan.objects.get(unit=unit)
    area = plan.areas.get()
    assert area.label == "10OSD"
    assert area.standards["odlegloscDoSzkolyPodstawowej"] == {"value": "3000.0", "uom": "m"}
    before, shapes = _snapshot(plan), _shapes(plan)

    # when exported and read back into the emptied unit
    gml = app_plan_gml(plan=plan, srid=2180, version=version)
    root = etree.fromstring(gml)

    # then the area is valid APP with its standards in the schema's order, and comes back
    assert app_features_invalid(root) == []
    written = root[-1][0]
    assert etree.QName(written).localname == OSD
    names = [etree.QName(e).localname for e in written]
    assert names[-7:] == ["wylaczenieZabudowyZagrodowej", "odlegloscDoSzkolyPodstawowej",
                          "odlegloscDoObszarowZieleniPublicznej",
                          "powierzchniaLacznaObszarowZieleniPublicznej",
                          "odlegloscDoObszaruZieleniPublicznej",
                          "powierzchniaObszaruZieleniPublicznej", "odlegloscDoPrzystanku"]
    again = _reimported(tmp_path, plan, gml)
    assert _snapshot(again) == before
    for name, shape in _shapes(again).items():
        assert shape.equals_exact(shapes[name], tolerance=0), name


def test_a_social_standards_area_missing_a_required_standard_is_refused_naming_it(tmp_path):
    from layers.errors import ZoningImportRejected

    unit = factories.unit("121201_1", "Gmina Testowa")
    without_school = re.sub(r"<app:odlegloscDoSzkolyPodstawowej.*?"
                            r"</app:odlegloscDoSzkolyPodstawowej>", "", STANDARDS)
    bad_unit = STANDARDS.replace('uom="ha">3.0', 'uom="">3.0')

    for standards, field in ((without_school, "odlegloscDoSzkolyPodstawowej"),
                             (bad_unit, "powierzchniaLacznaObszarowZieleniPublicznej")):
        with pytest.raises(ZoningImportRejected) as refused:
            zoning_import(unit=unit, paths=[SET2 / ACT, SET2 / "StrefaPlanistyczna_OK.gml",
                                            _social_standards_file(tmp_path, standards)])
        fields = [p.as_dict()["detail"].get("field") for p in refused.value.result.problems]
        assert field in fields
    assert not ZoningPlan.objects.filter(unit=unit).exists()
