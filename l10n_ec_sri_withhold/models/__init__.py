# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from . import l10n_ec_sri_taxpayer_type
from . import account_journal
from . import res_company
from . import res_config_settings
from . import res_partner
from . import product_template
from . import l10n_ec_sri_withhold_line
from . import account_move
from . import account_chart_template
from . import l10n_ec_sri_received
from . import account_move_received
