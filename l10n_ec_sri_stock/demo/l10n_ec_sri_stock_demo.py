# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Demo of l10n_ec_sri_stock for "Andes Demo S.A." (``demo/l10n_ec_sri_stock_demo.xml`` calls it): its warehouse
issues guías from establecimiento 002, punto de emisión 001; a carrier with its plate; two stored products; a
validated delivery of the goods of demo_invoice_1 to its customer; and its guía de remisión posted, which the queue
sends to the simulator of ``make run`` like the demo invoices (nothing is sent while installing); a second validated
delivery waiting for its guía, and a warehouse user (login and password ``bodega``, Inventory / User only) to issue
it."""
import logging

from odoo import Command, api, models

from odoo.addons.l10n_ec_sri.sri.documents import today_ecuador

_logger = logging.getLogger(__name__)


class L10nEcSriDemo(models.AbstractModel):
    _inherit = "l10n_ec_sri.demo"

    @api.model
    def _l10n_ec_sri_stock_warehouse(self, company, entity="002", emission="001"):
        """The company's warehouse, ready to issue guías on ``entity``-``emission`` (tests and demo)."""
        Warehouse = self.env["stock.warehouse"].sudo()
        warehouse = Warehouse.search([("company_id", "=", company.id)], limit=1)
        if not warehouse:
            warehouse = Warehouse.create({"name": company.name, "code": "WH%s" % company.id,
                                          "company_id": company.id, "partner_id": company.partner_id.id})
        warehouse.write({"l10n_ec_sri_guide_entity": entity, "l10n_ec_sri_guide_emission": emission})
        return warehouse

    @api.model
    def _l10n_ec_sri_stock_delivery(self, warehouse, partner, products, validate=True):
        """A delivery of ``products`` ({product: quantity}) from ``warehouse`` to ``partner``, validated."""
        picking_type = warehouse.out_type_id
        Picking = self.env["stock.picking"].with_company(warehouse.company_id)
        picking = Picking.create({
            "picking_type_id": picking_type.id,
            "partner_id": partner.id,
            "location_id": picking_type.default_location_src_id.id,
            "location_dest_id": self.env.ref("stock.stock_location_customers").id,
            "move_ids": [Command.create({
                "name": product.display_name, "product_id": product.id, "product_uom_qty": quantity,
                "product_uom": product.uom_id.id, "location_id": picking_type.default_location_src_id.id,
                "location_dest_id": self.env.ref("stock.stock_location_customers").id,
            }) for product, quantity in products.items()],
        })
        picking.action_confirm()
        if validate:
            for move in picking.move_ids:
                move.quantity = move.product_uom_qty
            picking.move_ids.picked = True
            picking.with_context(skip_backorder=True, skip_sms=True).button_validate()
        return picking

    @api.model
    def _l10n_ec_sri_stock_load_demo(self):
        company = self.env.ref("l10n_ec_sri.demo_company_andes", raise_if_not_found=False)
        if not company or not company.l10n_ec_sri_certificate_id:
            return
        if self.env.ref("l10n_ec_sri_stock.demo_guide_1", raise_if_not_found=False):
            return  # already done
        IMD = self.env["ir.model.data"]
        demo = self.with_company(company).with_context(allowed_company_ids=company.ids)
        env = demo.env
        warehouse = demo._l10n_ec_sri_stock_warehouse(company)
        carrier = env["res.partner"].create({
            "name": "Luis Alberto Guamán Toapanta", "vat": "1713175071", "country_id": env.ref("base.ec").id,
            "l10n_latam_identification_type_id": env.ref("l10n_ec.ec_dni").id, "l10n_ec_sri_plate": "PBA-1234",
            "street": "Av. Maldonado S12-34", "city": "Quito", "email": "transporte@example.ec"})
        products = env["product.product"].create([{
            "name": name, "default_code": code, "is_storable": True, "type": "consu", "list_price": price,
            "company_id": company.id,
        } for name, code, price in (("Cemento Portland 50 kg", "CEM-50", 8.5),
                                    ("Varilla corrugada 12 mm", "VAR-12", 11.2))])
        IMD._update_xmlids([{"xml_id": f"l10n_ec_sri_stock.{xmlid}", "record": record, "noupdate": True}
                            for xmlid, record in (("demo_carrier", carrier), ("demo_product_cement", products[0]),
                                                  ("demo_product_rebar", products[1]))])
        for product in products:
            env["stock.quant"].sudo()._update_available_quantity(product, warehouse.lot_stock_id, 500)
        invoice = env.ref("l10n_ec_sri.demo_invoice_1")
        picking = demo._l10n_ec_sri_stock_delivery(warehouse, invoice.partner_id, {products[0]: 40, products[1]: 25})
        IMD._update_xmlids([{"xml_id": "l10n_ec_sri_stock.demo_delivery_1", "record": picking, "noupdate": True}])
        action = picking.action_l10n_ec_sri_guide()
        guide = env["l10n_ec_sri.delivery.guide"].browse(action["res_id"])
        today = today_ecuador()
        guide.write({"carrier_id": carrier.id, "plate": carrier.l10n_ec_sri_plate, "transport_start": today,
                     "transport_end": today, "route": "Quito - Cuenca"})
        guide.line_ids.write({"invoice_id": invoice.id})
        guide.action_post()
        IMD._update_xmlids([{"xml_id": "l10n_ec_sri_stock.demo_guide_1", "record": guide, "noupdate": True}])
        # a second validated delivery, waiting for its guía, and a warehouse user to issue it (login bodega)
        customer = (env.ref("l10n_ec_sri.demo_invoice_2", raise_if_not_found=False) or invoice).partner_id
        waiting = demo._l10n_ec_sri_stock_delivery(warehouse, customer, {products[0]: 12})
        clerk = env["res.users"].with_context(no_reset_password=True).create({
            "name": "Bodega Andes", "login": "bodega", "password": "bodega", "email": "bodega@example.ec",
            "company_id": company.id, "company_ids": [Command.set(company.ids)],
            "groups_id": [Command.set([env.ref("base.group_user").id, env.ref("stock.group_stock_user").id])],
        })
        IMD._update_xmlids([{"xml_id": f"l10n_ec_sri_stock.{xmlid}", "record": record, "noupdate": True}
                            for xmlid, record in (("demo_delivery_2", waiting), ("demo_user_warehouse", clerk))])
        _logger.info("l10n_ec_sri_stock demo: guía %s of %s queued for the SRI", guide.name, picking.name)
