"""Tree and shrub removal as an application kind (see permits/kinds.py)."""
from django.utils.translation import gettext_lazy as _

from ..kinds import DeadlineDefault, Kind, Outcome
from ..workflow import State
from . import services
from .rules import NOTIFICATION, PERMIT

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
            # The terms run from submission (KPA art. 61 §3), registered or not: a case
            # nobody registers becomes overdue like any other.
            DeadlineDefault(State.SUBMITTED, 30, "KPA art. 35 §3", PERMIT,
                            _("decision due"), "submitted"),
            DeadlineDefault(State.SUBMITTED, 21, "u.o.p. art. 83f ust. 5", NOTIFICATION,
                            _("inspection due"), "submitted"),
            # KPA art. 35 §3: a month, two for a particularly complicated case. (verify)
            DeadlineDefault(State.REGISTERED, 30, "KPA art. 35 §3", PERMIT,
                            _("decision due"), "submitted"),
            DeadlineDefault(State.INSPECTION_SCHEDULED, 60, "KPA art. 35 §3", PERMIT,
                            _("decision due (case with inspection)"), "submitted"),
            # Art. 83f ust. 5: inspection within 21 days of the notification.
            DeadlineDefault(State.REGISTERED, 21, "u.o.p. art. 83f ust. 5", NOTIFICATION,
                            _("inspection due"), "submitted"),
            # Art. 83f ust. 6: objection within 14 days of the inspection (verify: 14 or 7).
            DeadlineDefault(State.INSPECTION_SCHEDULED, 14, "u.o.p. art. 83f ust. 6",
                            NOTIFICATION, _("objection possible until"), "date"),
            # KPA art. 64 §2: at least 7 days to supply missing documents.
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
    ),
)
