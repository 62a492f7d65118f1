"""Numbers of the operator's statistics as people read them (Polish formats when Polish)."""
from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def percent(share) -> str:
    """0.4567 -> "45,7%" in Polish; an empty share (nothing to divide) -> "–"."""
    if share is None:
        return "–"
    return f"{floatformat(share * 100, '1g')}%"


@register.filter
def days(value) -> str:
    return "–" if value is None else floatformat(value, "-1g")


@register.filter
def money(value) -> str:
    return "–" if value is None else f"{floatformat(value, '2g')}\u00a0zł"


@register.filter
def count(value) -> str:
    return "–" if value is None else floatformat(value, "g")
