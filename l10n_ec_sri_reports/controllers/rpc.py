# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Odoo serves XML-RPC and JSON-RPC calls with the HTTP request hidden (``odoo.http.borrow_request``):
the audit trail learns here that a call came that way, from which address, for the time of the call."""
from odoo import http
from odoo.addons.base.controllers import rpc

from ..models.l10n_ec_sri_audit import rpc_channel


class RPC(rpc.RPC):

    def _xmlrpc(self, service):
        with rpc_channel("xmlrpc"):
            return super()._xmlrpc(service)

    @http.route()
    def jsonrpc(self, service, method, args):
        with rpc_channel("jsonrpc"):
            return super().jsonrpc(service, method, args)
