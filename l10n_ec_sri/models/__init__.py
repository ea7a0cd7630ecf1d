from . import crypto
from . import l10n_ec_sri_certificate
from . import res_company
from . import res_config_settings
from . import l10n_ec_sri_exchange
from . import sri_adapter
from . import account_move
from . import ir_actions_report
