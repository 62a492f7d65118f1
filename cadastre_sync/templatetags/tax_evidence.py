"""A finding's evidence (JSON from the reconciliation) for people: keys and codes through
their labels, numbers and dates in the page's language, lists of records as tables."""
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..tax.rules import EVIDENCE_LABELS, OBJECT_KINDS, RATE_KEYS

register = template.Library()

# Keys inside the evidence's records (beyond the top-level EVIDENCE_LABELS).
RECORD_LABELS = {
    "id": gettext_lazy("no."), "kind": gettext_lazy("kind"),
    "account": gettext_lazy("tax account"), "parcel_id": gettext_lazy("parcel"),
    "matched_by": gettext_lazy("matched by"), "area_ha": gettext_lazy("area [ha]"),
    "conversion_ha": gettext_lazy("conversion hectares"), "tax": gettext_lazy("tax [zł]"),
    "shared_m2": gettext_lazy("shared ground [m²]"),
}
VALUE_LABELS = {
    **{code: re.sub(r"\s*\[[^]]*\]$", "", str(label)) for code, label in RATE_KEYS},
    **dict(OBJECT_KINDS),
    "identifier": gettext_lazy("PESEL or REGON"), "name": gettext_lazy("name"),
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def key_label(key: str) -> str:
    label = EVIDENCE_LABELS.get(key) or RECORD_LABELS.get(key) or VALUE_LABELS.get(key)
    return str(label) if label else key.replace("_", " ")


def scalar(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float | Decimal):
        return number_format(value, use_l10n=True, force_grouping=True)
    text = str(value)
    if text in VALUE_LABELS:
        return str(VALUE_LABELS[text])
    if _ISO_DATE.match(text):
        return date_format(date.fromisoformat(text), "j E Y")
    try:
        return number_format(Decimal(text), use_l10n=True, force_grouping=True)
    except InvalidOperation:
        return text


@register.filter
def evidence(value) -> str:
    """One evidence value as HTML: a record list as a table, a mapping of mappings (e.g.
    per tax class) as a table, a mapping as a list of facts, scalars in words."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return _table([(None, v) for v in value])
    if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
        return _table(list(value.items()))
    if isinstance(value, dict):
        return format_html('<dl class="facts">{}</dl>', format_html_join(
            "", "<dt>{}</dt><dd>{}</dd>", ((key_label(k), evidence(v)) for k, v in value.items())))
    if isinstance(value, list):
        return ", ".join(scalar(v) for v in value) or "–"
    return scalar(value)


def _table(rows: list[tuple[str | None, dict]]) -> str:
    keys = list(dict.fromkeys(k for _name, row in rows for k in row))
    named = any(name is not None for name, _row in rows)
    head = format_html_join("", '<th scope="col">{}</th>', ((key_label(k),) for k in keys))
    body = format_html_join("", "<tr>{}{}</tr>", (
        (format_html('<th scope="row">{}</th>', scalar(name)) if named else "",
         format_html_join("", "<td>{}</td>", ((evidence(row.get(k)),) for k in keys)))
        for name, row in rows))
    corner = mark_safe("<th></th>") if named else ""  # noqa: S308 (a constant)
    return format_html('<div class="table-scroll"><table class="rows evidence-table"><thead>'
                       "<tr>{}{}</tr></thead><tbody>{}</tbody></table></div>", corner, head, body)
