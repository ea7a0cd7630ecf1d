# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from . import l10n_ec_sri_delivery_guide, l10n_ec_sri_delivery_guide_line, res_partner, stock_picking, stock_warehouse
