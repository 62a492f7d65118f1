"""How values are shown to people: money, parcels, counts. Templates load them with
`{% load present %}`; nothing raw (a Decimal with a dot, a parcel identifier) reaches a page
when a filter from here is used."""
from decimal import Decimal, InvalidOperation

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def money(value) -> str:
    """72807.99 -> "72 807,99 zł" (grouped and with the decimal sign of the active
    language); empty for None."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{floatformat(amount, '2g')}\u00a0zł"


def parcel_text(parcel) -> str:
    """"Dobrzejów, dz. 12/3": the precinct's name and the parcel's number."""
    precinct = getattr(parcel, "precinct", None)
    if precinct is None or not getattr(precinct, "name", ""):
        return _("plot %(number)s") % {"number": parcel.number}
    return _("%(precinct)s, plot %(number)s") % {"precinct": precinct.name,
                                                 "number": parcel.number}


@register.filter
def parcel(value) -> str:
    """A parcel (or a case's link to one) for people: "Dobrzejów, dz. 12/3", with its
    identifier on hover and in a data attribute for copying. A link whose parcel has gone
    keeps its identifier as text."""
    target = getattr(value, "parcel", value)
    ident = getattr(value, "parcel_ident", None) or getattr(target, "parcel_id", "")
    if target is None or not hasattr(target, "number"):
        return format_html('<span class="parcel-ref" data-parcel-id="{}">{}</span>', ident,
                           ident)
    return format_html('<span class="parcel-ref" title="{}" data-parcel-id="{}">{}</span>',
                       _("Parcel id %(id)s") % {"id": ident}, ident, parcel_text(target))


@register.filter
def parcels(values) -> str:
    """Several parcels, separated by semicolons."""
    return format_html_join("; ", "{}", ((parcel(v),) for v in values))


@register.filter
def parcel_id(ident: str, precinct_names: dict | None = None) -> str:
    """A parcel known only by its id ("026101_1.0001.12/3") for people, with the unit's
    precinct names ({"0001": "Centrum"}): "Centrum, dz. 12/3", the id on hover."""
    parts = (ident or "").split(".")
    if len(parts) != 3:
        return format_html("<code>{}</code>", ident)
    name = (precinct_names or {}).get(parts[1], "")
    text = (_("%(precinct)s, plot %(number)s") % {"precinct": name, "number": parts[2]}
            if name else _("plot %(number)s") % {"number": parts[2]})
    return format_html('<span class="parcel-ref" title="{}" data-parcel-id="{}">{}</span>',
                       _("Parcel id %(id)s") % {"id": ident}, ident, text)
