# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Import received SRI documents: XML files, access keys typed or pasted, or the TXT list of received
documents of SRI en línea. The import itself is ``l10n_ec_sri.received._l10n_ec_sri_import``; the wizard
collects the inputs and shows what was imported and what was refused, with the reasons."""
import base64

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class L10nEcSriImportWizard(models.TransientModel):
    _name = "l10n_ec_sri.import.wizard"
    _description = "Import received SRI documents"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company,
                                 domain=lambda self: [("id", "in", self.env.companies.ids)])
    state = fields.Selection([("input", "Input"), ("done", "Done")], default="input", required=True)
    attachment_ids = fields.Many2many(
        "ir.attachment", "l10n_ec_sri_import_wizard_attachment_rel", "wizard_id", "attachment_id", string="XML files",
        help="The authorized XML of the documents (as the supplier mailed them, or downloaded from SRI en línea).")
    keys_text = fields.Text(string="Access keys",
                            help="One or several 49-digit access keys, separated by spaces, commas or new lines.")
    txt_file = fields.Binary(string="SRI en línea TXT list", attachment=False,
                             help="The TXT report \"Comprobantes electrónicos recibidos\" of SRI en línea: the "
                                  "documents of its access keys are downloaded from the SRI.")
    txt_filename = fields.Char()
    received_ids = fields.Many2many("l10n_ec_sri.received", string="Imported documents", readonly=True)
    errors = fields.Text(string="Refused", readonly=True)
    summary = fields.Char(readonly=True)

    def _import_inputs(self):
        """(datas, keys, errors) of what the user gave."""
        self.ensure_one()
        datas = [(attachment.name, attachment.raw) for attachment in self.attachment_ids]
        if self.txt_file:
            datas.append((self.txt_filename or "recibidos.txt", base64.b64decode(self.txt_file)))
        keys, errors = self.env["l10n_ec_sri.received"]._l10n_ec_sri_parse_keys(self.keys_text)
        return datas, keys, errors

    @api.model
    def _format_errors(self, errors):
        return "\n".join(f"{label}: {reason}" for label, reason in errors)

    def action_import(self):
        self.ensure_one()
        datas, keys, errors = self._import_inputs()
        if not (datas or keys or errors):
            raise UserError(_("Upload the XML files of the documents, type or paste their access keys, or upload "
                              "the TXT list of received documents of SRI en línea."))
        records, refused = self.env["l10n_ec_sri.received"]._l10n_ec_sri_import(
            self.company_id, datas=datas, keys=keys)
        errors = errors + refused
        if not records:
            raise UserError(_("Nothing was imported:\n%s", self._format_errors(errors)))
        self._cleanup_uploads()
        self.write({
            "state": "done",
            "received_ids": [fields.Command.set(records.ids)],
            "errors": self._format_errors(errors) or False,
            "summary": _("%(imported)s document(s) imported, %(refused)s refused.",
                         imported=len(records), refused=len(errors)),
        })
        return {
            "type": "ir.actions.act_window",
            "name": _("Import received SRI documents"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _cleanup_uploads(self):
        """The uploaded files are copies: each imported document keeps its own XML."""
        uploads = self.attachment_ids.filtered(
            lambda a: a.res_model in (False, self._name) and a.create_uid == self.env.user)
        self.attachment_ids = [fields.Command.clear()]
        uploads.sudo().unlink()

    def action_open_received(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Received documents"),
            "res_model": "l10n_ec_sri.received",
            "domain": [("id", "in", self.received_ids.ids)],
            "view_mode": "list,form",
        }
