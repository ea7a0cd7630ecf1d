from . import l10n_ec_sri_report_compare
from . import l10n_ec_sri_ats_wizard
