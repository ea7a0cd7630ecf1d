"""The SRI (Ecuador) electronic-document protocol, offline scheme, in plain Python.

No Odoo import anywhere in this package: it is imported by pytest with ``l10n_ec_sri/`` on the
path (``import sri``) and by Odoo as ``odoo.addons.l10n_ec_sri.sri``.
"""

__version__ = "18.0.1.0.0"
