from . import l10n_ec_sri_annul_wizard
from . import account_move_send_wizard
