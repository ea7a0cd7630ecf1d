# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import io
import logging
import re

from odoo import api, models
from odoo.tools.pdf import PdfFileReader, PdfFileWriter

_logger = logging.getLogger(__name__)

# Context key set while several RIDEs are printed together: their HTML documents are merged into one.
MERGE_CONTEXT = "l10n_ec_sri_ride_merge"

_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_BODY_CLOSE = re.compile(r"</body\s*>", re.IGNORECASE)


def merge_bodies(bodies):
    """One HTML document holding the bodies' contents one after the other, each document starting on
    a new page; the head (and the body attributes) of the first document are kept. Debian's
    wkhtmltopdf (unpatched Qt) exits with code 1 when it is given several input files."""
    bodies = [str(body) for body in bodies]  # Markup would escape the contents joined to it
    parts = []
    for index, body in enumerate(bodies):
        opening = _BODY_OPEN.search(body)
        closings = list(_BODY_CLOSE.finditer(body))
        if not opening or not closings or closings[-1].start() < opening.end():
            return None
        content = body[opening.end():closings[-1].start()]
        style = ' style="page-break-before: always;"' if index else ""
        parts.append(f'<div class="o_ride_document"{style}>{content}</div>')
    first = bodies[0]
    opening = _BODY_OPEN.search(first)
    closing = list(_BODY_CLOSE.finditer(first))[-1]
    return first[:opening.end()] + "".join(parts) + first[closing.start():]


def split_pdf(pdf, keys):
    """Split ``pdf`` (documents one after the other, each starting on a new page) into one PDF per
    document, a document starting at the first page (after the previous document's start) whose text
    holds its access key. ``keys``: the access keys in the documents' order. None when a document
    cannot be found."""
    reader = PdfFileReader(io.BytesIO(pdf))

    def text(page_number):  # whitespace dropped: the key may be spaced out
        return "".join((reader.getPage(page_number).extract_text() or "").split())

    starts = []
    page = 0
    for key in keys:
        while page < reader.numPages and (not key or key not in text(page)):
            page += 1
        if page >= reader.numPages:
            return None
        starts.append(page)
        page += 1
    if not starts or starts[0] != 0:
        return None
    streams = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else reader.numPages
        writer = PdfFileWriter()
        for page_number in range(start, end):
            writer.addPage(reader.getPage(page_number))
        stream = io.BytesIO()
        writer.write(stream)
        streams.append(stream)
    return streams


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _get_report_url(self, layout=None):
        # The RIDE carries its own CSS: a caller may point wkhtmltopdf elsewhere for the assets
        # (used in test mode, where fetching them from the test HTTP server would deadlock).
        return self.env.context.get("l10n_ec_sri_report_url") or super()._get_report_url(layout=layout)

    def _l10n_ec_sri_is_ride(self):
        """A RIDE report of any SRI source (they share the RIDE's paper format and carry the access key)."""
        self.ensure_one()
        ride_paper = self.env.ref("l10n_ec_sri.paperformat_ride", raise_if_not_found=False)
        return bool(ride_paper and self.paperformat_id == ride_paper and self.model in self.env
                    and "l10n_ec_sri_access_key" in self.env[self.model]._fields)

    @api.model
    def _run_wkhtmltopdf(self, bodies, report_ref=False, header=None, footer=None, landscape=False,
                         specific_paperformat_args=None, set_viewport_size=False):
        # several RIDEs: one HTML document, so that wkhtmltopdf runs once on one input file
        if self.env.context.get(MERGE_CONTEXT) and len(bodies) > 1:
            merged = merge_bodies(bodies)
            if merged is not None:
                bodies = [merged]
        return super()._run_wkhtmltopdf(
            bodies, report_ref=report_ref, header=header, footer=footer, landscape=landscape,
            specific_paperformat_args=specific_paperformat_args, set_viewport_size=set_viewport_size)

    def _render_qweb_pdf_prepare_streams(self, report_ref, data, res_ids=None):
        report = self._get_report(report_ref)
        if not report._l10n_ec_sri_is_ride() or not res_ids or len(set(res_ids)) != len(res_ids) \
                or len(res_ids) < 2 or self.env.context.get(MERGE_CONTEXT):
            return super()._render_qweb_pdf_prepare_streams(report_ref, data, res_ids=res_ids)
        streams = super(IrActionsReport, self.with_context(**{MERGE_CONTEXT: True}))._render_qweb_pdf_prepare_streams(
            report_ref, data, res_ids=res_ids)
        missing = [res_id for res_id in res_ids if not (streams.get(res_id) or {}).get("stream")]
        whole = (streams.get(False) or {}).get("stream")
        if not missing or whole is None:
            return streams
        # this wkhtmltopdf makes no outline (unpatched Qt), so Odoo could not split the PDF per document:
        # split it on each document's access key, printed on its first page
        moves = self.env[report.model].browse(missing)
        try:
            parts = split_pdf(whole.getvalue(), [move.l10n_ec_sri_access_key for move in moves])
        except Exception:  # noqa: BLE001 - an unreadable PDF: the caller renders each document alone
            _logger.exception("SRI: the PDF of %s RIDEs could not be read", len(missing))
            return streams
        if parts is None:
            _logger.warning("SRI: the PDF of %s RIDEs could not be split per document", len(missing))
            return streams
        result = {}
        for res_id in res_ids:
            if res_id in missing:
                continue
            result[res_id] = streams[res_id]
        for move, stream in zip(moves, parts):
            attachment = None
            if report.attachment and not self.env.context.get("report_pdf_no_attachment"):
                attachment = report.retrieve_attachment(move)
            result[move.id] = {"stream": stream, "attachment": attachment}
        return {res_id: result[res_id] for res_id in res_ids}
