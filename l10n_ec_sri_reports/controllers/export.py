# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The download of a complete export: streamed from disk, for an SRI administrator of its company."""
import hmac
import os

from odoo import http
from odoo.http import request


class L10nEcSriExportController(http.Controller):

    @http.route("/l10n_ec_sri/export/<int:export_id>/download", type="http", auth="user", methods=["GET"])
    def download(self, export_id, token=None, **kwargs):
        export = request.env["l10n_ec_sri.export"].sudo().browse(export_id).exists()
        user = request.env.user
        if not export or export.state != "done" or not token \
                or not hmac.compare_digest(token, export.access_token or "") \
                or not user.has_group("l10n_ec_sri.group_l10n_ec_sri_admin") \
                or export.company_id not in user.company_ids:
            raise request.not_found()
        path = export._file_path()
        if not path or not os.path.exists(path):
            raise request.not_found()
        request.env["l10n_ec_sri.audit"]._log("download", export.company_id, detail=export.file_name)
        stream = http.Stream(type="path", path=path, download_name=export.file_name, mimetype="application/zip",
                             size=os.path.getsize(path), last_modified=os.path.getmtime(path))
        return stream.get_response(as_attachment=True)
