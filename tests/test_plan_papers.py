"""A plan's formal documents, drawings and legal natures as APP files give them: read from
the act's references and the documents' own (as the Rejestr urbanistyczny writes APP 3.0),
refused naming the field when a value is not of its code list, and shown in the
administration to the plan's own unit only.

The act and zones are the real set2 sample (../shared/fixtures, read only), put in the
3.0 namespace; the documents file is written here in the Register's form.
"""
from datetime import date

import pytest

from layers.errors import ZoningImportRejected
from layers.models import PlanDocument, PlanDrawing, ZoningPlan
from layers.services import zoning_import
from tests import factories
from tests.conftest import APP_ACT as ACT
from tests.conftest import APP_FIXTURES as FIXTURES
from tests.conftest import APP_SET2 as SET2

pytestmark = [pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not at {FIXTURES}"),
              pytest.mark.django_db]
V2 = "https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/2.0"
V3 = "https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/3.0"
OBJECTS = "https://www.gov.pl/zagospodarowanieprzestrzenne/app"
NAMESPACE = "PL.ZIPPZP.1234/121201-POG"
DATE_TYPES = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml#CI_DateTypeCode"

# Two documents in the Register's form: the one initiating the plan refers to the act
# itself; the adopting one does not, the act refers to it (dokumentUchwalajacy).
DOCUMENTS = f"""<?xml version="1.0" encoding="UTF-8"?>
<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0"
    xmlns:app="{V3}" xmlns:gml="http://www.opengis.net/gml/3.2"
    xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco"
    xmlns:xlink="http://www.w3.org/1999/xlink">
 <wfs:member><app:DokumentFormalny gml:id="PL.ZIPPZP.1234_121201-POG_1">
  <app:idIIP><app:Identyfikator><app:przestrzenNazw>{NAMESPACE}</app:przestrzenNazw>
   <app:lokalnyId>1</app:lokalnyId></app:Identyfikator></app:idIIP>
  <app:tytul>UCHWAŁA NR LIV/923/2024 w sprawie przystąpienia do sporządzenia planu
   ogólnego</app:tytul>
  <app:nazwaSkrocona>POG - przystąpienie</app:nazwaSkrocona>
  <app:data><gmd:CI_Date><gmd:date><gco:Date>2024-04-23</gco:Date></gmd:date>
   <gmd:dateType><gmd:CI_DateTypeCode codeList="{DATE_TYPES}"
    codeListValue="creation">utworzenie</gmd:CI_DateTypeCode></gmd:dateType>
  </gmd:CI_Date></app:data>
  <app:dataWejsciaWZycie>2024-04-23</app:dataWejsciaWZycie>
  <app:lacze>https://bip.example.pl/m,287,plan-ogolny.html</app:lacze>
  <app:przystapienie xlink:href="{OBJECTS}/AktPlanowaniaPrzestrzennego/{NAMESPACE}/1POG"/>
 </app:DokumentFormalny></wfs:member>
 <wfs:member><app:DokumentFormalny gml:id="PL.ZIPPZP.1234_121201-POG_XXIV.300.2026">
  <app:idIIP><app:Identyfikator><app:przestrzenNazw>{NAMESPACE}</app:przestrzenNazw>
   <app:lokalnyId>XXIV.300.2026</app:lokalnyId></app:Identyfikator></app:idIIP>
  <app:tytul>UCHWAŁA NR XXIV/300/2026 w sprawie uchwalenia planu ogólnego</app:tytul>
  <app:data><gmd:CI_Date><gmd:date><gco:Date>2026-06-30</gco:Date></gmd:date>
   <gmd:dateType><gmd:CI_DateTypeCode codeList="{DATE_TYPES}"
    codeListValue="publication">publikacja</gmd:CI_DateTypeCode></gmd:dateType>
  </gmd:CI_Date></app:data>
 </app:DokumentFormalny></wfs:member>
 <wfs:member><app:RysunekAktuPlanowaniaPrzestrzennego gml:id="PL.ZIPPZP.1234_121201-POG_RYS">
  <app:idIIP><app:Identyfikator><app:przestrzenNazw>{NAMESPACE}</app:przestrzenNazw>
   <app:lokalnyId>RYS</app:lokalnyId></app:Identyfikator></app:idIIP>
  <app:poczatekWersjiObiektu>2025-07-31T13:56:28Z</app:poczatekWersjiObiektu>
  <app:tytul>Rysunek planu ogólnego</app:tytul>
  <app:lacze>https://bip.example.pl/pog.tif</app:lacze>
  <app:ukladOdniesieniaPrzestrzennego>EPSG:2178</app:ukladOdniesieniaPrzestrzennego>
  <app:rozdzielczoscPrzestrzenna>10000</app:rozdzielczoscPrzestrzenna>
  <app:obowiazujeOd>2025-08-15</app:obowiazujeOd>
  <app:plan xlink:href="{OBJECTS}/AktPlanowaniaPrzestrzennego/{NAMESPACE}/1POG"/>
 </app:RysunekAktuPlanowaniaPrzestrzennego></wfs:member>
</wfs:FeatureCollection>
"""
ADOPTING_REF = (f'<app:dokumentUchwalajacy xlink:href="{OBJECTS}/DokumentFormalny/'
                f'{NAMESPACE}/XXIV.300.2026"/>')


def _files(tmp_path, *, nature: str | None = None) -> list:
    act = (SET2 / ACT).read_text(encoding="utf-8").replace(V2, V3)
    act = act.replace("</app:zasiegPrzestrzenny>", "</app:zasiegPrzestrzenny>" + ADOPTING_REF)
    zones = (SET2 / "StrefaPlanistyczna_OK.gml").read_text(encoding="utf-8").replace(V2, V3)
    if nature:
        zones = zones.replace("RegulationNatureValue/generallyBinding",
                              f"RegulationNatureValue/{nature}", 1)
    paths = []
    for name, text in (("akt.gml", act), ("strefy.gml", zones), ("dokumenty.gml", DOCUMENTS)):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def test_documents_and_drawings_of_a_register_file_are_read_with_their_roles(tmp_path):
    # given the plan's act, zones, two documents and a drawing in the Register's 3.0 form
    unit = factories.unit("121201_1", "Gmina Testowa")

    # when imported
    result = zoning_import(unit=unit, paths=_files(tmp_path))

    # then nothing is skipped, and each document has its role: its own reference to the act,
    # else the act's reference to it
    assert result.imported and not result.warnings, result.problems
    plan = ZoningPlan.objects.get(unit=unit)
    documents = {d.local_id: d for d in PlanDocument.objects.filter(plan=plan)}
    assert documents["1"].role == PlanDocument.INITIATING
    assert documents["1"].date == date(2024, 4, 23)
    assert documents["1"].links == ["https://bip.example.pl/m,287,plan-ogolny.html"]
    assert documents["XXIV.300.2026"].role == PlanDocument.ADOPTING
    assert documents["XXIV.300.2026"].date_type == "publication"
    (drawing,) = PlanDrawing.objects.filter(plan=plan)
    assert (drawing.url, drawing.crs, drawing.resolution) == (
        "https://bip.example.pl/pog.tif", "EPSG:2178", 10_000)
    assert set(plan.zones.values_list("regulation_nature", flat=True)) == {"generallyBinding"}


def test_a_legal_nature_not_in_the_code_list_is_refused_naming_it(tmp_path):
    unit = factories.unit("121201_1", "Gmina Testowa")

    with pytest.raises(ZoningImportRejected) as refused:
        zoning_import(unit=unit, paths=_files(tmp_path, nature="mostlyBinding"))

    (problem,) = [p.as_dict() for p in refused.value.result.problems
                  if p.code == "bad_value"]
    assert problem["detail"]["field"] == "charakterUstalenia"
    assert problem["detail"]["value"].endswith("/mostlyBinding")
    assert problem["file"] == "strefy.gml" and problem["line"]
    assert not ZoningPlan.objects.filter(unit=unit).exists()


def test_a_plan_from_another_format_keeps_the_documents_entered_for_it(tmp_path):
    # given a local plan whose resolution was entered in the administration
    unit = factories.unit("121201_1", "Gmina Testowa")
    plan = factories.zoning_plan("local", "MPZP-7", u=unit, valid_from="2020-05-01")
    PlanDocument.objects.create(plan=plan, local_id="XII.34.2020", role=PlanDocument.ADOPTING,
                                title="Uchwała nr XII/34/2020", date=date(2020, 4, 2))

    # when its designated areas are written again by an import that holds no documents
    from layers.zoning_import.parsed import ParsedPlan
    from layers.zoning_import.write import _papers_write

    _papers_write(plan, ParsedPlan(identifier="MPZP-7", name="MPZP", kind="local", file="x",
                                   line=None))

    # then the entered resolution stays
    assert PlanDocument.objects.filter(plan=plan).count() == 1


def test_documents_and_drawings_are_shown_in_the_admin_to_their_unit_only(client, tmp_path):
    # given the plan's documents, its unit's administrator and another unit's
    unit = factories.unit("121201_1", "Gmina Testowa")
    zoning_import(unit=unit, paths=_files(tmp_path))
    ours = factories.staff(unit, "unit_admin")
    theirs = factories.staff(factories.unit("026201_1", "Chojnów"), "unit_admin")
    resident = factories.user("resident1")
    for person in (ours, theirs):
        person.is_staff = True
        person.save()
    document = PlanDocument.objects.get(local_id="XXIV.300.2026")

    # then the unit's administrator sees and opens them, the other unit's does not
    client.force_login(ours)
    assert "XXIV/300/2026" in client.get("/admin/layers/plandocument/").content.decode()
    assert "Rysunek planu" in client.get("/admin/layers/plandrawing/").content.decode()
    assert client.get(f"/admin/layers/plandocument/{document.pk}/change/").status_code == 200
    client.force_login(theirs)
    listed = client.get("/admin/layers/plandocument/")
    assert listed.status_code == 200 and "XXIV/300/2026" not in listed.content.decode()
    assert "Rysunek planu" not in client.get("/admin/layers/plandrawing/").content.decode()
    assert client.get(f"/admin/layers/plandocument/{document.pk}/change/").status_code in {
        302, 403, 404}
    # and a resident or anonymous are sent to log in
    client.force_login(resident)
    assert client.get("/admin/layers/plandocument/").status_code == 302
    client.logout()
    assert client.get("/admin/layers/plandrawing/").status_code == 302


def test_the_demo_plans_name_their_adopting_resolution_in_a_valid_app_file():
    # given the demo gmina (a small one)
    import io

    from django.core.management import call_command
    from lxml import etree

    from layers.app_export import app_plan_gml
    from tests.app_schema import app_features_invalid

    call_command("demo_data", "--unit", "026101_1", "--parcels", "300", stdout=io.StringIO())

    for plan in ZoningPlan.objects.filter(unit__teryt="026101_1"):
        # then each plan's APP 3.0 file is valid and its act names the adopting resolution
        root = etree.fromstring(app_plan_gml(plan=plan, version="3.0"))
        assert app_features_invalid(root) == []
        act = root[0][0]
        adopting = act.find("{*}dokumentUchwalajacy").get("{http://www.w3.org/1999/xlink}href")
        assert adopting.endswith("/" + plan.resolution_number.replace("/", "."))
        (document,) = plan.documents.all()
        assert document.number == plan.resolution_number
        assert document.in_force_from == plan.valid_from
