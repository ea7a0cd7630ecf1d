# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The complete export of a company's SRI data, and its restore.

An SRI administrator asks for it; a scheduled job builds it in the background, one part of
``DOCUMENTS_PER_PART`` documents at a time (each part a complete zip on disk, its progress committed),
so memory stays bounded whatever the size and a restart resumes at the next part. The parts are then
assembled into one ZIP (format: ``sri.archive``, documented in the module's README), the administrator gets
a mail with the download link, and ``python -m sri export restore`` reads it back into a database through
``restore_batch``."""
import base64
import binascii
import logging
import os
import secrets
import shutil
import time
from datetime import timedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import config, split_every

from odoo.addons.l10n_ec_sri.models.l10n_ec_sri_document import QUEUE_STATES, flow_env
from odoo.addons.l10n_ec_sri.sri import access_key as sri_access_key
from odoo.addons.l10n_ec_sri.sri import archive as sri_archive

_logger = logging.getLogger(__name__)

DOCUMENTS_PER_PART = 500
RECORDS_PER_READ = 1000
#: A restored document still on its way to the SRI keeps its state but never enters this database's queue:
#: the database it came from sends it (nothing is sent twice).
HELD_OUT_UNTIL = "9999-12-31 00:00:00"
#: A run of the scheduled job stops after at most this many seconds and triggers itself again; less when the
#: server kills scheduled jobs sooner (``limit_time_real_cron``, else ``limit_time_real``): half of that limit.
RUN_SECONDS = 240
#: A ready export is kept this many days (system parameter ``l10n_ec_sri_reports.export_keep_days``), then its
#: file is deleted and the export marked expired.
KEEP_DAYS = 7
ADMIN_GROUP = "l10n_ec_sri.group_l10n_ec_sri_admin"
PARTNER_FIELDS = ["name", "vat", "email", "phone", "street", "street2", "city", "zip", "is_company"]
PRODUCT_FIELDS = ["default_code", "name", "barcode", "type", "list_price"]


def run_seconds():
    """How long a run of the export job may work: RUN_SECONDS, or half of the server's time limit of a
    scheduled job when that is shorter, so a run is never killed mid-step."""
    limit = config.get("limit_time_real_cron")
    if limit is None or limit < 0:
        limit = config.get("limit_time_real")
    if not limit or limit <= 0:
        return RUN_SECONDS
    return max(10, min(RUN_SECONDS, limit // 2))


def _iso(value):
    return fields.Datetime.to_string(value) if value else None


class L10nEcSriExport(models.Model):
    _name = "l10n_ec_sri.export"
    _description = "Complete export of a company's SRI data"
    _order = "id desc"

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True,
                                 default=lambda self: self.env.company)
    user_id = fields.Many2one("res.users", string="Requested by", required=True, readonly=True,
                              default=lambda self: self.env.user)
    state = fields.Selection([
        ("queued", "Waiting"), ("running", "Being built"), ("done", "Ready"), ("failed", "Failed"),
        ("expired", "Expired"),
    ], default="queued", required=True, readonly=True, index=True)
    total = fields.Integer(string="Documents", readonly=True)
    done_count = fields.Integer(string="Documents exported", readonly=True)
    progress = fields.Float(compute="_compute_progress")
    part_count = fields.Integer(readonly=True)
    last_document_id = fields.Integer(readonly=True, help="The last document written to a part (where the job "
                                                           "resumes).")
    max_document_id = fields.Integer(readonly=True, help="The last document when the job started: the export holds "
                                                          "the documents up to it.")
    file_name = fields.Char(readonly=True)
    file_size = fields.Integer(string="Size (bytes)", readonly=True)
    date_done = fields.Datetime(string="Ready on", readonly=True)
    error = fields.Text(readonly=True)
    access_token = fields.Char(readonly=True, copy=False, groups="base.group_system")
    manifest = fields.Text(readonly=True)

    @api.depends("company_id", "create_date")
    def _compute_name(self):
        for export in self:
            export.name = _("Export of %(company)s, %(date)s", company=export.company_id.name,
                            date=fields.Datetime.to_string(export.create_date) or "")

    @api.depends("total", "done_count", "state")
    def _compute_progress(self):
        for export in self:
            if export.state == "done":
                export.progress = 100.0
            else:
                export.progress = 100.0 * export.done_count / export.total if export.total else 0.0

    # ------------------------------------------------------------------
    # Asking for it, getting it
    # ------------------------------------------------------------------
    def _check_admin(self, company=None):
        if not self.env.user.has_group(ADMIN_GROUP) and not self.env.su:
            raise AccessError(_("Only SRI administrators can export or restore a company's SRI data."))
        if company and company not in self.env.user.company_ids and not self.env.su:
            raise AccessError(_("You do not work in %s.", company.name))

    def action_request(self):
        """The SRI administrator's button: a new export of the current company, built in the background."""
        self._check_admin(self.env.company)
        running = self.sudo().search([("company_id", "=", self.env.company.id), ("state", "in", ("queued", "running"))])
        if running:
            raise UserError(_("An export of %s is already being built: you get a mail when it is ready.",
                              self.env.company.name))
        export = self.sudo().create({"company_id": self.env.company.id, "user_id": self.env.user.id,
                                     "access_token": secrets.token_urlsafe(32)})
        self.env["l10n_ec_sri.audit"]._log("export", self.env.company,
                                           detail=_("Complete export requested (%s)", export.id))
        self.env.ref("l10n_ec_sri_reports.ir_cron_l10n_ec_sri_export")._trigger()
        return {
            "type": "ir.actions.act_window", "res_model": self._name, "res_id": export.id,
            "view_mode": "form", "target": "current",
        }

    def _download_url(self):
        self.ensure_one()
        return f"/l10n_ec_sri/export/{self.id}/download?token={self.sudo().access_token}"

    def action_download(self):
        self.ensure_one()
        self._check_admin(self.company_id)
        if self.state == "expired":
            raise UserError(_("This export was deleted after %s days: ask for a new one.",
                              self.env["ir.config_parameter"].sudo().get_param(
                                  "l10n_ec_sri_reports.export_keep_days", KEEP_DAYS)))
        if self.state != "done":
            raise UserError(_("The export is not ready yet (%s %%).", int(self.progress)))
        return {"type": "ir.actions.act_url", "url": self._download_url(), "target": "self"}

    def unlink(self):
        for export in self:
            shutil.rmtree(export._folder(), ignore_errors=True)
        return super().unlink()

    # ------------------------------------------------------------------
    # Where it is built
    # ------------------------------------------------------------------
    def _folder(self):
        self.ensure_one()
        return os.path.join(config.filestore(self.env.cr.dbname), "l10n_ec_sri_export", str(self.id))

    def _part_path(self, index):
        return os.path.join(self._folder(), f"part-{index:05d}.zip")

    def _file_path(self):
        return os.path.join(self._folder(), self.file_name) if self.file_name else False

    def _documents_domain(self):
        domain = [("company_id", "=", self.company_id.id), ("access_key", "!=", False)]
        return domain + [("id", "<=", self.max_document_id)] if self.state == "running" else domain

    # ------------------------------------------------------------------
    # The scheduled job
    # ------------------------------------------------------------------
    @api.model
    def _cron_run(self, seconds=None):
        """Build the waiting exports, a part at a time, for up to ``seconds``; then trigger itself again.
        The final assembly (a copy of the parts, whose RIDEs are stored uncompressed) starts a run of its own
        when this one has used a quarter of its time, so that it has most of a run's time. Also deletes the
        files of the exports older than the retention."""
        started = time.monotonic()
        deadline = started + (seconds or run_seconds())
        commit = self.env["l10n_ec_sri.document"]._commit_allowed()
        self._expire()
        self._remove_parts()
        steps = 0
        while time.monotonic() < deadline:
            export = self._lock_next()
            if not export:
                return
            if steps and export._to_assemble() and time.monotonic() - started > (deadline - started) / 4:
                break  # the next run assembles it, with its whole time
            steps += 1
            try:
                finished = export._step()
            except Exception as exc:  # noqa: BLE001 - recorded on the export, the others go on
                _logger.exception("SRI export %s failed", export.id)
                if commit:
                    self.env.cr.rollback()
                export = self.browse(export.id)
                export.write({"state": "failed", "error": str(exc.args[0] if exc.args else exc)[:2000]})
                finished = True
            if commit:
                self.env.cr.commit()
            if finished:
                _logger.info("SRI export %s: %s", export.id, export.state)
                export._remove_parts()  # only once "done" is committed: a crash before leaves them to assemble
        if commit and self.search_count([("state", "in", ("queued", "running"))]):
            self.env.ref("l10n_ec_sri_reports.ir_cron_l10n_ec_sri_export")._trigger()

    def _lock_next(self):
        self.flush_model(["state"])
        self.env.cr.execute("""
            SELECT id FROM l10n_ec_sri_export WHERE state IN ('queued', 'running')
             ORDER BY id LIMIT 1 FOR NO KEY UPDATE SKIP LOCKED
        """)
        row = self.env.cr.fetchone()
        if not row:
            return self.browse()
        export = self.sudo().browse(row[0])
        export.invalidate_recordset()  # read what the last committed step wrote, whoever ran it
        return export

    def _to_assemble(self):
        """Every document is in a part: the next step is the assembly."""
        self.ensure_one()
        return self.state == "running" and not self.env["l10n_ec_sri.document"].sudo().search_count(
            self._documents_domain() + [("id", ">", self.last_document_id)], limit=1)

    def _remove_parts(self):
        """The parts of these exports once done (the ZIP holds them); of every export done when called on none."""
        exports = self or self.sudo().search([("state", "=", "done")])
        for export in exports:
            folder = export._folder()
            if export.state != "done" or not os.path.isdir(folder):
                continue
            for name in os.listdir(folder):
                if name.startswith("part-") and name.endswith(".zip"):
                    os.remove(os.path.join(folder, name))

    @api.model
    def _expire(self):
        """Exports older than the retention lose their file (a new export can be asked for at any time)."""
        days = int(self.env["ir.config_parameter"].sudo().get_param("l10n_ec_sri_reports.export_keep_days", KEEP_DAYS))
        if days <= 0:
            return
        old = self.sudo().search([("state", "=", "done"),
                                  ("date_done", "<", fields.Datetime.now() - timedelta(days=days))])
        failed = self.sudo().search([("state", "=", "failed"),
                                     ("write_date", "<", fields.Datetime.now() - timedelta(days=days))])
        for export in old | failed:
            shutil.rmtree(export._folder(), ignore_errors=True)
        old.write({"state": "expired"})

    def _step(self):
        """One step: the partners and products part, one part of documents, or the final assembly.
        Returns True once the export is done."""
        self.ensure_one()
        os.makedirs(self._folder(), exist_ok=True)
        Document = self.env["l10n_ec_sri.document"].sudo()
        if self.state == "queued":
            self._write_catalogs(self._part_path(0))
            documents = Document.search(self._documents_domain(), order="id desc")
            self.write({"state": "running", "part_count": 1, "total": len(documents),
                        "max_document_id": documents[:1].id or 0})
            return False
        documents = Document.search(self._documents_domain() + [("id", ">", self.last_document_id)],
                                    order="id", limit=DOCUMENTS_PER_PART)
        if documents:
            self._write_documents(self._part_path(self.part_count), documents)
            self.write({"part_count": self.part_count + 1, "last_document_id": documents[-1].id,
                        "done_count": self.done_count + len(documents)})
            self.env.invalidate_all()  # bounded memory: nothing of this part stays in the cache
            return False
        self._assemble()
        return True

    # partners and products --------------------------------------------------------------------------
    def _write_catalogs(self, path):
        company = self.company_id
        partners = self.env["res.partner"].sudo().with_context(active_test=False).search(
            [("company_id", "in", (False, company.id))], order="id")
        products = self.env["product.product"].sudo().with_context(active_test=False).search(
            [("company_id", "in", (False, company.id))], order="id")
        id_types = {}
        with sri_archive.PartWriter(path) as part:
            for chunk in split_every(RECORDS_PER_READ, partners.ids):
                records = self.env["res.partner"].sudo().browse(chunk)
                for partner, values in zip(records, records.read(PARTNER_FIELDS, load=None), strict=True):
                    id_type = partner.l10n_latam_identification_type_id
                    if id_type and id_type.id not in id_types:
                        id_types[id_type.id] = id_type.get_external_id().get(id_type.id) or id_type.name
                    values.update(
                        identification_type=id_types.get(id_type.id), country=partner.country_id.code or None,
                        active=partner.active)
                    part.add("partners", values)
                self.env.invalidate_all()
            for chunk in split_every(RECORDS_PER_READ, products.ids):
                records = self.env["product.product"].sudo().browse(chunk)
                for product, values in zip(records, records.read(PRODUCT_FIELDS, load=None), strict=True):
                    values.update(uom=product.uom_id.name, sale_taxes=product.taxes_id.mapped("name"),
                                  purchase_taxes=product.supplier_taxes_id.mapped("name"), active=product.active)
                    part.add("products", values)
                self.env.invalidate_all()

    # documents --------------------------------------------------------------------------------------
    def _write_documents(self, path, documents):
        kinds = dict(self.env["l10n_ec_sri.document"]._fields["kind"].selection)
        with sri_archive.PartWriter(path) as part:
            for doc in documents:
                xml_attachment = doc.authorized_xml_id or (doc.xml_id if doc._may_be_at_sri() else False)
                source = doc._source()
                key = sri_access_key.parse(doc.access_key) if sri_access_key.is_valid(doc.access_key) else None
                values = {
                    "id": doc.id, "access_key": doc.access_key, "kind": doc.kind, "kind_name": kinds.get(doc.kind),
                    "number": doc.name, "state": doc.state, "environment": doc.environment,
                    "authorization_number": doc.authorization_number or None,
                    "authorization_date": _iso(doc.authorization_date),
                    "issue_date": key.emission_date.isoformat() if key else None,
                    "partner_id": doc.partner_id.id or None, "partner_vat": doc.partner_id.vat or None,
                    "partner_name": doc.partner_id.name or None,
                    "source_model": doc.res_model, "source_id": doc.res_id,
                    "source_name": source.display_name if source.exists() else None,
                    "amount_total": source.amount_total if "amount_total" in source._fields else None,
                    "currency": doc.company_id.currency_id.name,
                    "annul_reason": doc.annul_reason or None, "mailed": doc.mailed,
                    "created": _iso(doc.create_date),
                    "xml_kind": ("authorized" if doc.authorized_xml_id else "signed") if xml_attachment else None,
                }
                part.add_document(values, xml=xml_attachment.raw if xml_attachment else None,
                                  ride=doc.ride_id.raw if doc.ride_id else None)

    def _assemble(self):
        company = self.company_id
        stamp = self.create_date.strftime("%Y%m%d-%H%M%S")  # the same name if a crash makes it assemble again
        file_name = f"sri-export-{company.vat or company.id}-{stamp}.zip"
        out = os.path.join(self._folder(), file_name)
        parts = [self._part_path(index) for index in range(self.part_count)]
        manifest = sri_archive.assemble(parts, out, {"ruc": company.vat or "", "name": company.name},
                                        extra={"database": self.env.cr.dbname, "export_id": self.id})
        self.write({"state": "done", "file_name": file_name, "file_size": os.path.getsize(out),
                    "date_done": fields.Datetime.now(), "manifest": str(manifest.get("counts"))})
        self._mail_ready()

    def _mail_ready(self):
        user = self.user_id
        if not user.email:
            return
        url = f"{self.get_base_url()}{self._download_url()}"
        body = _(
            "<p>The complete export of the SRI data of %(company)s is ready: %(count)s documents, %(size)s MB.</p>"
            "<p><a href=\"%(url)s\">Download the export</a> (you need to be signed in as an SRI administrator).</p>",
            company=self.company_id.name, count=self.total, size=round(self.file_size / 1e6, 1), url=url)
        self.env["mail.mail"].sudo().create({
            "subject": _("SRI export of %s ready", self.company_id.name), "body_html": body,
            "email_to": user.email_formatted, "auto_delete": False,
            "email_from": self.company_id.email_formatted or self.env.user.email_formatted,
        })

    # ------------------------------------------------------------------
    # Restore (python -m sri export restore, over XML-RPC)
    # ------------------------------------------------------------------
    @api.model
    def restore_batch(self, payload):
        """Restore partners or documents of an export into the current company (same RUC). A document whose
        access key is already in the database is skipped: a restore can be run again after an interruption.
        Returns {"created": n, "skipped": n}."""
        company = self.env.company
        self._check_admin(company)
        if not isinstance(payload, dict) or payload.get("format") != sri_archive.FORMAT \
                or payload.get("version") != sri_archive.VERSION:
            raise UserError(_("This is not an SRI export of version %s.", sri_archive.VERSION))
        if (payload.get("company_ruc") or "") != (company.vat or ""):
            raise UserError(_("The export is of RUC %(export)s, the current company %(company)s has RUC %(ruc)s: "
                              "switch to that company first.", export=payload.get("company_ruc"),
                              company=company.name, ruc=company.vat or "-"))
        if "partners" in payload:
            return self._restore_partners(payload["partners"] or [])
        if "products" in payload:
            return self._restore_products(payload["products"] or [])
        return self._restore_documents(payload.get("documents") or [])

    def _restore_partners(self, rows):
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        created = skipped = 0
        for row in rows:
            vat = row.get("vat")
            if not vat or Partner.search_count([("vat", "=", vat), ("company_id", "in", (False, self.env.company.id))],
                                               limit=1):
                skipped += 1
                continue
            values = {field: row.get(field) for field in PARTNER_FIELDS if row.get(field) not in (None, "")}
            id_type = row.get("identification_type")
            id_type = id_type and (self.env.ref(id_type, raise_if_not_found=False)
                                   or self.env["l10n_latam.identification.type"].search([("name", "=", id_type)],
                                                                                        limit=1))
            if id_type:
                values["l10n_latam_identification_type_id"] = id_type.id
            country = row.get("country") and self.env["res.country"].search([("code", "=", row["country"])], limit=1)
            if country:
                values["country_id"] = country.id
            Partner.create(values)
            created += 1
        return {"created": created, "skipped": skipped}

    def _restore_products(self, rows):
        """Products by internal reference (else barcode, else name): one already there is skipped. They are
        created in the current company, with their unit and taxes when this database has them by name."""
        company = self.env.company
        Product = self.env["product.product"].sudo().with_context(active_test=False)
        Tax = self.env["account.tax"].sudo().with_context(active_test=False)
        created = skipped = 0
        for row in rows:
            if not row.get("name"):
                skipped += 1
                continue
            same = next(([(field, "=", row[field])] for field in ("default_code", "barcode") if row.get(field)),
                        [("name", "=", row["name"])])
            if Product.search_count(same + [("company_id", "in", (False, company.id))], limit=1):
                skipped += 1
                continue
            values = {field: row[field] for field in PRODUCT_FIELDS if row.get(field) not in (None, "")}
            values.update(company_id=company.id, active=row.get("active", True) is not False)
            if values.get("type") not in Product._fields["type"].get_values(self.env):
                values.pop("type", None)
            uom = row.get("uom") and self.env["uom.uom"].search([("name", "=", row["uom"])], limit=1)
            if uom:
                values.update(uom_id=uom.id, uom_po_id=uom.id)
            for key, field, use in (("sale_taxes", "taxes_id", "sale"), ("purchase_taxes", "supplier_taxes_id",
                                                                       "purchase")):
                taxes = Tax.search([("name", "in", row.get(key) or []), ("type_tax_use", "=", use),
                                    ("company_id", "=", company.id)]) if row.get(key) else Tax
                values[field] = [Command.set(taxes.ids)]
            Product.create(values)
            created += 1
        return {"created": created, "skipped": skipped}

    def _restore_documents(self, rows):
        company = self.env.company
        Document = self.env["l10n_ec_sri.document"].sudo()
        kinds = dict(Document._fields["kind"].selection)
        states = dict(Document._fields["state"].selection)
        created, skipped = Document, 0
        held_out = {"next_try": HELD_OUT_UNTIL, "last_error": _(
            "Restored from an export while it was on its way to the SRI: the database it was exported from sends "
            "it, never this one.")}
        for row in rows:
            key = row.get("access_key") or ""
            if not sri_access_key.is_valid(key) or key[10:23] != (company.vat or ""):
                raise UserError(_("The access key %s is not one of this company's.", key))
            if row.get("kind") not in kinds or row.get("state") not in states:
                raise UserError(_("The document %s has an unknown type or state.", key))
            if Document.search_count([("access_key", "=", key)], limit=1):
                skipped += 1
                continue
            xml = _decoded(row, "xml", key)
            ride = _decoded(row, "ride", key)
            problems = sri_archive.check_document(row, xml=xml, ride=ride)
            if problems:
                raise UserError(_("The document %(key)s cannot be restored, nothing of this batch was: %(problems)s",
                                  key=key, problems="; ".join(problems[:5])))
            partner = self.env["res.partner"].sudo().search(
                [("vat", "=", row.get("partner_vat")), ("company_id", "in", (False, company.id))], limit=1) \
                if row.get("partner_vat") else self.env["res.partner"]
            source = self.env["l10n_ec_sri.restored"].sudo().create({
                "name": row.get("number") or key, "company_id": company.id, "partner_id": partner.id,
                "kind": row["kind"], "origin_model": row.get("source_model"), "origin_name": row.get("source_name"),
                "amount_total": row.get("amount_total") or 0.0,
            })
            document = flow_env(Document).create({
                "name": row.get("number"), "kind": row["kind"], "res_model": source._name, "res_id": source.id,
                "company_id": company.id, "partner_id": partner.id, "access_key": key, "state": row["state"],
                "environment": row.get("environment") or False, "sent": True,
                "authorization_number": row.get("authorization_number") or False,
                "authorization_date": row.get("authorization_date") or False,
                "annul_reason": row.get("annul_reason") or False,
                "mailed": True, "mail_state": "sent",
                **(held_out if row["state"] in QUEUE_STATES else {}),
            })
            vals = {}
            Attachment = flow_env(self.env["ir.attachment"])
            if xml is not None:
                field = "authorized_xml_id" if row.get("xml_kind") != "signed" else "xml_id"
                vals[field] = Attachment.create({
                    "name": f"{key}.xml", "raw": xml, "mimetype": "application/xml",
                    "res_model": source._name, "res_id": source.id, "company_id": company.id}).id
            if ride is not None:
                vals["ride_id"] = Attachment.create({
                    "name": f"{key}.pdf", "raw": ride, "mimetype": "application/pdf",
                    "res_model": source._name, "res_id": source.id, "company_id": company.id}).id
            if vals:
                flow_env(document).write(vals)
            source.document_id = document
            created |= document
        self.env["l10n_ec_sri.audit"]._log("restore", created, detail=_("Restored from an export"))
        return {"created": len(created), "skipped": skipped}


def _decoded(row, field, key):
    data = row.get(f"{field}_b64")
    if data is None:
        return None
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise UserError(_("The %(file)s of %(key)s is damaged.", file=field.upper(), key=key)) from None
    return raw

