"""Zone symbols with their names and the conventional planning colours.

General plan (plan ogólny, 2023 reform) planning zones: the closed list of the
planning act art. 13f; local plan (MPZP) designations: the usual symbols, which
vary by plan, so local symbols not listed here are accepted and drawn grey.
Colours follow the customary planning palette (verify against the regulation's
annex on the general plan's graphic form).
"""
from django.utils.translation import gettext_lazy as _

GENERAL_PLAN_ZONES = {
    "SW": (_("multi-function zone with multi-family housing"), "#c8641e"),
    "SJ": (_("multi-function zone with single-family housing"), "#f5a64c"),
    "SZ": (_("farmstead zone"), "#d9b36c"),
    "SU": (_("services zone"), "#e53935"),
    "SH": (_("large retail zone"), "#8e24aa"),
    "SP": (_("economic and production zone"), "#8d8d8d"),
    "SR": (_("agricultural production zone"), "#e4e49b"),
    "SI": (_("infrastructure zone"), "#64b5f6"),
    "SN": (_("green and recreation zone"), "#66bb6a"),
    "SC": (_("cemetery zone"), "#2e7d32"),
    "SG": (_("mining zone"), "#6d4c41"),
    "SO": (_("open areas zone"), "#c5e1a5"),
    "SK": (_("transport zone"), "#bdbdbd"),
}

LOCAL_PLAN_DESIGNATIONS = {
    "MN": (_("single-family housing"), "#f5c77e"),
    "MW": (_("multi-family housing"), "#c8641e"),
    "U": (_("services"), "#e53935"),
    "P": (_("production"), "#8d8d8d"),
    "R": (_("agriculture"), "#e4e49b"),
    "ZL": (_("forest"), "#2e7d32"),
    "ZP": (_("public green"), "#66bb6a"),
    "KD": (_("public roads"), "#d6d6d6"),
}
UNKNOWN_COLOUR = "#b0b0b0"
