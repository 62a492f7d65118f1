"""The PDF of what was submitted: the office, case number, date and time, the content and
its SHA-256 digest. DejaVu Sans (Debian fonts-dejavu-core) carries the Polish letters."""
from functools import cache
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from . import kinds

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


@cache
def _fonts() -> tuple[str, str]:
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
            pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
            return "DejaVuSans", "DejaVuSans-Bold"
    raise RuntimeError("DejaVu Sans not found: install the Debian package fonts-dejavu-core")


def _p(text, style) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def submission_pdf(app, setting) -> bytes:
    regular, bold = _fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=12)
    head = ParagraphStyle("head", fontName=bold, fontSize=14, leading=18, spaceAfter=6)
    small = ParagraphStyle("small", fontName=regular, fontSize=8, leading=10,
                           textColor=colors.grey)
    kind = kinds.get(app.kind)
    with translation.override("pl"):
        submitted = timezone.localtime(app.submitted_at)
        story = [
            _p(f"{setting.office_name or app.unit.name}\n{setting.office_address}", body),
            Spacer(1, 6 * mm),
            _p(kind.title if kind else app.kind, head),
            _p(_("Case number: %(case)s") % {"case": app.case_number}, body),
            _p(_("Submitted electronically on %(date)s at %(time)s") % {
                "date": submitted.strftime("%d.%m.%Y"), "time": submitted.strftime("%H:%M:%S")},
                body),
            _p(_("Parcels: %(ids)s") % {"ids": ", ".join(
                link.parcel_ident for link in app.parcel_links.all())}, body),
            Spacer(1, 4 * mm),
        ]
        rows = [(_p(label, body), _p(value, body)) for label, value in
                (kind.summary(app) if kind and kind.summary else app.payload.items())]
        rows += [(_p(_("Attachment"), body), _p(f"{a.original_name} ({a.content_type}, "
                                                 f"{a.size} B, SHA-256 {a.sha256})", body))
                 for a in app.attachments.all()]
        if rows:
            table = Table(rows, colWidths=[55 * mm, 115 * mm])
            table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                       ("GRID", (0, 0), (-1, -1), 0.25, colors.lightgrey)]))
            story.append(table)
        story += [Spacer(1, 6 * mm),
                  _p(_("SHA-256 digest of the submitted content: %(digest)s") % {
                      "digest": app.digest}, small)]
    out = BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=app.case_number, author=app.unit.name,
                      leftMargin=20 * mm, rightMargin=20 * mm).build(story)
    return out.getvalue()
