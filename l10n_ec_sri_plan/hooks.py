# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).


def post_init_hook(env):
    """Installing the module restricts nobody: see ``res.company._l10n_ec_sri_plan_setup_existing``."""
    env["res.company"]._l10n_ec_sri_plan_setup_existing()
