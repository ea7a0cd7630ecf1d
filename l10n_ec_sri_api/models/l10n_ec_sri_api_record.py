# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models
from odoo.tools import SQL

from odoo.addons.l10n_ec_sri.models.l10n_ec_sri_document import is_flow


class L10nEcSriApiRecord(models.AbstractModel):
    """The API's own records: created, written and deleted through ``flow_env`` only (the base's flow records,
    plus deletion); anyone else, administrators included, gets the model's ``_l10n_ec_sri_refuse``."""

    _name = "l10n_ec_sri.api.record"
    _inherit = ["l10n_ec_sri.flow.record"]
    _description = "Record written by the SRI API only"

    def unlink(self):
        if not is_flow(self.env):
            self._l10n_ec_sri_refuse()
        return super().unlink()

    def _l10n_ec_sri_key_foreign_key(self):
        """For ``init``: ``api_key_id``'s foreign key, which Odoo does not add by itself (``res.users.apikeys``
        is no ordinary table of the ORM, ``_auto = False``): a key removed sets it to null."""
        self.pool.add_foreign_key(self._table, "api_key_id", "res_users_apikeys", "id", "set null", self,
                                  self._module)

    def _l10n_ec_sri_acting(self):
        """The records of ``self`` (with ``user_id``, ``company_id`` and ``api_key_id``: webhooks, batches) that
        still act for their user: the API key that made them neither revoked nor expired, the user active and
        still of the record's company. Read in the database: Odoo removes the expired keys in SQL."""
        if not self:
            return self
        self.flush_model(["api_key_id", "user_id", "company_id"])
        self.env["res.users"].flush_model(["active", "company_ids"])
        self.env.cr.execute(SQL("""
            SELECT t.id FROM %(table)s t
              JOIN res_users_apikeys k ON k.id = t.api_key_id AND k.user_id = t.user_id
              JOIN res_users u ON u.id = t.user_id
             WHERE t.id IN %(ids)s AND u.active
               AND (k.expiration_date IS NULL OR k.expiration_date >= now() at time zone 'utc')
               AND EXISTS (SELECT 1 FROM res_company_users_rel r WHERE r.user_id = t.user_id AND r.cid = t.company_id)
        """, table=SQL.identifier(self._table), ids=tuple(self.ids)))
        acting = {row[0] for row in self.env.cr.fetchall()}
        return self.filtered(lambda record: record.id in acting)
