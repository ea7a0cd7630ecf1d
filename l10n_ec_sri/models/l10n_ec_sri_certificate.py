# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64
import binascii
import hashlib
import logging
import threading
from datetime import timedelta, timezone

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.l10n_ec_sri.sri import errors, signing

from . import crypto

_logger = logging.getLogger(__name__)

ADMIN_GROUP = "l10n_ec_sri.group_l10n_ec_sri_admin"
EXPIRY_WARNING_DAYS = 30
PURPOSE_P12 = "p12"
PURPOSE_PASSWORD = "password"

# Decrypted certificates, per process: {(dbname, record id): (version, sri Certificate)}.
# The version (write_date + digest of the ciphertexts) changes on every upload, even within
# one transaction (fresh nonces), which makes the old entry stale.
_SIGNING_CACHE = {}
_SIGNING_CACHE_LOCK = threading.Lock()


def _naive_utc(value):
    """Aware datetime from the core -> naive UTC datetime as Odoo stores it."""
    if value is None:
        return False
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


class L10nEcSriCertificate(models.Model):
    _name = "l10n_ec_sri.certificate"
    _description = "SRI Signing Certificate"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "active desc, date_end desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        tracking=True,
    )

    # Write-only clear-text inputs: never stored, never read back.
    p12_file = fields.Binary(
        string="Certificate File (.p12)",
        compute="_compute_secrets",
        inverse="_inverse_secrets",
        attachment=False,
        groups=ADMIN_GROUP,
        help="The .p12 / .pfx file issued by an accredited certification authority "
        "(Banco Central, Security Data, ANF, ...). It is stored encrypted and can "
        "not be downloaded again.",
    )
    p12_filename = fields.Char(string="File Name", groups=ADMIN_GROUP)
    password = fields.Char(
        compute="_compute_secrets",
        inverse="_inverse_secrets",
        groups=ADMIN_GROUP,
        help="Password of the .p12 file. It is stored encrypted and cannot be read again.",
    )

    # Encrypted at rest: base64(nonce + AES-256-GCM ciphertext).
    p12_encrypted = fields.Text(copy=False, readonly=True, groups=ADMIN_GROUP)
    password_encrypted = fields.Text(copy=False, readonly=True, groups=ADMIN_GROUP)

    # Public data of the certificate, filled on upload.
    subject = fields.Char(readonly=True, copy=False)
    issuer = fields.Char(readonly=True, copy=False)
    serial_number = fields.Char(readonly=True, copy=False)
    holder_vat = fields.Char(
        string="Holder Identification",
        readonly=True,
        copy=False,
        help="RUC or cédula of the certificate holder, as read from the certificate.",
    )
    fingerprint_sha1 = fields.Char(string="SHA-1 Fingerprint", readonly=True, copy=False)
    key_usage = fields.Char(readonly=True, copy=False)
    date_start = fields.Datetime(string="Valid From", readonly=True, copy=False)
    date_end = fields.Datetime(string="Valid Until", readonly=True, copy=False, tracking=True)
    state = fields.Selection(
        [
            ("draft", "No File"),
            ("valid", "Valid"),
            ("expiring", "Expiring Soon"),
            ("expired", "Expired"),
        ],
        compute="_compute_state",
        search="_search_state",
    )
    days_to_expiry = fields.Integer(compute="_compute_state")

    # ------------------------------------------------------------------
    # Write-only secrets
    # ------------------------------------------------------------------
    def _compute_secrets(self):
        for certificate in self:
            certificate.p12_file = False
            certificate.password = False

    def _inverse_secrets(self):
        for certificate in self:
            p12_value = certificate.p12_file
            password = certificate.password
            if not p12_value and not password:
                continue
            if p12_value:
                if isinstance(p12_value, str):
                    p12_value = p12_value.encode()
                try:
                    p12_data = base64.b64decode(p12_value, validate=True)
                except (binascii.Error, ValueError):
                    p12_data = b""
                if not p12_data:
                    raise ValidationError(_("The certificate file is empty or damaged."))
            elif certificate.sudo().p12_encrypted:
                # Only the password changes: check it against the stored file.
                p12_data = crypto.decrypt(certificate.sudo().p12_encrypted, PURPOSE_P12, env=self.env)
            else:
                raise ValidationError(_("Upload the .p12 certificate file together with its password."))
            if not password:
                if not certificate.sudo().password_encrypted:
                    raise ValidationError(_("Enter the password of the .p12 certificate file."))
                password = crypto.decrypt(certificate.sudo().password_encrypted, PURPOSE_PASSWORD, env=self.env).decode()

            sri_certificate = self._l10n_ec_sri_load_p12(p12_data, password)
            key = crypto.get_key(self.env)
            certificate.write(
                {
                    "p12_encrypted": crypto.encrypt(p12_data, PURPOSE_P12, key=key),
                    "password_encrypted": crypto.encrypt(password, PURPOSE_PASSWORD, key=key),
                    **self._l10n_ec_sri_certificate_values(sri_certificate),
                }
            )
        # Drop the clear text from the cache so it is never sent back (e.g. by web_save).
        self.invalidate_recordset(["p12_file", "password"])

    @api.model
    def _l10n_ec_sri_load_p12(self, p12_data, password):
        """Load a .p12 with the SRI core; core errors become translated ValidationErrors."""

        try:
            return signing.load_p12(p12_data, password)
        except errors.CertificateError as exc:
            raise ValidationError(_("The certificate cannot be used: %(reason)s", reason=str(exc))) from exc

    @api.model
    def _l10n_ec_sri_certificate_values(self, sri_certificate):
        key_usage = sri_certificate.key_usage or []
        if not isinstance(key_usage, str):
            key_usage = ", ".join(str(usage) for usage in key_usage)
        return {
            "subject": sri_certificate.subject,
            "issuer": sri_certificate.issuer,
            "serial_number": str(sri_certificate.serial_number),
            "fingerprint_sha1": sri_certificate.fingerprint_sha1,
            "holder_vat": getattr(sri_certificate, "ruc", False) or False,
            "key_usage": key_usage,
            "date_start": _naive_utc(sri_certificate.not_before),
            "date_end": _naive_utc(sri_certificate.not_after),
        }

    # ------------------------------------------------------------------
    # State
    # ------------------------------------------------------------------
    @api.depends("date_end")
    def _compute_state(self):
        now = fields.Datetime.now()
        for certificate in self:
            if not certificate.date_end:
                certificate.state = "draft"
                certificate.days_to_expiry = 0
                continue
            remaining = certificate.date_end - now
            certificate.days_to_expiry = max(remaining.days, 0) if remaining.total_seconds() > 0 else 0
            if certificate.date_end <= now:
                certificate.state = "expired"
            elif certificate.date_end <= now + timedelta(days=EXPIRY_WARNING_DAYS):
                certificate.state = "expiring"
            else:
                certificate.state = "valid"

    def _search_state(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(_("Unsupported search on the certificate state."))
        values = {value} if operator in ("=", "!=") else set(value or [])
        now = fields.Datetime.now()
        soon = now + timedelta(days=EXPIRY_WARNING_DAYS)
        domains = {
            "draft": [("date_end", "=", False)],
            "valid": [("date_end", ">", soon)],
            "expiring": [("date_end", ">", now), ("date_end", "<=", soon)],
            "expired": [("date_end", "<=", now)],
        }
        ids = set()
        for state in values:
            if state in domains:
                ids.update(self._search(domains[state]))
        if operator in ("=", "in"):
            return [("id", "in", list(ids))]
        return [("id", "not in", list(ids))]

    # ------------------------------------------------------------------
    # API for the signing code
    # ------------------------------------------------------------------
    def _l10n_ec_sri_signing_certificate(self):
        """Return the SRI core ``Certificate`` (private key included) of this record.

        Decrypts once per process and write_date. Works for any user: callers are the
        document flow (editors); the secrets are read as superuser.
        """
        self.ensure_one()
        certificate = self.sudo()
        if not certificate.p12_encrypted or not certificate.password_encrypted:
            raise UserError(_("The SRI certificate %s has no .p12 file uploaded.", certificate.name))
        cache_key = (self.env.cr.dbname, certificate.id)
        version = (
            certificate.write_date,
            hashlib.sha256(
                (certificate.p12_encrypted + certificate.password_encrypted).encode()
            ).hexdigest(),
        )
        with _SIGNING_CACHE_LOCK:
            cached = _SIGNING_CACHE.get(cache_key)
        if cached and cached[0] == version:
            sri_certificate = cached[1]
        else:
            p12_data = crypto.decrypt(certificate.p12_encrypted, PURPOSE_P12, env=self.env)
            password = crypto.decrypt(certificate.password_encrypted, PURPOSE_PASSWORD, env=self.env).decode()
            try:
                sri_certificate = self._l10n_ec_sri_load_p12(p12_data, password)
            except ValidationError as exc:
                raise UserError(
                    _("The SRI certificate %(name)s cannot be used: %(reason)s",
                      name=certificate.name, reason=exc.args[0])
                ) from exc
            with _SIGNING_CACHE_LOCK:
                _SIGNING_CACHE[cache_key] = (version, sri_certificate)
        if sri_certificate.is_expired():
            raise UserError(
                _("The SRI certificate %(name)s expired on %(date)s. Upload a new one.",
                  name=certificate.name, date=certificate.date_end)
            )
        return sri_certificate

    # ------------------------------------------------------------------
    # Expiry warning (cron)
    # ------------------------------------------------------------------
    @api.model
    def _cron_l10n_ec_sri_check_expiry(self):
        """Schedule one activity per SRI administrator on each certificate that expires within
        EXPIRY_WARNING_DAYS days (or has expired). Idempotent: never twice for the same user."""
        activity_type = self.env.ref(
            "l10n_ec_sri.mail_activity_type_certificate_expiry", raise_if_not_found=False
        ) or self.env.ref("mail.mail_activity_data_todo")
        admin_group = self.env.ref(ADMIN_GROUP)
        limit = fields.Datetime.now() + timedelta(days=EXPIRY_WARNING_DAYS)
        certificates = self.sudo().search([("date_end", "!=", False), ("date_end", "<=", limit)])
        model_id = self.env["ir.model"]._get_id(self._name)
        Activity = self.env["mail.activity"].sudo().with_context(active_test=False)
        for certificate in certificates:
            users = admin_group.users.filtered(
                lambda u, c=certificate: u.active and not u.share and c.company_id in u.company_ids
            )
            if not users:
                continue
            existing = Activity.search(
                [
                    ("res_model_id", "=", model_id),
                    ("res_id", "=", certificate.id),
                    ("activity_type_id", "=", activity_type.id),
                    ("user_id", "in", users.ids),
                ]
            )
            for user in users - existing.user_id:
                certificate.with_context(mail_activity_quick_update=True).activity_schedule(
                    activity_type_id=activity_type.id,
                    summary=_("SRI certificate expires on %s", certificate.date_end.date()),
                    note=_(
                        "The electronic signature certificate %(name)s of %(company)s expires on "
                        "%(date)s. Request a new one from your certification authority and "
                        "upload it before that date, or electronic documents cannot be signed.",
                        name=certificate.name,
                        company=certificate.company_id.name,
                        date=certificate.date_end.date(),
                    ),
                    user_id=user.id,
                    date_deadline=certificate.date_end.date(),
                )

    # ------------------------------------------------------------------
    # Misc
    # ------------------------------------------------------------------
    def copy(self, default=None):
        raise UserError(_("Certificates cannot be duplicated: create a new one and upload its file."))

    def unlink(self):
        with _SIGNING_CACHE_LOCK:
            for certificate in self:
                _SIGNING_CACHE.pop((self.env.cr.dbname, certificate.id), None)
        return super().unlink()
