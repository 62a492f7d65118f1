"""Import of tax system exports: encodings, separators, decimal commas, XLSX, lenient and
strict modes, line numbers of refused rows, and re-import changing nothing."""
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from cadastre_sync.models import (
    AccountHolder,
    ColumnProfile,
    TaxAccount,
    TaxImport,
    TaxObject,
    Taxpayer,
)
from cadastre_sync.tax.columns import DEFAULT_COLUMNS
from cadastre_sync.tax.importer import TaxImportRejected, tax_records_import
from cadastre_sync.tax.reading import detect_encoding
from cadastre_sync.tax.services import tax_import_job_run
from tests import factories
from tests.tax_factories import pesel

pytestmark = pytest.mark.django_db

HEADER = ("nr_konta;rola;pesel;regon;nip;imie;nazwisko;nazwa;przedmiot;id_dzialki;id_budynku;"
          "kategoria;uzytek;klasa;pow_ha;pow_uzytkowa_m2")
P = "026101_1.0001."


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def lines(*rows: str) -> str:
    return "\r\n".join([HEADER, *rows]) + "\r\n"


def good_rows() -> list[str]:
    return [
        f"K/1;podatnik;{pesel(1)};;;Zdzisław;Żurawski;;grunt;{P}10;;pozostałe;;;0,0900;",
        f"K/1;małżonek;{pesel(2)};;;Grażyna;Żurawska;;;;;;;;;",
        f"K/1;podatnik;{pesel(1)};;;Zdzisław;Żurawski;;budynek;;{P}10.1_BUD;mieszkalny;;;;"
        "123,45",
        f"K/2;podatnik;;;;Józef;Rolnik;;rolny;{P}11;;;R;IIIa;1,2500;",
        "K/3;podatnik;;;5260250995;;;Spółdzielnia Łąka;las;" f"{P}12;;;;;2,5;",
    ]


def write(tmp_path, text: str, encoding: str = "cp1250", name: str = "podatki.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def snapshot() -> dict:
    return {model.__name__: sorted(model.objects.values_list(*fields))
            for model, fields in ((TaxAccount, ("id", "number")),
                                  (Taxpayer, ("id", "ident_key", "surname", "name")),
                                  (AccountHolder, ("id", "role")),
                                  (TaxObject, ("id", "object_key", "area_ha", "floor_area_m2")))}


def test_a_windows_1250_file_with_decimal_commas_and_a_broken_row_imports_leniently(tmp_path):
    unit = factories.unit()
    broken = f"K/4;podatnik;{pesel(3)[:10]}9;;;Zła;Suma;;grunt;{P}13;;pozostałe;;;0,10;"
    path = write(tmp_path, lines(*good_rows()[:2], broken, *good_rows()[2:]))

    result = tax_records_import(unit=unit, path=path, strict=False)

    assert result.detected == {"format": "csv", "encoding": "cp1250", "delimiter": ";"}
    assert [(p.line, p.code) for p in result.problems] == [(4, "pesel_invalid")]
    assert "PESEL check digit" in result.problems[0].message
    assert sorted(TaxAccount.objects.values_list("number", flat=True)) == ["K/1", "K/2", "K/3"]
    land = TaxObject.objects.get(kind="land")
    assert (land.parcel_ref, land.category, land.area_ha) == (f"{P}10", "other", Decimal("0.09"))
    assert TaxObject.objects.get(kind="building").floor_area_m2 == Decimal("123.45")
    farm = TaxObject.objects.get(kind="agricultural")
    assert (farm.land_use, farm.soil_class, farm.area_ha) == ("R", "IIIa", Decimal("1.25"))
    roles = dict(AccountHolder.objects.filter(account__number="K/1").values_list(
        "taxpayer__surname", "role"))
    assert roles == {"Żurawski": "owner", "Żurawska": "spouse"}
    institution = Taxpayer.objects.get(kind="institution")
    assert (institution.name, institution.nip) == ("Spółdzielnia Łąka", "5260250995")


def test_a_windows_1250_letter_far_into_the_file_decides_the_encoding(tmp_path):
    unit = factories.unit()
    plain = [f"K/{n};podatnik;;;;Jan;Nowak;;grunt;{P}{n};;pozostale;;;0,0100;"
             for n in range(100, 1100)]
    path = write(tmp_path, lines(*plain, good_rows()[0]))
    assert path.read_bytes().index("Ż".encode("cp1250")) > 64 * 1024

    result = tax_records_import(unit=unit, path=path)

    assert result.detected["encoding"] == "cp1250" and result.problems == []
    assert Taxpayer.objects.get(pesel=pesel(1)).surname == "Żurawski"
    assert TaxObject.objects.count() == 1001


def test_a_utf8_letter_split_between_blocks_is_still_utf8():
    letter = "ż".encode()

    encoding = detect_encoding([b"nazwisko;" + letter[:1], letter[1:] + b"\r\n"])

    assert encoding == "utf-8"


def test_strict_mode_writes_nothing_when_a_row_is_refused(tmp_path):
    unit = factories.unit()
    broken = f"K/9;podatnik;;;;Jan;Kowalski;;grunt;{P}99;;pozostałe;;;dużo;"
    path = write(tmp_path, lines(*good_rows(), broken))
    before = snapshot()

    with pytest.raises(TaxImportRejected) as rejected:
        tax_records_import(unit=unit, path=path, strict=True)

    assert [(p.line, p.code) for p in rejected.value.problems] == [(7, "number")]
    assert snapshot() == before


def test_reimporting_the_same_records_changes_nothing(tmp_path):
    unit = factories.unit()
    path = write(tmp_path, lines(*good_rows()))
    tax_records_import(unit=unit, path=path)
    before = snapshot()
    # The same records as UTF-8 with a BOM and commas: another file, the same content.
    again = write(tmp_path, "\ufeff" + lines(*good_rows()).replace(";", ",").replace(
        "0,0900", '"0,0900"').replace("123,45", '"123,45"').replace("1,2500", '"1,2500"')
        .replace(",2,5,", ',"2,5",'), "utf-8", "again.csv")

    result = tax_records_import(unit=unit, path=again)

    assert result.detected["encoding"] == "utf-8-sig" and result.detected["delimiter"] == ","
    assert result.counts["objects"] == {"created": 0, "updated": 0, "deleted": 0,
                                        "unchanged": 4}
    assert snapshot() == before


def test_the_same_file_again_is_recognised_by_its_hash(tmp_path):
    unit = factories.unit()
    path = write(tmp_path, lines(*good_rows()))
    tax_import_job_run(unit=unit, path=path, strict=False)
    before = snapshot()

    job, result = tax_import_job_run(unit=unit, path=path, strict=False)

    assert result.unchanged_file and job.status == TaxImport.SUCCEEDED
    assert snapshot() == before


def test_the_same_file_after_fixing_the_profile_is_imported_again(tmp_path):
    unit = factories.unit()
    profile = ColumnProfile.objects.create(unit=unit, name="Gmina", is_default=True,
                                           columns={**DEFAULT_COLUMNS, "area_ha": "powierzchnia"})
    path = write(tmp_path, lines(*good_rows()))
    _job, wrong = tax_import_job_run(unit=unit, path=path, strict=False)
    assert [(p.line, p.code) for p in wrong.problems] == [(2, "missing"), (5, "missing"),
                                                          (6, "missing")]
    ColumnProfile.objects.filter(pk=profile.pk).update(columns=DEFAULT_COLUMNS)

    job, result = tax_import_job_run(unit=unit, path=path, strict=False)

    assert not result.unchanged_file and result.problems == []
    # The building row needs no area: it came in the first time.
    assert result.counts["objects"] == {"created": 3, "updated": 0, "deleted": 0,
                                        "unchanged": 1}
    assert sorted(TaxObject.objects.values_list("kind", flat=True)) == [
        "agricultural", "building", "forest", "land"]


def test_the_same_file_again_in_strict_mode_is_checked_again(tmp_path):
    unit = factories.unit()
    broken = f"K/9;podatnik;;;;Jan;Kowalski;;grunt;{P}99;;pozostałe;;;dużo;"
    path = write(tmp_path, lines(*good_rows(), broken))
    tax_import_job_run(unit=unit, path=path, strict=False)
    before = snapshot()

    job, result = tax_import_job_run(unit=unit, path=path, strict=True)

    assert result is None and job.status == TaxImport.FAILED
    assert [(p["line"], p["code"]) for p in job.report] == [(7, "number")]
    assert snapshot() == before


def test_a_newer_export_updates_and_removes_objects(tmp_path):
    unit = factories.unit()
    tax_records_import(unit=unit, path=write(tmp_path, lines(*good_rows())))
    rows = good_rows()
    rows[0] = rows[0].replace("0,0900", "0,1000")

    result = tax_records_import(unit=unit, path=write(tmp_path, lines(*rows[:4]), name="b.csv"))

    assert result.counts["objects"]["updated"] == 1 and result.counts["objects"]["deleted"] == 1
    assert TaxObject.objects.get(kind="land").area_ha == Decimal("0.1")
    assert not TaxAccount.objects.filter(number="K/3").exists()
    assert not Taxpayer.objects.filter(kind="institution").exists()


def test_an_xlsx_export_imports_like_its_csv(tmp_path):
    unit = factories.unit()
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(";"))
    sheet.append(["K/1", "podatnik", int(pesel(1)), None, None, "Zdzisław", "Żurawski", None,
                  "grunt", f"{P}10", None, "pozostałe", None, None, 0.09, None])
    path = tmp_path / "podatki.xlsx"
    book.save(path)

    result = tax_records_import(unit=unit, path=path)

    assert result.detected["format"] == "xlsx" and result.problems == []
    assert Taxpayer.objects.get().pesel == pesel(1)
    assert TaxObject.objects.get().area_ha == Decimal("0.09")


def test_rows_are_refused_with_their_line_and_reason(tmp_path):
    unit = factories.unit()
    path = write(tmp_path, lines(
        "K/5;podatnik;;;;Jan;Nowak;;grunt;026101_1.0001.;;pozostałe;;;0,1;",
        f"K/6;podatnik;;;;Jan;Nowak;;grunt;{P}20;;;;;0,1;",
        f"K/7;podatnik;;;;Jan;Nowak;;rolny;{P}21;;;B;;0,1;",
        f";podatnik;;;;Jan;Nowak;;grunt;{P}22;;pozostałe;;;0,1;",
        f"K/8;podatnik;;;;Jan;Nowak;;statek;{P}23;;pozostałe;;;0,1;",
        f"K/9;podatnik;;;1234567890;;;Firma;grunt;{P}24;;pozostałe;;;0,1;",
    ))

    result = tax_records_import(unit=unit, path=path)

    assert [(p.line, p.code) for p in result.problems] == [
        (2, "parcel_invalid"), (3, "missing"), (4, "land_use"), (5, "no_account"),
        (6, "object_type_code"), (7, "nip_invalid")]
    assert TaxObject.objects.count() == 0


def test_the_command_reports_refused_rows_and_fails_in_strict_mode(tmp_path, capsys):
    factories.unit()
    broken = f"K/9;podatnik;;;;Jan;Kowalski;;grunt;{P}99;;pozostałe;;;dużo;"
    path = write(tmp_path, lines(*good_rows(), broken))

    with pytest.raises(CommandError, match="not imported, nothing was changed"):
        call_command("import_tax_records", str(path), "--unit", "026101_1", "--strict")

    assert "podatki.csv:7: area_ha" in capsys.readouterr().err
    assert TaxObject.objects.count() == 0
