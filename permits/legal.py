"""The permits' dated legal rules (core.LegalRule): keys, labels and the seeded rows.

Terms in months are counted as KPA art. 57 § 3 counts them (permits/deadlines.py); a
kind's deadline names its rule key, so a change of the act is a new dated row, not code.
"""
from django.utils.translation import gettext_lazy as _

KPA = "ustawa z dnia 14 czerwca 1960 r. Kodeks postępowania administracyjnego"
UOP = "ustawa z dnia 16 kwietnia 2004 r. o ochronie przyrody"
UOP_JOURNAL = "Dz.U. 2023 poz. 1336 (t.j.)"

DECISION_MONTHS = "kpa.decision_months"
COMPLICATED_DECISION_MONTHS = "kpa.complicated_decision_months"
SHRUB_FREE_M2 = "trees.shrub_free_m2"
FEE_DEFERRAL_YEARS = "trees.fee_deferral_years"
INSPECTION_DAYS = "trees.notification_inspection_days"
OBJECTION_DAYS = "trees.notification_objection_days"
REMOVAL_MONTHS = "trees.notification_removal_months"

LABELS = {
    DECISION_MONTHS: _("decision term [months]"),
    COMPLICATED_DECISION_MONTHS: _("decision term of a particularly complicated case [months]"),
    SHRUB_FREE_M2: _("shrubs needing no permit: cluster up to [m²]"),
    FEE_DEFERRAL_YEARS: _("tree fee deferral with replacement planting [years]"),
    INSPECTION_DAYS: _("tree notification: inspection within [days]"),
    OBJECTION_DAYS: _("tree notification: objection within [days] of the inspection"),
    REMOVAL_MONTHS: _("tree notification: removal within [months] of the inspection"),
}

# (key, value, valid_from, valid_to, act, article, journal, verified, note)
LEGAL_RULES = [
    (DECISION_MONTHS, 1, "1960-10-14", None, KPA, "art. 35 § 3", "", False,
     "counted under art. 57 § 3; longer only with an art. 36 notice (domain review)"),
    (COMPLICATED_DECISION_MONTHS, 2, "1960-10-14", None, KPA, "art. 35 § 3", "", False,
     "domain review"),
    (SHRUB_FREE_M2, "25", "2017-06-17", None, UOP, "art. 83f ust. 1 pkt 1", UOP_JOURNAL, True,
     "prawo.pl (Hejnar-Zawisza) quoting the point; not in road strips, registered "
     "monuments and green areas per the domain review"),
    (FEE_DEFERRAL_YEARS, 3, "2017-06-17", None, UOP, "art. 84 ust. 3", UOP_JOURNAL, False,
     "domain review; the counting start was not read"),
    (INSPECTION_DAYS, 21, "2017-06-17", None, UOP, "art. 83f ust. 5", UOP_JOURNAL, False,
     "domain review; a bill replacing both terms with one of 60 days passed Sejm "
     "committees in February 2026: its enactment was not confirmed"),
    (OBJECTION_DAYS, 14, "2017-06-17", None, UOP, "art. 83f ust. 6", UOP_JOURNAL, False,
     "domain review: 14 days of the inspection (the '14 and 7 days' note was wrong)"),
    (REMOVAL_MONTHS, 6, "2017-06-17", None, UOP, "art. 83f ust. 8", UOP_JOURNAL, False,
     "domain review; the point number was not read"),
]
