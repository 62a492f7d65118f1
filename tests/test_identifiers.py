import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cadastre_sync.identifiers import (
    parse_parcel_id,
    validate_land_register_number,
    validate_pesel,
    validate_regon,
)
from core.identifiers import LEVEL_GMINA, LEVEL_POWIAT, LEVEL_VOIVODESHIP, parse_teryt


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in the source language; Polish is checked separately below."""
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("raw", "code", "level"),
    [
        ("026101_1", "026101_1", LEVEL_GMINA),  # Legnica, urban gmina
        ("0261011", "026101_1", LEVEL_GMINA),  # TERC written without the underscore
        ("061304_5", "061304_5", LEVEL_GMINA),  # rural area of an urban-rural gmina
        ("146501_8", "146501_8", LEVEL_GMINA),  # a district of Warsaw
        (" 0261 ", "0261", LEVEL_POWIAT),
        ("02", "02", LEVEL_VOIVODESHIP),
        ("32", "32", LEVEL_VOIVODESHIP),
    ],
)
def test_valid_teryt_codes_are_normalised(raw, code, level):
    teryt = parse_teryt(raw)

    assert (teryt.code, teryt.level) == (code, level)


@pytest.mark.parametrize(
    ("raw", "error_code", "fragment"),
    [
        ("026101_6", "teryt_type", "6 is not a gmina type digit"),
        ("026101_0", "teryt_type", "0 is not a gmina type digit"),
        ("036101_1", "teryt_voivodeship", "03 is not a voivodeship code"),
        ("34", "teryt_voivodeship", "34 is not a voivodeship code"),
        ("020001_1", "teryt_zero", "powiat number cannot be 00"),
        ("026100_1", "teryt_zero", "gmina number cannot be 00"),
        ("026201_8", "teryt_type", "type 8 is used only for the districts of Warsaw"),
        ("02610_1", "teryt_format", "is not a TERYT code"),
        ("Legnica", "teryt_format", "is not a TERYT code"),
        ("", "teryt_format", "is not a TERYT code"),
    ],
)
def test_invalid_teryt_codes_say_why(raw, error_code, fragment):
    with pytest.raises(ValidationError) as caught:
        parse_teryt(raw)

    assert caught.value.code == error_code
    assert fragment in caught.value.messages[0]


@pytest.mark.parametrize(
    ("raw", "precinct", "number", "sheet"),
    [
        ("061304_5.0012.809/1", "0012", "809/1", None),  # from a vendor export (domain.md)
        ("026101_1.0001.123", "0001", "123", None),
        ("026101_1.0001.AR_12.123/4", "0001", "123/4", "AR_12"),
    ],
)
def test_valid_parcel_ids(raw, precinct, number, sheet):
    parsed = parse_parcel_id(raw)

    assert (parsed.precinct, parsed.number, parsed.sheet) == (precinct, number, sheet)
    assert str(parsed) == raw


@pytest.mark.parametrize(
    ("raw", "error_code", "fragment"),
    [
        ("026101_1.001.123", "parcel_precinct", "precinct (obręb) number must be 4 digits"),
        ("026101_1.0000.123", "parcel_precinct", "precinct (obręb) number must be 4 digits"),
        ("026101_1.0001.12a", "parcel_number", "whole number or a fraction"),
        ("026101_1.0001.0/4", "parcel_number", "whole number or a fraction"),
        ("026101_1.0001.123/", "parcel_number", "whole number or a fraction"),
        ("026101_1.0001.A12.5", "parcel_sheet", "map sheet must be written AR_N"),
        ("026101_7.0001.5", "parcel_teryt", "7 is not a gmina type digit"),
        ("0261.0001.5", "parcel_teryt", "must be a gmina code"),
        ("026101_1-0001-5", "parcel_parts", "3 or 4 parts"),
        ("026101_1.0001", "parcel_parts", "3 or 4 parts"),
    ],
)
def test_invalid_parcel_ids_say_why(raw, error_code, fragment):
    with pytest.raises(ValidationError) as caught:
        parse_parcel_id(raw)

    assert caught.value.code == error_code
    message = caught.value.messages[0]
    assert raw in message and fragment in message


def test_pesel_checksum():
    validate_pesel("44051401359")
    with pytest.raises(ValidationError, match="check digit"):
        validate_pesel("44051401358")
    with pytest.raises(ValidationError, match="11 digits"):
        validate_pesel("4405140135")


def test_regon_checksum_for_9_and_14_digits():
    validate_regon("123456785")
    validate_regon("12345678512347")
    with pytest.raises(ValidationError, match="check digit"):
        validate_regon("123456786")
    with pytest.raises(ValidationError, match="9 or 14 digits"):
        validate_regon("1234567")


def test_land_register_number_shape():
    validate_land_register_number("LE1L/00012345/6")
    with pytest.raises(ValidationError, match="LE1L/00012345/6"):
        validate_land_register_number("LE1L/12345/6")


def test_errors_are_polish_by_default():
    with translation.override("pl"):
        with pytest.raises(ValidationError) as caught:
            parse_parcel_id("026101_1.001.123")

        # Messages are lazy: they are read in the language active when shown.
        assert caught.value.messages[0].startswith("Identyfikator działki „026101_1.001.123”")
