"""Messages more than one reader writes, as msgids (translated when a problem is recorded
and again wherever the report is shown: core.problems). Polish is in the app's catalogue."""
from django.utils.translation import gettext_noop as N_

KW_MESSAGE = N_("the land register (KW) number “%(value)s” is not of the form "
                "LE1L/00012345/6; left empty")
KST_MESSAGE = N_("building class “%(value)s” is not a KŚT code; recorded as %(kst)s")
MALFORMED_BUILDING_ID = N_("building id “%(value)s” is not of the form <parcel id>.<building "
                           "number>; imported under its IIP identifier, to be corrected by "
                           "the county")
MALFORMED_BUILDING_ID_REFUSED = N_("building id “%(value)s” is not of the form <parcel id>."
                                   "<building number>")
REGISTER_UNIT_MESSAGE = N_("register unit “%(value)s”: the id is missing or too long, or the "
                           "register group “%(group)s” is not 1-16")
NO_SURNAME = N_("a natural person without a surname")
NO_NAME = N_("an institution without a name")
BAD_PESEL = N_("a PESEL number fails its check digit; not stored")
BAD_REGON = N_("a REGON number fails its check digit; not stored")
DATE_MESSAGE = N_("date “%(value)s” is not a date; left empty")
# Numeric fields a reader checks, by their role.
NUMBER_MESSAGES = {"area": N_("registered area “%(value)s” is not a number")}
NO_PARCEL_ID = N_("the parcel has no %(field)s")
PARCEL_ID_FOREIGN = N_("parcel id %(value)s belongs to unit %(other)s, not to the unit being "
                       "imported (%(unit)s)")
PARCEL_ID_INVALID = N_("%(reason)s")
