# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from . import l10n_ec_sri_plan, l10n_ec_sri_subscription, res_company, res_partner, res_users, l10n_ec_sri_document
from . import res_config_settings
