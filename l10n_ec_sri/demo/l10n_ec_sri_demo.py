# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Demo data of l10n_ec_sri, and the same set-up for tests and benchmarks.

``demo/l10n_ec_sri_demo.xml`` creates the company "Andes Demo S.A.", its customers and products
as plain records, then calls ``l10n_ec_sri.demo._l10n_ec_sri_load_demo`` which needs Python:
the Ecuadorian chart of accounts for the company, a test signing certificate generated for its
RUC (stored encrypted by the certificate model), the sale journal, taxes on the products and a few
invoices (some posted: they get their access key, XML and signature and wait in the SRI queue
for the cron; nothing talks to the SRI, or to the simulator, while the module installs).

``_l10n_ec_sri_setup_company`` is what tests (tests/test_xmlrpc.py, tests/test_tour.py) and
bench/odoo_flow.py use to make any company ready to issue electronic documents.
"""
import base64
import io
import logging
import os
import secrets

from PIL import Image, ImageDraw, ImageFont

from odoo import Command, api, models

from odoo.addons.l10n_ec_sri.sri import identification, testing
from odoo.addons.l10n_ec_sri.sri.documents import today_ecuador

_logger = logging.getLogger(__name__)

SIMULATOR_URL = "http://127.0.0.1:8099"
DEMO_COMPANY = "l10n_ec_sri.demo_company_andes"
# l10n_ec tax templates (data/template/account.tax-ec.csv) used for sales, by IVA rate.
SALE_TAXES = {
    15: "tax_vat_15_411_goods",
    5: "tax_vat_05_411_goods",  # shipped inactive by l10n_ec: activated for SRI companies
    0: "tax_vat_415_goods",
}


class L10nEcSriDemo(models.AbstractModel):
    _name = "l10n_ec_sri.demo"
    _description = "SRI demo data and test set-up"

    # ------------------------------------------------------------------
    # Reusable set-up (demo, tests, benchmarks)
    # ------------------------------------------------------------------
    @api.model
    def _l10n_ec_sri_setup_company(self, company, endpoint_url=SIMULATOR_URL, certificate_password=None):
        """Make ``company`` (Ecuadorian, with its RUC as vat) ready to issue SRI documents:
        ``ec`` chart of accounts, SRI test environment on the simulator at ``endpoint_url``, a
        generated test certificate for its RUC, sale journal 001-001 with documents, 5 % IVA active.
        Returns the sale journal."""

        company = company.sudo()
        ruc = identification.validate_ruc(company.vat)
        partner = company.partner_id
        if partner.country_id.code != "EC" or not partner.l10n_latam_identification_type_id:
            partner.write({
                "country_id": self.env.ref("base.ec").id,
                "l10n_latam_identification_type_id": self.env.ref("l10n_ec.ec_ruc").id,
            })
        if company.currency_id != self.env.ref("base.USD"):
            company.currency_id = self.env.ref("base.USD")
        if company.chart_template != "ec":
            self.env["account.chart.template"].try_loading("ec", company, install_demo=False)
        # try_loading may have reset the environment (new registry): work on fresh records
        company = self.env["res.company"].sudo().browse(company.id)
        for rate in SALE_TAXES:
            self._l10n_ec_sri_sale_tax(company, rate).active = True

        password = certificate_password or secrets.token_urlsafe(18)
        # scripts/run.sh exports L10N_EC_SRI_DEMO_CA (the demo CA the simulator trusts); unset, the
        # certificate comes from the per-process test CA (a simulator without --trust-ca accepts it).
        ca_dir = os.environ.get("L10N_EC_SRI_DEMO_CA")
        p12 = testing.make_p12(
            password=password, ruc=ruc, common_name=(company.name or "").upper()[:64], days_valid=3650,
            ca=testing.demo_ca(ca_dir) if ca_dir else None)
        certificate = self.env["l10n_ec_sri.certificate"].sudo().create({
            "name": "Certificado de pruebas %s" % company.name,
            "company_id": company.id,
            "p12_file": base64.b64encode(p12),
            "p12_filename": "%s.p12" % ruc,
            "password": password,
        })
        company.write({
            "l10n_ec_sri_environment": "1",
            "l10n_ec_sri_endpoint": "simulator",
            "l10n_ec_sri_endpoint_url": endpoint_url,
            "l10n_ec_sri_certificate_id": certificate.id,
            "l10n_ec_sri_accounting_required": True,
        })
        journal = self._l10n_ec_sri_sale_journal(company)
        journal.write({
            "l10n_latam_use_documents": True,
            "l10n_ec_entity": "001",
            "l10n_ec_emission": "001",
            "l10n_ec_emission_address_id": company.partner_id.id,
        })
        return journal

    @api.model
    def _l10n_ec_sri_sale_journal(self, company):
        return self.env["account.journal"].sudo().search([
            ("company_id", "=", company.id), ("type", "=", "sale"),
        ], order="sequence, id", limit=1)

    @api.model
    def _l10n_ec_sri_sale_tax(self, company, rate):
        """The company's sale IVA tax of ``rate`` (15, 5 or 0 %), created by the ec chart."""
        tax = self.env["account.chart.template"].with_company(company).ref(
            SALE_TAXES[rate], raise_if_not_found=False)
        if not tax:
            tax = self.env["account.tax"].sudo().with_context(active_test=False).search([
                ("company_id", "=", company.id), ("type_tax_use", "=", "sale"),
                ("amount", "=", rate), ("amount_type", "=", "percent"),
                ("tax_group_id.l10n_ec_type", "=", "zero_vat" if rate == 0 else "vat%02d" % rate),
            ], limit=1)
        return tax

    @api.model
    def _l10n_ec_sri_invoice_values(self, company, partner, lines, journal=None, payment_code="20", **extra):
        """Values of a customer invoice; ``lines`` are (product, quantity, price_unit) tuples,
        the product's own taxes apply."""

        payment = self.env["l10n_ec.sri.payment"].search([("code", "=", payment_code)], limit=1)
        return {
            "move_type": "out_invoice",
            "company_id": company.id,
            "journal_id": (journal or self._l10n_ec_sri_sale_journal(company)).id,
            "partner_id": partner.id,
            "invoice_date": today_ecuador(),
            "l10n_ec_sri_payment_id": payment.id,
            "invoice_line_ids": [
                Command.create({
                    "product_id": product.id,
                    "quantity": quantity,
                    "price_unit": price_unit,
                    "tax_ids": [Command.set(product.taxes_id.filtered(lambda t: t.company_id == company).ids)],
                })
                for product, quantity, price_unit in lines
            ],
            **extra,
        }

    # ------------------------------------------------------------------
    # Demo data (called from demo/l10n_ec_sri_demo.xml)
    # ------------------------------------------------------------------
    @api.model
    def _l10n_ec_sri_demo_logo(self):
        """A plain logo for the demo company (the RIDE prints the company logo)."""
        image = Image.new("RGB", (480, 160), (255, 255, 255))
        draw = ImageDraw.Draw(image)
        draw.polygon([(20, 140), (90, 30), (130, 90), (160, 55), (230, 140)], fill=(31, 92, 153))
        draw.polygon([(70, 62), (90, 30), (110, 62)], fill=(255, 255, 255))
        try:
            font = ImageFont.truetype("DejaVuSans-Bold.ttf", 46)
            small = ImageFont.truetype("DejaVuSans.ttf", 22)
        except OSError:
            font = small = ImageFont.load_default()
        draw.text((245, 40), "ANDES", fill=(31, 92, 153), font=font)
        draw.text((248, 98), "Demo S.A.", fill=(90, 90, 90), font=small)
        out = io.BytesIO()
        image.save(out, format="PNG")
        return base64.b64encode(out.getvalue())

    @api.model
    def _l10n_ec_sri_load_demo(self):
        company = self.env.ref(DEMO_COMPANY, raise_if_not_found=False)
        if not company or company.l10n_ec_sri_certificate_id:
            return  # nothing to do, or already done
        journal = self._l10n_ec_sri_setup_company(company)
        company = self.env["res.company"].browse(company.id)
        company.logo = self._l10n_ec_sri_demo_logo()
        ref = self.env.ref

        # Products: taxes of the demo company only.
        for xmlid, rate in (
            ("l10n_ec_sri.demo_product_laptop", 15),
            ("l10n_ec_sri.demo_product_support", 15),
            ("l10n_ec_sri.demo_product_construction", 5),
            ("l10n_ec_sri.demo_product_bananas", 0),
            ("l10n_ec_sri.demo_product_book", 0),
        ):
            ref(xmlid).write({"taxes_id": [Command.set(self._l10n_ec_sri_sale_tax(company, rate).ids)]})

        # The admin opens on the demo company and administers its SRI documents.
        ref("base.user_admin").write({
            "company_ids": [Command.link(company.id)],
            "company_id": company.id,
            "groups_id": [Command.link(ref("l10n_ec_sri.group_l10n_ec_sri_admin").id)],
        })

        customer_company = ref("l10n_ec_sri.demo_partner_comercial_pichincha")
        person = ref("l10n_ec_sri.demo_partner_maria_andrade")
        final_consumer = ref("l10n_ec.ec_final_consumer")
        laptop = ref("l10n_ec_sri.demo_product_laptop")
        support = ref("l10n_ec_sri.demo_product_support")
        construction = ref("l10n_ec_sri.demo_product_construction")
        bananas = ref("l10n_ec_sri.demo_product_bananas")
        book = ref("l10n_ec_sri.demo_product_book")
        plans = [
            # (xml id, partner, lines, post)
            ("demo_invoice_1", customer_company, [(laptop, 2, 850.0), (support, 10, 35.0)], True),
            ("demo_invoice_2", person, [(book, 3, 18.5), (bananas, 20, 0.45)], True),
            ("demo_invoice_3", final_consumer, [(bananas, 12, 0.45), (book, 1, 18.5)], True),
            ("demo_invoice_4", customer_company, [(construction, 40, 12.75), (support, 4, 35.0)], True),
            ("demo_invoice_5", person, [(laptop, 1, 850.0), (book, 2, 18.5), (bananas, 5, 0.45)], True),
            ("demo_invoice_6", customer_company, [(support, 8, 35.0)], False),
            ("demo_invoice_7", person, [(construction, 10, 12.75), (bananas, 30, 0.45)], False),
        ]
        Move = self.env["account.move"].with_company(company).with_context(
            allowed_company_ids=company.ids, default_move_type="out_invoice")
        IMD = self.env["ir.model.data"]
        to_post = Move
        for xmlid, partner, lines, post in plans:
            move = Move.create(self._l10n_ec_sri_invoice_values(company, partner, lines, journal=journal))
            IMD._update_xmlids([{"xml_id": f"l10n_ec_sri.{xmlid}", "record": move, "noupdate": True}])
            if post:
                to_post |= move
        # Posting checks, builds, validates and signs the XML; the SRI cron sends them later.
        to_post.action_post()
        _logger.info("l10n_ec_sri demo: %s invoices of %s, %s posted and queued for the SRI",
                     len(plans), company.name, len(to_post))
        self._l10n_ec_sri_demo_liquidation(company)
        # drafts of the notes, posted by ir_cron_l10n_ec_sri_demo_notes once demo_invoice_1 is authorized
        invoice = ref("l10n_ec_sri.demo_invoice_1")
        reversal = self.env["account.move.reversal"].with_company(company).with_context(
            active_model="account.move", active_ids=invoice.ids).create({
                "reason": "Devolución de un computador portátil", "journal_id": journal.id, "date": today_ecuador()})
        refund = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
        refund.invoice_date = today_ecuador()
        refund.invoice_line_ids.filtered(lambda l: l.product_id == support).unlink()
        refund.invoice_line_ids.write({"quantity": 1})
        debit_vals = self._l10n_ec_sri_invoice_values(company, customer_company, [(support, 2, 35.0)], journal=journal)
        debit_vals.update({"debit_origin_id": invoice.id, "l10n_latam_document_type_id": ref("l10n_ec.ec_dt_05").id})
        debit = Move.create(debit_vals)
        for xmlid, move in (("demo_credit_note_1", refund), ("demo_debit_note_1", debit)):
            IMD._update_xmlids([{"xml_id": f"l10n_ec_sri.{xmlid}", "record": move, "noupdate": True}])

    @api.model
    def _l10n_ec_sri_demo_liquidation(self, company):
        """A purchase journal issuing liquidaciones de compra (001-002) and one liquidación, posted and queued."""
        Journal = self.env["account.journal"].sudo()
        journal = Journal.search([("company_id", "=", company.id), ("l10n_ec_sri_liquidation", "=", True)], limit=1)
        if not journal:
            purchase = Journal.search([("company_id", "=", company.id), ("type", "=", "purchase")], limit=1)
            journal = Journal.create({
                "default_account_id": purchase.default_account_id.id,
                "name": "Liquidaciones de compra", "code": "LIQ", "type": "purchase", "company_id": company.id,
                "l10n_latam_use_documents": True, "l10n_ec_sri_liquidation": True,
                "l10n_ec_entity": "001", "l10n_ec_emission": "002",
                "l10n_ec_emission_address_id": company.partner_id.id,
            })
        tax_0 = self.env["account.chart.template"].with_company(company).ref("tax_vat_517_sup_07")
        move = self.env["account.move"].with_company(company).create({
            "move_type": "in_invoice", "company_id": company.id, "journal_id": journal.id,
            "partner_id": self.env.ref("l10n_ec_sri.demo_partner_farmer").id, "invoice_date": today_ecuador(),
            "invoice_line_ids": [Command.create({"name": "Quintales de maíz seco", "quantity": 12, "price_unit": 28.5,
                                                 "tax_ids": [Command.set(tax_0.ids)]})],
        })
        self.env["ir.model.data"]._update_xmlids([{"xml_id": "l10n_ec_sri.demo_liquidation_1", "record": move,
                                                    "noupdate": True}])
        move.action_post()
        return move

    @api.model
    def _l10n_ec_sri_demo_notes(self):
        """Post the demo credit and debit notes once their invoice is authorized; then this job stops."""
        notes = [self.env.ref(f"l10n_ec_sri.{xmlid}", raise_if_not_found=False)
                 for xmlid in ("demo_credit_note_1", "demo_debit_note_1")]
        notes = self.env["account.move"].union(*[note for note in notes if note]).filtered(lambda m: m.state == "draft")
        cron = self.env.ref("l10n_ec_sri.ir_cron_l10n_ec_sri_demo_notes", raise_if_not_found=False)
        if not notes:
            if cron and self.env.context.get("ir_cron_progress_id"):
                # a running job cannot write itself (Odoo locks its row): the scheduler deactivates it
                self.env["ir.cron"]._notify_progress(done=0, remaining=0, deactivate=True)
            elif cron:
                cron.sudo().active = False
            return
        invoice = self.env.ref("l10n_ec_sri.demo_invoice_1")
        if invoice.l10n_ec_sri_state != "authorized":
            return  # not yet: the SRI cron sends it
        notes.action_post()
        _logger.info("l10n_ec_sri demo: credit and debit notes of %s posted", invoice.name)
