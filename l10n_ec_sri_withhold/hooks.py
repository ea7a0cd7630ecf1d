# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).


def post_init_hook(env):
    """Companies that already have Ecuador's chart get their taxpayer types and withholding journals."""
    env["res.company"].search([("chart_template", "=", "ec")])._l10n_ec_sri_withhold_setup()
