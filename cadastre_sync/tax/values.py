"""Values as municipal tax systems write them: decimal commas, NIP, names to compare."""
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)


def validate_nip(value: str) -> None:
    """NIP: 10 digits, the last a weighted checksum mod 11 (10 is never valid)."""
    digits = re.sub(r"[\s-]", "", value or "")
    if not re.fullmatch(r"\d{10}", digits):
        raise ValidationError(_("NIP must be 10 digits."), code="nip_format")
    check = sum(int(d) * w for d, w in zip(digits, _NIP_WEIGHTS, strict=False)) % 11
    if check == 10 or check != int(digits[9]):
        raise ValidationError(_("NIP check digit does not match."), code="nip_checksum")


def clean_nip(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def parse_decimal(value: str) -> Decimal | None:
    """'1 234,56', '1234.56', '1.234,56' -> Decimal; '' -> None; else ValueError."""
    text = (value or "").strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not number.is_finite():
        raise ValueError(text)
    return number


_NOT_NAME = re.compile(r"[^a-z0-9]+")


def name_key(*parts: str) -> str:
    """Names compared without case, diacritics, punctuation or extra spaces.

    """
    text = " ".join(p for p in parts if p).lower().replace("ł", "l")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_NAME.sub(" ", text).strip()
