"""The permits' dated legal rules (core.LegalRule): keys, labels and the seeded rows.

Terms in months are counted as KPA art. 57 § 3 counts them (permits/deadlines.py); a
kind's deadline names its rule key, so a change of the act is a new dated row, not code.
"""
from django.utils.translation import gettext_lazy as _

from .zoning_fees import STAMP_DUTY

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
WZ_GENERAL_PLAN_FROM = "wz.general_plan_required_from"
WZ_VALIDITY_YEARS = "wz.validity_years"
WZ_INDEFINITE_IF_FILED_BEFORE = "wz.indefinite_if_filed_before"
WZ_TERM_HOUSE_DAYS = "wz.term_house_days"
WZ_TERM_BIOGAS_DAYS = "wz.term_biogas_days"
WZ_TERM_OTHER_DAYS = "wz.term_other_days"
PUBLIC_HOLIDAYS = "kpa.public_holidays"
HOLIDAYS_ACT = "ustawa z dnia 18 stycznia 1951 r. o dniach wolnych od pracy"
UPZP = "ustawa z dnia 27 marca 2003 r. o planowaniu i zagospodarowaniu przestrzennym"
REFORM = ("ustawa z dnia 7 lipca 2023 r. o zmianie ustawy o planowaniu i zagospodarowaniu "
          "przestrzennym oraz niektórych innych ustaw")

LABELS = {
    DECISION_MONTHS: _("decision term [months]"),
    COMPLICATED_DECISION_MONTHS: _("decision term of a particularly complicated case [months]"),
    SHRUB_FREE_M2: _("shrubs needing no permit: cluster up to [m²]"),
    FEE_DEFERRAL_YEARS: _("tree fee deferral with replacement planting [years]"),
    INSPECTION_DAYS: _("tree notification: inspection within [days]"),
    OBJECTION_DAYS: _("tree notification: objection within [days] of the inspection"),
    REMOVAL_MONTHS: _("tree notification: removal within [months] of the inspection"),
    WZ_GENERAL_PLAN_FROM: _("WZ only with a general plan in force, for applications filed "
                            "from"),
    WZ_VALIDITY_YEARS: _("WZ decision valid for [years]"),
    WZ_INDEFINITE_IF_FILED_BEFORE: _("WZ decision valid indefinitely when applied for "
                                     "before"),
    WZ_TERM_HOUSE_DAYS: _("WZ term: single-family house for own needs [days]"),
    WZ_TERM_BIOGAS_DAYS: _("WZ term: agricultural biogas plant [days]"),
    WZ_TERM_OTHER_DAYS: _("WZ term: other projects [days]"),
    PUBLIC_HOLIDAYS: _("public holidays (a term ending on one ends on the next working day, "
                       "KPA art. 57 § 4): fixed days and days after Easter Sunday"),
}

# The holidays' value: fixed days as "MM-DD" and movable feasts as days after Easter Sunday
# (Easter Sunday and Monday, Pentecost Sunday, Corpus Christi).
_EASTER = [0, 1, 49, 60]
_FIXED = ["01-01", "01-06", "05-01", "05-03", "08-15", "11-01", "11-11", "12-25", "12-26"]

# (key, value, valid_from, valid_to, act, article, journal, verified, note)
LEGAL_RULES = [
    (DECISION_MONTHS, 1, "1960-10-14", None, KPA, "art. 35 § 3", "", True,
     "the article as quoted by prawo.pl 78405; counted under art. 57 § 3; longer only with "
     "an art. 36 notice"),
    (COMPLICATED_DECISION_MONTHS, 2, "1960-10-14", None, KPA, "art. 35 § 3", "", True,
     "the article as quoted by prawo.pl 78405"),
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
    (WZ_GENERAL_PLAN_FROM, "2026-07-01", "2023-09-24", None, REFORM,
     "art. 67 ust. 3 (the transitional date)", "Dz.U. 2025 poz. 527", False,
     "30 June 2026 as the last day under the act of 4 April 2025 (Dz.U. 2025 poz. 527) per "
     "warszawawpigulce.pl 2026-03-01 and forsal.pl; the domain review cites art. 59 ust. 3 "
     "and Dz.U. 2025 poz. 1543; a shift to 31 August 2026 was announced, not confirmed"),
    (WZ_VALIDITY_YEARS, 5, "2026-01-01", None, UPZP, "art. 65 ust. 3", "", False,
     "decisions final from 1 January 2026 (forsal.pl, warszawawpigulce.pl); applications "
     "filed before 16 October 2025 keep indefinite validity (domain review)"),
    (WZ_INDEFINITE_IF_FILED_BEFORE, "2025-10-16", "2026-01-01", None, REFORM,
     "transitional provisions", "", False,
     "domain review (wprost.pl 12191805; rp.pl art43297181); the article was not read"),
    (WZ_TERM_HOUSE_DAYS, 21, "2023-09-24", None, UPZP, "art. 64 ust. 1 pkt 1", "", True,
     "a detached single-family house of up to 2 storeys and 70 m² built-up area, its impact "
     "area wholly on its own parcels, built for the investor's own housing needs; the point "
     "as quoted by infor.pl 7390162 (23 October 2025). A deputies' bill of 30 September 2025 "
     "would suspend until 31 December 2026 the 500 zł a day penalty for a late decision, not "
     "the terms; its enactment was not confirmed"),
    (WZ_TERM_BIOGAS_DAYS, 65, "2023-09-24", None, UPZP, "art. 64 ust. 1 pkt 1", "", True,
     "agricultural biogas plants meeting the act's conditions (infor.pl 7390162)"),
    (WZ_TERM_OTHER_DAYS, 90, "2023-09-24", None, UPZP, "art. 64 ust. 1 pkt 1", "", True,
     "other projects (infor.pl 7390162; gazetaprawna.pl 8630848)"),
    (REMOVAL_MONTHS, 6, "2017-06-17", None, UOP, "art. 83f ust. 8", UOP_JOURNAL, False,
     "domain review; the point number was not read"),
    (PUBLIC_HOLIDAYS, {"fixed": _FIXED, "easter": _EASTER}, "2011-01-01", "2024-12-31",
     HOLIDAYS_ACT, "art. 1 pkt 1 lit. a-m", "Dz.U. 1951 nr 4 poz. 28 (as amended)", True,
     "6 January (lit. b) free from 1 January 2011 by art. 2 of the act of 24 September 2010 "
     "amending the Labour Code and other acts, Dz.U. 2010 nr 224 poz. 1459 (fakturyplus.pl, "
     "rmf24.pl)"),
    (PUBLIC_HOLIDAYS, {"fixed": sorted([*_FIXED, "12-24"]), "easter": _EASTER}, "2025-01-01",
     None, HOLIDAYS_ACT, "art. 1 pkt 1 lit. a-m (lit. ka: 24 December)",
     "Dz.U. 2020 poz. 1920 (t.j.)", True,
     "list read in the consolidated text (prawo.pl); 24 December added by the act of "
     "6 December 2024 amending it, first free in 2025 (rp.pl art43562581, tvn24.pl); the "
     "amending act's Dz.U. position was not found"),
]

# Stamp duties (opłata skarbowa), seeded from permits.zoning_fees.STAMP_DUTY.
DUTY_ACT = "ustawa z dnia 16 listopada 2006 r. o opłacie skarbowej"
DUTY_LABELS = {
    "extract_text_short": _("stamp duty: plan extract text up to 5 pages [zł]"),
    "extract_text_long": _("stamp duty: plan extract text over 5 pages [zł]"),
    "extract_map_page": _("stamp duty: plan map excerpt per A4 page [zł]"),
    "extract_map_cap": _("stamp duty: plan map excerpt at most [zł]"),
    "extract_total_cap": _("stamp duty: plan extract in all at most [zł]"),
    "wz_decision": _("stamp duty: WZ decision [zł]"),
    "wz_decision_owner": _("stamp duty: WZ decision for the owner or perpetual usufructuary "
                           "[zł]"),
    "power_of_attorney": _("stamp duty: power of attorney [zł]"),
}
LABELS.update({f"duty.{name}": label for name, label in DUTY_LABELS.items()})
LEGAL_RULES += [
    (f"duty.{name}", str(rate.amount), "2007-01-01", None, DUTY_ACT,
     rate.source.replace("ustawa o opłacie skarbowej, ", ""), "Dz.U. 2023 poz. 2111 (t.j.)",
     not rate.verify, "figure as the domain notes give it" if rate.verify else "")
    for name, rate in STAMP_DUTY.items()
]
