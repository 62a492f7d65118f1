"""The zoning extract as a PDF: A4, Polish, under the unit's header; wypis pages, then one
wyrys page per map sheet (the map at the plan's scale, parcel outlines, legend, scale bar,
north arrow, the plan's name). A draft carries a watermark until the official issues it."""
import io
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from django.contrib.gis.geos import Polygon
from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
)

from layers.mapproxy_config import publication
from layers.mapserver import FONT_DIR
from layers.models import ZoningPlan, ZoningZone
from layers.registry import ZONE_OPACITY
from layers.render import Outline, map_render
from layers.selectors import zones_in_force_q
from layers.zoning_symbols import GENERAL_PLAN_ZONES, LOCAL_PLAN_DESIGNATIONS, UNKNOWN_COLOUR

from .content import DATE_FORMAT, MAP_HEIGHT_MM, MAP_WIDTH_MM, MapSheet

PAGE_W, PAGE_H = A4
MARGIN_X = 15 * mm
HEADER_H = 30 * mm
FOOTER_H = 14 * mm
# Where the map image lies on a wyrys page, from the page's top-left corner (mm); the
# tests read the rasterised page through these.
MAP_LEFT_MM = 15.0
MAP_TOP_MM = 30.0 + 12.0
PARCEL_OUTLINE = Outline(geom=None, colour="#0044ff", width_mm=0.7)
FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
LEGEND_ROWS = 10  # two columns under the map
MAX_RENDERERS = 4  # MapServer processes drawing one document's sheets at once


@dataclass(frozen=True)
class ExtractHeader:
    """What the document says about where it comes from and its state."""

    office_name: str
    office_address: str
    place: str  # town named before the date
    case_number: str
    requested_on: date | None
    copies: int = 1
    duty: str = ""  # the stamp duty as a sentence, empty when none
    issued: bool = False
    issued_on: date | None = None
    issued_by: str = ""  # the official's name and position, once issued


def _fonts() -> None:
    # Binary streams: ASCII85 would triple the time spent on a map image (pure Python in
    # reportlab without its C accelerator) for no gain in a PDF served as a file.
    rl_config.useA85 = 0
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13.5, spaceAfter=3)
    return {
        "title": ParagraphStyle("title", base, fontName=FONT_BOLD, fontSize=13, leading=17,
                                alignment=TA_CENTER, spaceAfter=8),
        "h1": ParagraphStyle("h1", base, fontName=FONT_BOLD, fontSize=11.5, leading=15,
                             spaceBefore=8, spaceAfter=4),
        "h2": ParagraphStyle("h2", base, fontName=FONT_BOLD, fontSize=10, spaceBefore=6),
        "body": base,
        "item": ParagraphStyle("item", base, leftIndent=6 * mm, bulletIndent=2 * mm),
        "small": ParagraphStyle("small", base, fontSize=8, leading=10),
    }


def extract_pdf(*, header: ExtractHeader, text: str, sheets: Sequence[MapSheet],
                with_text: bool, with_map: bool, language: str = "pl",
                draw_maps: bool = True) -> tuple[bytes, int]:
    """The PDF and the number of its wypis pages. `draw_maps=False` leaves the map boxes
    empty (page counting before the applicant submits, without running MapServer)."""
    _fonts()
    parts = _parts(with_text, with_map, sheets)
    with translation.override(language):
        story = _lead_story(header, text, *parts)
        map_story = _map_story(header, sheets, draw_maps) if parts[1] else []
        out = io.BytesIO()
        doc = _document(out, header)
        doc.build(story + ([PageBreak()] if map_story else []) + map_story,
                  canvasmaker=_numbered_canvas(header))
    # Each map sheet fills exactly one page, after the lead pages.
    lead_pages = doc.page - (len(sheets) if map_story else 0)
    return out.getvalue(), lead_pages if parts[0] else 0


def _parts(with_text: bool, with_map: bool, sheets: Sequence[MapSheet]) -> tuple[bool, bool]:
    """(wypis text, wyrys pages) the document holds: a wyrys needs a sheet to draw, and a
    document with neither says in its text that no plan covers the parcels."""
    maps = with_map and bool(sheets)
    return with_text or not maps, maps


def counting_header() -> ExtractHeader:
    """A header whose blocks take the room an issued document's usually take (a case
    number, the duty, the issuing official), for counting pages before it exists; the
    count is checked again on the issued document (services.extract_issue)."""
    return ExtractHeader(office_name="", office_address="", place="",
                         case_number="UA.0000.000.0000", requested_on=date(2000, 12, 30),
                         copies=10, duty=_("Stamp duty: %(amount)s zł") % {"amount": "100,00"},
                         issued=True, issued_on=date(2000, 12, 30),
                         issued_by="Katarzyna Kowalska-Nowak")


def extract_page_counts(*, text: str, sheets: Sequence[MapSheet], with_text: bool,
                        with_map: bool) -> tuple[int, int]:
    """(wypis pages, wyrys A4 pages) of the document these choices produce: what the stamp
    duty is counted on, known before anything is submitted. The lead pages are laid out
    with the title, basis and closing blocks of the issued document."""
    _fonts()
    maps = with_map and bool(sheets)
    text_pages = 0
    if with_text:
        with translation.override("pl"):
            header = counting_header()
            text_pages = _page_count(header, _lead_story(header, text, True, maps))
    return text_pages, (len(sheets) if maps else 0)


def _page_count(header: ExtractHeader, story: list) -> int:
    doc = _document(io.BytesIO(), header)
    doc.build(list(story))
    return doc.page


def _document(out, header: ExtractHeader) -> BaseDocTemplate:
    doc = BaseDocTemplate(out, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
                          topMargin=HEADER_H, bottomMargin=FOOTER_H,
                          title=_("Zoning plan extract"), author=header.office_name,
                          lang=translation.get_language())
    frame = Frame(MARGIN_X, FOOTER_H, PAGE_W - 2 * MARGIN_X, PAGE_H - HEADER_H - FOOTER_H,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame],
                                       onPage=lambda c, d: _page_header(c, header))])
    return doc


# --- text ------------------------------------------------------------------------------

def _title(with_text: bool, with_map: bool) -> str:
    if with_text and with_map:
        return _("EXTRACT AND MAP EXCERPT FROM THE ZONING PLAN")
    if with_map:
        return _("MAP EXCERPT FROM THE ZONING PLAN")
    return _("EXTRACT FROM THE ZONING PLAN")


def _lead_story(header: ExtractHeader, text: str, with_text: bool, with_map: bool) -> list:
    """What comes before the wyrys pages, whichever parts were asked for: the title and the
    legal basis, the wypis text (if asked), and the closing block under which the office
    issues the whole document (copies, duty, the official)."""
    styles = _styles()
    story = [Paragraph(escape(_title(with_text, with_map)), styles["title"])]
    basis = _("Under art. 30 sec. 1 of the Spatial Planning and Development Act of 27 March "
              "2003, on the application")
    if header.requested_on:
        basis += " " + _("of %(date)s") % {"date": _date(header.requested_on)}
    if header.case_number:
        basis += " " + _("(case %(number)s)") % {"number": header.case_number}
    basis += ", " + (_("the following is certified:") if with_text
                     else _("the map excerpt from the plan is issued."))
    story.append(Paragraph(escape(basis), styles["body"]))
    if with_text:
        story += markup_flowables(text, styles)
    story += _closing(header, styles, with_text, with_map)
    return story


def markup_flowables(text: str, styles: dict) -> list:
    """The wypis markup as paragraphs: '# ' heading, '## ' subheading, '- ' list item."""
    out = []
    for line in text.replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if not stripped:
            out.append(Spacer(1, 2 * mm))
        elif stripped.startswith("## "):
            out.append(Paragraph(escape(stripped[3:]), styles["h2"]))
        elif stripped.startswith("# "):
            out.append(Paragraph(escape(stripped[2:]), styles["h1"]))
        elif stripped.startswith("- "):
            out.append(Paragraph(escape(stripped[2:]), styles["item"], bulletText="–"))
        else:
            out.append(Paragraph(escape(stripped), styles["body"]))
    return out


def _closing(header: ExtractHeader, styles: dict, with_text: bool, with_map: bool) -> list:
    lines = []
    if with_map and with_text:
        lines.append(_("The map excerpt (wyrys) on the following pages is part of this "
                       "extract."))
    elif with_map:
        lines.append(_("The map excerpt (wyrys) is on the following pages."))
    lines.append(_("Issued in %(copies)d copy/copies.") % {"copies": header.copies})
    if header.duty:
        lines.append(header.duty)
    out = [Spacer(1, 6 * mm)] + [Paragraph(escape(line), styles["small"]) for line in lines]
    if header.issued:
        out += [Spacer(1, 10 * mm),
                Paragraph(escape(_("Issued on %(date)s by:") % {
                    "date": _date(header.issued_on)}), styles["body"]),
                Paragraph(escape(header.issued_by), styles["h2"])]
    return out


def _date(value: date | None) -> str:
    return formats.date_format(value, DATE_FORMAT) if value else ""


# --- header, footer, watermark -----------------------------------------------------------

def _page_header(c, header: ExtractHeader) -> None:
    c.saveState()
    top = PAGE_H - 12 * mm
    c.setFont(FONT_BOLD, 10)
    c.drawString(MARGIN_X, top, header.office_name)
    c.setFont(FONT, 8)
    for i, line in enumerate(header.office_address.splitlines()[:3]):
        c.drawString(MARGIN_X, top - (i + 1) * 3.6 * mm, line)
    right = PAGE_W - MARGIN_X
    if header.case_number:
        c.drawRightString(right, top, _("Case: %(number)s") % {"number": header.case_number})
    when = header.issued_on if header.issued else date.today()
    c.drawRightString(right, top - 3.6 * mm, f"{header.place}, {_date(when)}".strip(", "))
    c.setStrokeColor(colors.grey)
    c.setLineWidth(0.5)
    c.line(MARGIN_X, PAGE_H - HEADER_H + 4 * mm, right, PAGE_H - HEADER_H + 4 * mm)
    c.restoreState()


def _numbered_canvas(header: ExtractHeader):
    class NumberedCanvas(pdfcanvas.Canvas):
        """Draws "page X of Y" (and a draft's watermark) once the page count is known."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(len(self._pages))
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            self.saveState()
            self.setFont(FONT, 8)
            self.drawRightString(PAGE_W - MARGIN_X, 8 * mm, _("Page %(page)d of %(total)d")
                                 % {"page": self._pageNumber, "total": total})
            if not header.issued:
                self.drawString(MARGIN_X, 8 * mm, _("DRAFT generated from the plan data: to "
                                                    "be checked and issued by the office"))
                self.setFillColor(colors.Color(0.8, 0.8, 0.8, alpha=0.35))
                self.setFont(FONT_BOLD, 72)
                self.translate(PAGE_W / 2, PAGE_H / 2)
                self.rotate(45)
                self.drawCentredString(0, 0, _("DRAFT"))
            self.restoreState()

    return NumberedCanvas


# --- wyrys pages -------------------------------------------------------------------------

def _map_story(header: ExtractHeader, sheets: Sequence[MapSheet], draw_maps: bool) -> list:
    images = _map_images(sheets) if draw_maps else [None] * len(sheets)
    story = []
    for i, (sheet, image) in enumerate(zip(sheets, images, strict=True)):
        if i:
            story.append(PageBreak())
        story.append(MapPage(sheet, index=i + 1, total=len(sheets), image=image))
    return story


def _map_images(sheets: Sequence[MapSheet]) -> list:
    """The sheets' maps, drawn by MapServer processes side by side (each sheet waits on its
    own `mapserv`); the generated files are made ready here, before the threads start."""
    if not sheets:
        return []
    publication()

    def draw(sheet: MapSheet):
        outlines = [Outline(geom=g, colour=PARCEL_OUTLINE.colour,
                            width_mm=PARCEL_OUTLINE.width_mm) for g in sheet.geoms]
        return map_render(frame=sheet.frame, layers=[sheet.layer], outlines=outlines)

    with ThreadPoolExecutor(max_workers=min(MAX_RENDERERS, len(sheets))) as pool:
        return list(pool.map(draw, sheets))


class MapPage(Flowable):
    """A whole wyrys page: title, the map at its scale, north arrow, scale bar, legend."""

    def __init__(self, sheet: MapSheet, *, index: int, total: int, image) -> None:
        super().__init__()
        self.sheet, self.index, self.total, self.image = sheet, index, total, image
        self.legend = sheet_legend(sheet)

    def wrap(self, avail_width, avail_height):
        self.height = avail_height
        return avail_width, avail_height

    def draw(self) -> None:
        c, sheet = self.canv, self.sheet
        top = self.height  # local coordinates: (0, 0) is the frame's bottom-left
        c.setFont(FONT_BOLD, 10.5)
        c.drawString(0, top - 5 * mm, _("Map excerpt %(index)d of %(total)d: %(plan)s") % {
            "index": self.index, "total": self.total, "plan": sheet.plan.name})
        c.setFont(FONT, 8.5)
        parcels = ", ".join(p.number for p in sheet.parcels)
        c.drawString(0, top - 9.5 * mm, _("Scale 1:%(scale)s · parcels: %(parcels)s") % {
            "scale": f"{sheet.scale:,}".replace(",", " "), "parcels": parcels[:120]})
        map_top = top - (MAP_TOP_MM - HEADER_H / mm) * mm
        map_bottom = map_top - MAP_HEIGHT_MM * mm
        if self.image is not None:
            c.drawImage(ImageReader(self.image), 0, map_bottom, MAP_WIDTH_MM * mm,
                        MAP_HEIGHT_MM * mm)
        c.setStrokeColor(colors.black)
        c.setLineWidth(0.6)
        c.rect(0, map_bottom, MAP_WIDTH_MM * mm, MAP_HEIGHT_MM * mm)
        _north_arrow(c, MAP_WIDTH_MM * mm - 12 * mm, map_top - 22 * mm)
        _scale_bar(c, 0, map_bottom - 8 * mm, sheet.scale)
        _legend(c, 0, map_bottom - 16 * mm, self.legend)


def _north_arrow(c, x: float, y: float) -> None:
    c.saveState()
    c.setFillColor(colors.white)
    c.setStrokeColor(colors.black)
    c.circle(x, y + 6 * mm, 7.5 * mm, fill=1, stroke=0)
    path = c.beginPath()
    path.moveTo(x, y + 12 * mm)
    path.lineTo(x - 3.5 * mm, y + 1 * mm)
    path.lineTo(x, y + 4 * mm)
    path.close()
    c.setFillColor(colors.black)
    c.drawPath(path, fill=1, stroke=1)
    path = c.beginPath()
    path.moveTo(x, y + 12 * mm)
    path.lineTo(x + 3.5 * mm, y + 1 * mm)
    path.lineTo(x, y + 4 * mm)
    path.close()
    c.setFillColor(colors.white)
    c.drawPath(path, fill=1, stroke=1)
    c.setFillColor(colors.black)
    c.setFont(FONT_BOLD, 9)
    c.drawCentredString(x, y - 2.5 * mm, "N")
    c.restoreState()


def _scale_bar(c, x: float, y: float, scale: int) -> None:
    """A bar of four equal steps with a round length in metres, about 60 mm long."""
    ground_60mm = 0.06 * scale
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000)
                if s * 4 >= ground_60mm * 0.8)
    step_mm = step / scale * 1000
    c.saveState()
    c.setLineWidth(0.5)
    for i in range(4):
        c.setFillColor(colors.black if i % 2 == 0 else colors.white)
        c.rect(x + i * step_mm * mm, y, step_mm * mm, 1.8 * mm, fill=1, stroke=1)
    c.setFillColor(colors.black)
    c.setFont(FONT, 7)
    for i in range(5):
        c.drawCentredString(x + i * step_mm * mm, y + 2.6 * mm, f"{i * step}")
    c.drawString(x + 4 * step_mm * mm + 3 * mm, y + 0.2 * mm, "m")
    c.drawString(x + 4 * step_mm * mm + 10 * mm, y + 0.2 * mm,
                 _("scale 1:%(scale)s") % {"scale": f"{scale:,}".replace(",", " ")})
    c.restoreState()


@dataclass(frozen=True)
class LegendItem:
    title: str
    fill: str | None = None
    outline: str | None = None
    width: float = 0.3


def sheet_legend(sheet: MapSheet) -> list[LegendItem]:
    """The legend of a sheet: the extract's parcels, the cadastre, then every kind of zone
    of the plan's kind drawn in the frame (one query)."""
    kinds = LOCAL_PLAN_DESIGNATIONS if sheet.plan.kind == ZoningPlan.LOCAL else GENERAL_PLAN_ZONES
    frame = Polygon.from_bbox(sheet.frame.bbox)
    frame.srid = 2180
    found = (ZoningZone.objects
             .filter(zones_in_force_q(), plan__kind=sheet.plan.kind, geom__bboverlaps=frame)
             .values_list("symbol", "designation").order_by("symbol").distinct("symbol"))
    items = [
        LegendItem(_("boundary of a parcel in this extract"), outline=PARCEL_OUTLINE.colour,
                   width=1.6),
        LegendItem(_("cadastral parcel boundaries and numbers"), outline="#1a1a1a", width=0.4),
        LegendItem(_("buildings"), fill="#d7ccc8", outline="#6d4c41", width=0.3),
    ]
    for symbol, designation in found:
        kind = kinds.get(symbol)
        colour = kind.colour if kind else UNKNOWN_COLOUR
        title = kind.name_pl if kind and sheet.plan.kind == ZoningPlan.GENERAL else designation
        items.append(LegendItem(f"{symbol} – {title or symbol}", fill=_blend(colour),
                                outline="#535353", width=0.3))
    return items


def _blend(colour: str) -> str:
    """The zone colour as drawn: ZONE_OPACITY percent over white paper."""
    a = ZONE_OPACITY / 100
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(v * a + 255 * (1 - a)):02x}" for v in rgb)


def _legend(c, x: float, y: float, items: list[LegendItem]) -> None:
    c.saveState()
    c.setFont(FONT_BOLD, 8)
    c.drawString(x, y, _("Legend"))
    col_w = (MAP_WIDTH_MM / 2) * mm
    for i, item in enumerate(items[:LEGEND_ROWS * 2]):
        cx = x + (i % 2) * col_w
        cy = y - (4.5 + (i // 2) * 4.6) * mm
        if item.fill:
            c.setFillColor(colors.HexColor(item.fill))
            c.setStrokeColor(colors.HexColor(item.outline or item.fill))
            c.setLineWidth(item.width)
            c.rect(cx, cy - 0.6 * mm, 8 * mm, 3.4 * mm, fill=1, stroke=1)
        else:
            c.setStrokeColor(colors.HexColor(item.outline))
            c.setLineWidth(item.width * mm)
            c.line(cx, cy + 1.1 * mm, cx + 8 * mm, cy + 1.1 * mm)
        c.setFillColor(colors.black)
        c.setFont(FONT, 7)
        c.drawString(cx + 10 * mm, cy, item.title[:70])
    c.restoreState()
