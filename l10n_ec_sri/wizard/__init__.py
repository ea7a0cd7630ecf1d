from . import l10n_ec_sri_annul_wizard
