# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The XML and RIDE files of an electronic document that may be at the SRI cannot be changed or
deleted by anyone but the SRI flow."""
from odoo import _, models
from odoo.exceptions import UserError

from .l10n_ec_sri_document import REGISTERED_STATES, is_flow

#: What makes an attachment the file it is (its content and where it belongs).
PROTECTED_FIELDS = frozenset({"raw", "datas", "db_datas", "store_fname", "url", "type", "res_model", "res_id",
                              "res_field", "name", "mimetype", "checksum", "file_size", "company_id"})


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    def _l10n_ec_sri_check_protected(self):
        if not self.ids or is_flow(self.env):
            return
        self.env["l10n_ec_sri.document"].flush_model(["xml_id", "authorized_xml_id", "ride_id", "state", "sent"])
        self.env.cr.execute("""
            SELECT DISTINCT a.id
              FROM l10n_ec_sri_document d
              JOIN ir_attachment a ON a.id IN (d.authorized_xml_id, d.ride_id)
                   OR (a.id = d.xml_id AND (d.sent OR d.state IN %s))
             WHERE a.id IN %s
        """, [REGISTERED_STATES + ("returned",), tuple(self.ids)])
        protected = [row[0] for row in self.env.cr.fetchall()]
        if protected:
            names = ", ".join(self.browse(protected).sudo().mapped("name"))
            raise UserError(_(
                "%s belongs to an electronic document that the SRI has or may have: it is kept as it is, and "
                "nobody, administrators included, can change or delete it.", names))

    def write(self, vals):
        if PROTECTED_FIELDS.intersection(vals):
            self._l10n_ec_sri_check_protected()
        return super().write(vals)

    def unlink(self):
        self._l10n_ec_sri_check_protected()
        return super().unlink()
