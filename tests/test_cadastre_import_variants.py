"""Odd but real variants of county files, and the report a Polish office reads.

Variants are made from the team's fixtures in a temporary folder: another namespace
prefix, single-quoted namespace declarations, CRLF line ends, Windows-1250 SWDE without a
byte-order mark, a GML 2015 export without IIP identifiers, a placeholder building id on
an object with an IIP identifier (flagged, or refused under --strict).
"""
import csv
import io
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from cadastre_sync.errors import ImportRejected
from cadastre_sync.models import Building, CadastreImport, Parcel, Precinct
from cadastre_sync.services import cadastre_import
from tests import factories

FIXTURES = Path(__file__).parent / "fixtures" / "cadastre"
REAL = FIXTURES / "real"
GML_2021 = FIXTURES / "egib2021_legnica.gml"
GML_2015 = FIXTURES / "egib2015_legnica.gml"
SWDE = REAL / "swde_utf8.swd"
PLACEHOLDER = "026101_1.0001.0"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def variant(tmp_path: Path, source: Path, name: str, change) -> Path:
    target = tmp_path / name
    target.write_bytes(change(source.read_bytes()))
    return target


def current_parcel_ids() -> list[str]:
    return sorted(Parcel.objects.filter(retired_at__isnull=True)
                  .values_list("parcel_id", flat=True))


def codes(problems) -> dict[str, int]:
    found: dict[str, int] = {}
    for problem in problems:
        found[problem.code] = found.get(problem.code, 0) + 1
    return found


# -- a placeholder building id on an object with an IIP identifier ---------------------

def placeholder_building(data: bytes) -> bytes:
    return data.replace(b"026101_1.0001.1.1_BUD", PLACEHOLDER.encode(), 1)


def test_a_placeholder_building_id_with_an_iip_identifier_is_imported_and_flagged(tmp_path):
    path = variant(tmp_path, GML_2021, "placeholder.gml", placeholder_building)

    result = cadastre_import(unit=factories.unit(), path=path)

    assert result.errors == 0 and codes(result.problems)["malformed_building_id"] == 1
    (flag,) = [p for p in result.problems if p.code == "malformed_building_id"]
    assert (flag.severity, flag.object_id, flag.kind) == ("warning", PLACEHOLDER, "building")
    assert flag.line > 1 and flag.feature_id
    assert Building.objects.filter(building_id=PLACEHOLDER).count() == 1


def test_strict_refuses_a_placeholder_building_id_even_with_an_iip_identifier(tmp_path):
    path = variant(tmp_path, GML_2021, "placeholder.gml", placeholder_building)

    with pytest.raises(ImportRejected) as caught:
        cadastre_import(unit=factories.unit(), path=path, strict=True)

    (error,) = [p for p in caught.value.problems if p.severity == "error"]
    assert (error.code, error.severity, error.object_id) == (
        "malformed_building_id", "error", PLACEHOLDER)
    assert not Parcel.objects.exists() and not Building.objects.exists()
    assert not Precinct.objects.exists()


# -- odd but real spellings of the same file ---------------------------------------------

def other_prefixes(data: bytes) -> bytes:
    """`ewid:` for the EGiB namespace and `gml32:` for GML, as another vendor writes them."""
    data = data.replace(b"xmlns:egb=", b"xmlns:ewid=").replace(b"xmlns:gml=", b"xmlns:gml32=")
    data = re.sub(rb"(</?)egb:", rb"\1ewid:", data)
    return re.sub(rb"(</?|\s)gml:", rb"\1gml32:", data)


def single_quotes(data: bytes) -> bytes:
    return re.sub(rb'xmlns(:\w+)?="([^"]*)"', rb"xmlns\1='\2'", data)


def crlf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def default_namespace(data: bytes) -> bytes:
    """The EGiB namespace as the default one: EGiB elements without a prefix."""
    data = data.replace(b"xmlns:egb=", b"xmlns=")
    return re.sub(rb"(</?)egb:", rb"\1", data)


def byte_order_mark(data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data


def windows_1250(data: bytes) -> bytes:
    """Declared and written in Windows-1250, as some Windows tools still save GML."""
    text = data.decode("utf-8").replace('encoding="UTF-8"', 'encoding="windows-1250"', 1)
    return text.encode("cp1250")


@pytest.mark.parametrize("change", [other_prefixes, single_quotes, crlf, default_namespace,
                                    byte_order_mark, windows_1250])
def test_a_gml_export_spelled_differently_imports_the_same(tmp_path, change):
    unit = factories.unit()
    expected = cadastre_import(unit=unit, path=GML_2021)
    expected_parcels = current_parcel_ids()
    Parcel.objects.all().delete()
    Building.objects.all().delete()
    Precinct.objects.all().delete()
    path = variant(tmp_path, GML_2021, "variant.gml", change)
    assert path.read_bytes() != GML_2021.read_bytes()

    result = cadastre_import(unit=unit, path=path)

    assert (result.format, result.errors, result.warnings) == ("egib2021", 0, expected.warnings)
    assert current_parcel_ids() == expected_parcels
    assert result.counts["parcel"].created == expected.counts["parcel"].created
    assert result.counts["building"].created == expected.counts["building"].created
    if change is crlf:  # lines are still counted right
        assert [p.line for p in result.problems] == [p.line for p in expected.problems]


def test_a_gml_3_1_export_is_refused_saying_which_gml_namespace_it_lacks(tmp_path):
    path = variant(tmp_path, GML_2021, "gml31.gml", lambda data: data.replace(
        b"http://www.opengis.net/gml/3.2", b"http://www.opengis.net/gml"))

    with pytest.raises(ImportRejected) as caught:
        cadastre_import(unit=factories.unit(), path=path)

    (error,) = caught.value.problems
    assert (error.code, error.line) == ("unknown_namespace", 1)
    assert "http://www.opengis.net/gml/3.2" in error.message
    assert "http://www.opengis.net/gml," in error.message
    assert not Parcel.objects.exists()


def ascii_megabyte() -> bytes:
    """More than the megabyte the encoding is guessed from, all ASCII (addresses)."""
    return b"".join(b'RD,G5ADR,"A%d"\nD,G5NAZ,"Kwiatowa %d"\n' % (n, n) for n in range(40_000))


@pytest.mark.parametrize(("name", "change"), [
    ("cp1250.swd", lambda data: data.decode("utf-8").encode("cp1250")),
    ("cp1250_crlf.swd", lambda data: crlf(data.decode("utf-8").encode("cp1250"))),
    ("utf8_crlf.swd", crlf),
    ("utf8_late.swd", lambda data: ascii_megabyte() + data),
    ("cp1250_late.swd", lambda data: ascii_megabyte() + data.decode("utf-8").encode("cp1250")),
])
def test_a_swde_file_in_windows_1250_or_with_crlf_is_read(tmp_path, name, change):
    path = variant(tmp_path, SWDE, name, change)

    result = cadastre_import(unit=factories.unit(), path=path)

    assert (result.format, result.errors, result.warnings) == ("swde", 0, 0)
    assert Precinct.objects.get(number="0007").name == "Śródmieście Północ"
    assert Parcel.objects.get().parcel_id == "026101_1.0007.71"


def without_iip(data: bytes) -> bytes:
    """A 2015 export whose objects carry no IIP identifier (its links, which name IIP
    identifiers, then lead nowhere)."""
    data = re.sub(rb"<gml:identifier[^>]*>[^<]*</gml:identifier>\s*", b"", data)
    return re.sub(rb"<(\w+):idIIP>.*?</\1:idIIP>\s*", b"", data, flags=re.DOTALL)


def test_a_gml_2015_export_without_iip_identifiers_is_matched_by_parcel_id(tmp_path):
    unit = factories.unit()
    path = variant(tmp_path, GML_2015, "no_iip.gml", without_iip)
    assert b"idIIP" not in path.read_bytes()

    first = cadastre_import(unit=unit, path=path)
    again = cadastre_import(unit=unit, path=path)

    assert first.format == "egib2015" and first.errors == 0
    # the links name IIP identifiers the file no longer has: each is named, none is guessed
    assert {p.code for p in first.problems} <= {"unresolved_link", "area_mismatch"}
    assert first.counts["parcel"].created == len(current_parcel_ids()) > 0
    assert set(Parcel.objects.values_list("egib_local_id", flat=True)) == {""}
    assert again.counts["parcel"].unchanged == first.counts["parcel"].created
    assert again.counts["parcel"].created == again.counts["parcel"].updated == 0


# -- the report, in Polish ---------------------------------------------------------------

# English words that would betray an untranslated sentence (whole words, any case).
ENGLISH = re.compile(
    r"\b(the|is|not|of|and|has|have|no|with|file|parcels?|buildings?|imported|appears|times|"
    r"version|current|drawn|registered|exceeds|links?|leads?|outside|invalid|repaired|"
    r"geometry|created|updated|retired|unchanged|rejected|errors?|warnings?|skipped|job|"
    r"line|missing|unknown|number|area|date|share|owner|none|true|false)\b", re.IGNORECASE)
# What Python leaves behind when it prints an object instead of a sentence.
REPR = re.compile(r"[{\[]'|'[}\]]|Decimal\(|\bNone\b|<\w+ object|\\n|\\u")


SWDE_DEFECTS = ('XY,"nieznany wiersz"\nRO,G5BUD,"B1",2009-04-17 10:20:00\n'
                'D,G5IDB,"026101_1.0007.0"\nRO,G5DZE,"DZ72",zła data\n'
                'D,G5IDD,"026101_1.0007.72"\nD,G5PEW,"0.01"\nD,G5NKW,"XX/1"\nWG,1,2\nWG,1,3\n')


def swde_with_defects(data: bytes) -> bytes:
    """A placeholder building id (no IIP identifier in SWDE), an unclosed outline, a bad
    date, KW number and area, a line kind the format does not have."""
    text = data.decode("utf-8").replace('D,G5PEW,"0.0900"', 'D,G5PEW,"dużo"', 1)
    return (text + SWDE_DEFECTS).encode("utf-8")


def test_a_swde_file_with_faulty_objects_imports_the_rest_and_strict_refuses_it(tmp_path):
    unit = factories.unit()
    path = variant(tmp_path, SWDE, "wadliwy.swd",
                   lambda data: (data.decode("utf-8") + SWDE_DEFECTS).encode("utf-8"))

    with pytest.raises(ImportRejected) as caught:
        cadastre_import(unit=unit, path=path, strict=True)
    assert not Precinct.objects.exists() and not Parcel.objects.exists()
    result = cadastre_import(unit=unit, path=path)

    assert sorted(p.code for p in caught.value.problems if p.severity == "error") == [
        "bad_geometry", "malformed_building_id"]
    assert (result.counts["parcel"].created, result.counts["parcel"].rejected) == (1, 1)
    assert result.counts["building"].rejected == 1 and not Building.objects.exists()
    assert current_parcel_ids() == ["026101_1.0007.71"]
    assert codes(result.problems) == {"bad_geometry": 1, "malformed_building_id": 1,
                                      "swde_line": 1, "bad_kw": 1, "bad_date": 1}


def command_text(path: Path, **options) -> str:
    out, err = StringIO(), StringIO()
    try:
        call_command("import_cadastre", str(path), unit="026101_1", stdout=out, stderr=err,
                     **options)
    except CommandError as exc:
        err.write(str(exc))
    return out.getvalue() + err.getvalue()


def untranslated(text: str) -> list[str]:
    """Lines of `text` with an English word or a Python repr, identifiers set aside."""
    bad = []
    for line in text.splitlines():
        # File names, gml:ids, object ids and syntax (area=POLE) are not sentences.
        words = re.sub(r"\S+\.(gml|swd|geojson)\b|gml:id=\S+|\([\w./_-]+\)|\S*[_=]\S*", "",
                       line)
        if ENGLISH.search(words) or REPR.search(line):
            bad.append(line)
    return bad


def test_every_report_of_the_defect_fixtures_is_polish(tmp_path, client):
    factories.unit()
    client.force_login(factories.user(is_staff=True, is_superuser=True))
    files = [REAL / "egib2021_vendor.gml", REAL / "swde_documents_only.swd",
             REAL / "swde_other_unit.swd", FIXTURES / "bad_truncated.gml",
             FIXTURES / "bad_namespace.gml", FIXTURES / "bad_not_xml.gml",
             FIXTURES / "bad_swapped_axes.gml", FIXTURES / "invalid_bowtie.gml",
             variant(tmp_path, SWDE, "wadliwy.swd", swde_with_defects)]

    with translation.override("pl"):
        printed = [command_text(path) for path in files]
        printed.append(command_text(REAL / "egib2021_vendor.gml", strict=True))
        printed.append(command_text(FIXTURES / "ogr_dzialki_2180.geojson", format="ogr",
                                    map="parcel_id=NUMER"))
        pages, downloads = [], []
        for job in CadastreImport.objects.order_by("pk"):
            page = client.get(reverse("admin:cadastre_sync_cadastreimport_change",
                                      args=[job.pk])).content.decode()
            pages.append(re.search(r"<pre>(.*?)</pre>", page, re.DOTALL).group(1))
            assert "{&quot;" not in page and "[&quot;" not in page  # no JSON as kept
            download = client.get(reverse("admin:cadastre_sync_cadastreimport_report_csv",
                                          args=[job.pk]))
            downloads.append(download.content.decode("utf-8-sig"))

    assert len(pages) == len(files) + 2
    report = "\n".join(printed + pages)
    assert untranslated(report) == []
    rows = [row for text in downloads
            for row in csv.reader(io.StringIO(text), delimiter=";")]
    assert rows[0][:3] == ["waga", "kod", "problem"]
    # every column a person reads (all but the code, the file and the ids)
    readable = "\n".join(";".join((r[0], r[2], r[3], r[8])) for r in rows if r[1] != "kod")
    assert untranslated(readable) == []
    # every kind of problem the fixtures hold was met (the test is not vacuous)
    seen = {r[1] for r in rows}
    assert {"malformed_building_id", "duplicate_building_id", "unknown_kst", "area_mismatch",
            "unresolved_link", "outside_poland", "invalid_geometry", "no_parcels", "other_unit",
            "xml_syntax", "unknown_namespace", "unknown_format", "bad_number", "swde_line",
            "bad_kw", "bad_date", "bad_geometry", "ogr_mapping"} <= seen


def test_a_stored_report_is_shown_in_the_readers_language():
    factories.unit()
    with translation.override("pl"):
        command_text(REAL / "egib2021_vendor.gml")
    job = CadastreImport.objects.get()
    stored = [p for p in job.report if p["code"] == "malformed_building_id"][0]

    from core.problems import ImportProblem
    problem = ImportProblem.from_dict(stored)
    with translation.override("en"):
        english = problem.text

    assert stored["message"].startswith("identyfikator budynku „026101_1.0005.0”")
    assert english.startswith("building id “026101_1.0005.0” is not of the form")


# -- the import's fixed rules, with their sources ---------------------------------------

def test_the_imports_tolerance_and_kst_tables_are_listed_with_their_sources_unverified():
    from datetime import date

    from core.models import AdministrativeUnit
    from core.rules import rules_in_force

    rows = [r for r in rules_in_force(on=date(2026, 12, 1),
                                      units=AdministrativeUnit.objects.all())
            if r.name.startswith("cadastre import:")]

    by_name = {r.name.split(": ", 1)[1]: r for r in rows}
    assert set(by_name) == {"tolerance of the drawn against the registered area",
                            "KŚT building kind codes 101-110", "KŚT building kind letters"}
    assert not any(r.verified for r in rows)  # shown as NOT VERIFIED until someone reads them
    assert "Dz.U. 2021 poz. 1390" in by_name["tolerance of the drawn against the registered "
                                             "area"].source
    assert "Dz.U. 2016 poz. 1864" in by_name["KŚT building kind codes 101-110"].source
    assert "110 → 1110" in by_name["KŚT building kind codes 101-110"].value
    assert "m → 110" in by_name["KŚT building kind letters"].value
