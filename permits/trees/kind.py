"""Tree and shrub removal as an application kind (see permits/kinds.py)."""
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import legal
from ..kinds import DeadlineDefault, Kind, Outcome
from ..workflow import State
from . import services
from .rules import NOTIFICATION, PERMIT

# What the API's content holds for a tree removal (POST /applications/, kind "trees").
CONTENT_HELP = ("applicant_name, applicant_address, natural_person, own_land, "
                "land_natural_persons (the land is owned by natural persons), business, "
                "reason, intended_date, trees[] (species id, x, y in EPSG:2180, "
                "circumference_5cm, stems_130cm[], exemption), shrubs[] (species id, "
                "geometry: GeoJSON or WKT polygon in EPSG:2180, exemption)")


def map_features(application, srid: int) -> dict:
    """The trees (numbered points) and shrub groups (outlines) on the case map."""
    from ..selectors import feature_collection, geojson

    trees = [{"type": "Feature", "geometry": geojson(t.location, srid),
              "properties": {"n": t.position, "species": str(t.species)}}
             for t in application.trees.select_related("species")]
    shrubs = [{"type": "Feature", "geometry": geojson(s.area, srid),
               "properties": {"n": s.position, "species": str(s.species)}}
              for s in application.shrubs.select_related("species")]
    return {"trees": feature_collection(trees), "shrubs": feature_collection(shrubs)}


def live_check(parcels) -> dict:
    """The form's live verdict: the trees and shrubs, with the holder's boxes, answered by
    the assessment API; the applicant's name, address and reason are not needed for it."""
    return {"url": reverse("permits:api-trees-assessment"),
            "parcels": [p.parcel_id for p in parcels],
            "mainPrefix": "main", "rowKey": "species",
            "placeholders": {"applicant_name": "-", "applicant_address": "-", "reason": "-"},
            "labels": {"permit": gettext("A permit is needed. Fee: %(fee)s zł."),
                       "notification": gettext("A notification is needed (no fee)."),
                       "nothing": gettext("Nothing is needed: no notification and no permit.")}}


KINDS = (
    Kind(
        code="trees",
        title=_("Tree or shrub removal"),
        description=_("A notification (art. 83f) or a permit (art. 83) to remove trees or "
                      "shrubs; the form tells you which one you need and the fee."),
        form="permits.trees.forms.TreeRemovalForm",
        outcomes=(
            Outcome("granted", _("permit granted"), PERMIT),
            Outcome("granted_with_planting", _("permit granted with replacement planting"),
                    PERMIT),
            # The fee is for a removal (art. 84 ust. 1): a refusal charges none.
            Outcome("refused", _("permit refused"), PERMIT, positive=False,
                    charges_fee=False),
            Outcome("no_objection", _("no objection"), NOTIFICATION),
            Outcome("objection", _("objection raised"), NOTIFICATION, positive=False),
            Outcome("silent_consent", _("removal allowed: no objection within the deadline"),
                    NOTIFICATION),
        ),
        deadlines=(
            # The terms run from submission (KPA art. 61 § 3), registered or not: a case
            # nobody registers becomes overdue like any other. A permit is decided within a
            # month (KPA art. 35 § 3); scheduling an inspection does not extend it: only an
            # art. 36 notice does (services.application_deadline_extend).
            DeadlineDefault(State.SUBMITTED, 1, "KPA art. 35 § 3", PERMIT, _("decision due"),
                            "submitted", rule_key=legal.DECISION_MONTHS, months=True),
            DeadlineDefault(State.SUBMITTED, 21, "u.o.p. art. 83f ust. 5", NOTIFICATION,
                            _("inspection due"), "submitted", rule_key=legal.INSPECTION_DAYS),
            DeadlineDefault(State.REGISTERED, 1, "KPA art. 35 § 3", PERMIT, _("decision due"),
                            "submitted", rule_key=legal.DECISION_MONTHS, months=True),
            DeadlineDefault(State.INSPECTION_SCHEDULED, 1, "KPA art. 35 § 3", PERMIT,
                            _("decision due"), "submitted", rule_key=legal.DECISION_MONTHS,
                            months=True),
            DeadlineDefault(State.REGISTERED, 21, "u.o.p. art. 83f ust. 5", NOTIFICATION,
                            _("inspection due"), "submitted", rule_key=legal.INSPECTION_DAYS),
            DeadlineDefault(State.INSPECTION_SCHEDULED, 14, "u.o.p. art. 83f ust. 6",
                            NOTIFICATION, _("objection possible until"), "date",
                            rule_key=legal.OBJECTION_DAYS),
            # KPA art. 64 § 2: at least 7 days to supply missing documents.
            DeadlineDefault(State.AWAITING_DOCUMENTS, 7, "KPA art. 64 §2", "",
                            _("documents due"), "state"),
        ),
        fee=services.application_fee,
        procedure=services.application_procedure,
        silent_outcomes={(NOTIFICATION, State.INSPECTION_SCHEDULED): "silent_consent"},
        summary=services.application_summary,
        conditions=services.decision_conditions,
        submit_check=services.submit_check,
        procedure_labels={PERMIT: _("permit"), NOTIFICATION: _("notification")},
        # JRWA of gminy: rozporządzenie Prezesa Rady Ministrów z 18 stycznia 2011 r. (Dz.U. 2011
        # nr 14 poz. 67), załącznik nr 2 (the unit's own list may differ: the
        # symbol is the unit's setting).
        jrwa_symbol="6131",
        verdict_template="permits/trees/verdict.html",
        saved_verdict=services.assessment,
        map_features=map_features,
        live_check=live_check,
        urls="permits.trees.urls",
        content_help=CONTENT_HELP,
        # The fee is imposed in the permit (u.o.p. art. 84 ust. 1), not paid at filing.
        fee_due_at_filing=False,
    ),
)
