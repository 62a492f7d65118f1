"""E-mail to the applicant on every state change (Django's e-mail framework; SMTP from the
environment in production, files under var/mail/ in the demo). Sent after the commit, so a
rolled-back change never mails anyone; a mail failure never undoes a decision."""
import logging
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from . import kinds
from .models import ApplicationEvent, KindSetting
from .workflow import EXPECTED_OF_APPLICANT, State

log = logging.getLogger(__name__)


def state_changed(*, event_id: int) -> bool:
    event = (ApplicationEvent.objects.select_related("application__applicant",
                                                     "application__unit")
             .filter(pk=event_id).first())
    if event is None:
        return False
    app = event.application
    if app.applicant is None or not app.applicant.email:  # on paper: answered by post
        return False
    with translation.override(settings.LANGUAGE_CODE):
        kind = kinds.get(app.kind)
        # What this event did, not what the case became later (mails go out after commit).
        outcome = next((o.label for o in (kind.outcomes if kind else ())
                        if o.code == event.data.get("outcome")), "")
        setting = KindSetting.objects.filter(unit=app.unit, kind=app.kind).first()
        subject = _("Case %(case)s: %(state)s") % {"case": app.case_number or app.pk,
                                                   "state": State(event.to_state).label}
        body = render_to_string("permits/email/state_changed.txt", {
            "app": app, "event": event, "kind": kind, "outcome": outcome, "setting": setting,
            "state": State(event.to_state).label,
            "deadline": date.fromisoformat(event.data["deadline"]) if event.data.get("deadline")
            else None,
            "expected": EXPECTED_OF_APPLICANT[event.to_state]})
    sender = (setting.office_email if setting and setting.office_email
              else settings.DEFAULT_FROM_EMAIL)
    try:
        send_mail(subject, body, sender, [app.applicant.email])
    except OSError:
        log.exception("e-mail about application %s not sent", app.pk)
        return False
    return True
