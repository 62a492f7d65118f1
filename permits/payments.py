"""How a resident pays a case's fee: the unit's account, the transfer title carrying the
case number, and the QR transfer code Polish banking apps read.

The QR content follows the Polish banks' "Standard 2D" recommendation (Związek Banków
Polskich, 2013-12-03; the same layout is read by the banks' apps today): nine fields joined
by "|": recipient's NIP | country "PL" | account (26 digits) | amount in grosze (6 digits) |
recipient's name (≤ 20) | title (≤ 32) | three reserved fields. Six digits carry at most
9 999,99 zł: above that the code gives the account and the title and the amount is typed.
"""
import re
from dataclasses import dataclass
from decimal import Decimal

import segno
from django.utils.translation import gettext as _

from core.identifiers import nrb_is_valid

QR_MAX_GROSZE = 999_999
_NOT_IN_QR = re.compile(r"[|\n\r]")


@dataclass(frozen=True)
class Payment:
    amount: Decimal
    recipient: str
    account: str  # 26 digits
    title: str
    qr_text: str
    qr_has_amount: bool

    @property
    def account_display(self) -> str:
        """"PL61 1090 1014 0000 0712 1981 2874": as printed on bank forms."""
        groups = (self.account[i:i + 4] for i in range(2, 26, 4))
        return f"PL{self.account[:2]} " + " ".join(groups)

    def qr_svg(self) -> str:
        return segno.make(self.qr_text, error="m").svg_inline(
            scale=4, title=_("QR code of the transfer"), svgclass="qr")


def _field(text: str, length: int) -> str:
    return _NOT_IN_QR.sub(" ", text).strip()[:length]


def qr_text(*, tax_id: str, account: str, amount: Decimal, recipient: str, title: str) -> str:
    grosze = int((amount * 100).to_integral_value())
    amount_field = f"{grosze:06d}" if 0 <= grosze <= QR_MAX_GROSZE else "000000"
    return "|".join([_field(tax_id, 10), "PL", account, amount_field, _field(recipient, 20),
                     _field(title, 32), "", "", ""])


def transfer_title(app) -> str:
    return _("Fee, case %(case)s") % {"case": app.case_number}


def fee_awaits_decision(app) -> bool:
    """Whether the case's fee is one its decision imposes (a tree permit's), not decided yet:
    then nothing is to be paid now."""
    from .kinds import get
    from .workflow import State

    kind = get(app.kind)
    return kind is not None and not kind.fee_due_at_filing and app.state != State.DECIDED


def fee_payment(app) -> Payment | None:
    """The payment of the case's fee, or None when there is nothing to pay (yet: a fee the
    decision imposes is paid after it) or the unit has not given its account."""
    unit = app.unit
    if not app.fee or app.fee <= 0 or not nrb_is_valid(unit.bank_account):
        return None
    if fee_awaits_decision(app):
        return None
    recipient = unit.office_name or unit.name
    title = transfer_title(app)
    return Payment(
        amount=app.fee, recipient=recipient, account=unit.bank_account, title=title,
        qr_text=qr_text(tax_id=unit.tax_id, account=unit.bank_account, amount=app.fee,
                        recipient=recipient, title=title),
        qr_has_amount=int(app.fee * 100) <= QR_MAX_GROSZE)
