from . import crypto
from . import l10n_ec_sri_certificate
from . import res_company
from . import res_config_settings
