# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    l10n_ec_sri_plate = fields.Char(
        string="Vehicle plate", help="Plate (placa) of the vehicle this carrier usually drives: proposed on the "
                                     "guías de remisión it carries.")
