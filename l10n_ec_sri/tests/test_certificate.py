# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64
import os
import stat
import tempfile
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import config

from odoo.addons.l10n_ec_sri.models import crypto
from odoo.addons.l10n_ec_sri.sri import testing as sri_testing

from .common import P12_PASSWORD, L10nEcSriFoundationCase


@tagged("post_install", "-at_install", "l10n_ec_sri")
class TestCertificate(L10nEcSriFoundationCase):
    def _db_row(self, certificate):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT p12_encrypted, password_encrypted, t::text FROM l10n_ec_sri_certificate t WHERE id = %s",
            [certificate.id],
        )
        return self.env.cr.fetchone()

    # ------------------------------------------------------------------ encryption at rest
    def test_upload_stores_only_ciphertext(self):
        p12 = self._make_p12()
        certificate = self._upload(p12)
        p12_column, password_column, whole_row = self._db_row(certificate)
        self.assertTrue(p12_column and password_column)

        # Neither the .p12 (raw or base64) nor the password appear anywhere in the row.
        p12_b64 = base64.b64encode(p12).decode()
        self.assertNotIn(p12_b64[:64], whole_row)
        self.assertNotIn(P12_PASSWORD, whole_row)
        raw_column = base64.b64decode(p12_column)
        self.assertNotIn(p12[:64], raw_column)
        self.assertNotIn(P12_PASSWORD.encode(), base64.b64decode(password_column))
        # Nor in an attachment.
        self.assertFalse(
            self.env["ir.attachment"].sudo().search_count(
                [("res_model", "=", certificate._name), ("res_id", "=", certificate.id)]
            )
        )

        # base64(12-byte nonce + ciphertext + 16-byte tag), decrypting back with the key.
        self.assertEqual(len(raw_column), crypto.NONCE_SIZE + len(p12) + 16)
        self.assertEqual(crypto.decrypt(p12_column, "p12", key=self.sri_key), p12)
        self.assertEqual(crypto.decrypt(password_column, "password", key=self.sri_key).decode(), P12_PASSWORD)

        # The purpose is bound: the password cannot be decrypted as a .p12, nor with another key.
        with self.assertRaises(UserError):
            crypto.decrypt(password_column, "p12", key=self.sri_key)
        with self.assertRaises(UserError):
            crypto.decrypt(p12_column, "p12", key=os.urandom(32))

    def test_fresh_nonce_per_value(self):
        first = crypto.encrypt(b"same value", "p12", key=self.sri_key)
        second = crypto.encrypt(b"same value", "p12", key=self.sri_key)
        self.assertNotEqual(first, second)
        self.assertNotEqual(base64.b64decode(first)[:12], base64.b64decode(second)[:12])

    def test_secrets_are_write_only(self):
        certificate = self._upload()
        values = certificate.read(["p12_file", "password"])[0]
        self.assertFalse(values["p12_file"])
        self.assertFalse(values["password"])
        # Not even in the answer of the web client's save (same transaction cache).
        p12 = self._make_p12(days_valid=400)
        result = certificate.web_save(
            {"p12_file": base64.b64encode(p12), "password": P12_PASSWORD},
            {"p12_file": {}, "password": {}, "date_end": {}},
        )[0]
        self.assertFalse(result["p12_file"])
        self.assertFalse(result["password"])

    # ------------------------------------------------------------------ certificate data
    def test_upload_fills_certificate_data(self):
        certificate = self._upload(self._make_p12(days_valid=365, ruc="0992881364001"))
        self.assertIn("0992881364001", certificate.subject)
        self.assertIn(sri_testing.CA_COMMON_NAME, certificate.issuer)
        self.assertTrue(certificate.serial_number)
        self.assertEqual(len(certificate.fingerprint_sha1), 40)
        self.assertIn("digitalSignature", certificate.key_usage)
        self.assertEqual(certificate.holder_vat, "0992881364001")
        now = fields.Datetime.now()
        self.assertLess(certificate.date_start, now)
        self.assertAlmostEqual(certificate.date_end, now + timedelta(days=364), delta=timedelta(days=1))
        self.assertEqual(certificate.state, "valid")
        self.assertIn(certificate, self.Certificate.search([("state", "=", "valid")]))

    def test_expiring_state(self):
        certificate = self._upload(self._make_p12(days_valid=10))
        self.assertEqual(certificate.state, "expiring")
        self.assertIn(certificate.days_to_expiry, (8, 9))
        self.assertIn(certificate, self.Certificate.search([("state", "=", "expiring")]))
        self.assertNotIn(certificate, self.Certificate.search([("state", "in", ["valid", "expired"])]))

    def test_wrong_password(self):
        p12 = self._make_p12()
        with self.assertRaisesRegex(ValidationError, "contraseña del certificado .p12 es incorrecta"):
            self._upload(p12, password="not-the-password")

    def test_expired_certificate(self):
        with self.assertRaisesRegex(ValidationError, "caducado"):
            self._upload(self._make_p12(expired=True))

    def test_not_a_signing_certificate(self):
        with self.assertRaisesRegex(ValidationError, "digitalSignature"):
            self._upload(self._make_p12(key_usage_digital_signature=False))

    def test_not_a_p12_file(self):
        with self.assertRaisesRegex(ValidationError, "no es un archivo .p12"):
            self._upload(b"this is not a certificate")

    def test_password_change_is_checked_against_stored_file(self):
        certificate = self._upload()
        with self.assertRaisesRegex(ValidationError, "incorrecta"):
            certificate.write({"password": "wrong"})
        # Same password again is accepted and stays encrypted.
        certificate.write({"password": P12_PASSWORD})
        _p12_column, password_column, _row = self._db_row(certificate)
        self.assertEqual(crypto.decrypt(password_column, "password", key=self.sri_key).decode(), P12_PASSWORD)

    # ------------------------------------------------------------------ signing API
    def test_signing_certificate_is_cached(self):
        certificate = self._upload(self._make_p12(days_valid=200))
        sri_certificate = certificate._l10n_ec_sri_signing_certificate()
        self.assertEqual(sri_certificate.fingerprint_sha1, certificate.fingerprint_sha1)
        self.assertTrue(sri_certificate.private_key)
        with patch.object(crypto, "decrypt", side_effect=AssertionError("decrypted again")):
            self.assertIs(certificate._l10n_ec_sri_signing_certificate(), sri_certificate)

        # A new upload makes the cache entry stale, even within the same transaction.
        certificate.write({"p12_file": base64.b64encode(self._make_p12(days_valid=250)), "password": P12_PASSWORD})
        renewed = certificate._l10n_ec_sri_signing_certificate()
        self.assertIsNot(renewed, sri_certificate)
        self.assertEqual(renewed.fingerprint_sha1, certificate.fingerprint_sha1)
        self.assertNotEqual(renewed.fingerprint_sha1, sri_certificate.fingerprint_sha1)

        # Through the company, for any user of the flow.
        self.company_a.l10n_ec_sri_certificate_id = certificate
        self.assertEqual(
            self.company_a._l10n_ec_sri_signing_certificate().fingerprint_sha1, certificate.fingerprint_sha1
        )
        self.company_b.l10n_ec_sri_certificate_id = False
        with self.assertRaises(UserError):
            self.company_b._l10n_ec_sri_signing_certificate()

    # ------------------------------------------------------------------ expiry cron
    def test_expiry_cron_warns_once(self):
        admin_group = self.env.ref("l10n_ec_sri.group_l10n_ec_sri_admin")
        activity_type = self.env.ref("l10n_ec_sri.mail_activity_type_certificate_expiry")
        expiring = self._upload(self._make_p12(days_valid=20), name="Expiring")
        lasting = self._upload(self._make_p12(days_valid=300), name="Lasting")
        admins = admin_group.users.filtered(
            lambda u: u.active and not u.share and self.company_a in u.company_ids
        )
        self.assertIn(self.env.ref("base.user_admin"), admins)

        def activities(record):
            return self.env["mail.activity"].with_context(active_test=False).search(
                [("res_model", "=", record._name), ("res_id", "=", record.id),
                 ("activity_type_id", "=", activity_type.id)]
            )

        self.Certificate._cron_l10n_ec_sri_check_expiry()
        self.Certificate._cron_l10n_ec_sri_check_expiry()
        warnings = activities(expiring)
        self.assertEqual(warnings.user_id, admins)
        self.assertEqual(len(warnings), len(admins))
        self.assertEqual(warnings[0].date_deadline, expiring.date_end.date())
        self.assertFalse(activities(lasting))

        # Marked as done: kept (archived) and not scheduled again.
        warnings[0].with_user(warnings[0].user_id).action_done()
        self.Certificate._cron_l10n_ec_sri_check_expiry()
        self.assertEqual(len(activities(expiring)), len(admins))

    def test_cron_record_exists(self):
        cron = self.env.ref("l10n_ec_sri.ir_cron_certificate_expiry")
        self.assertTrue(cron.active)
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))

    # ------------------------------------------------------------------ key management
    def test_key_file_created_with_0600(self):
        with tempfile.TemporaryDirectory() as data_dir, patch.dict(
            config.options, {"data_dir": data_dir, "l10n_ec_sri_key": ""}
        ):
            path = os.path.join(data_dir, crypto.KEY_FILENAME)
            self.assertFalse(os.path.exists(path))
            with self.assertLogs("odoo.addons.l10n_ec_sri.models.crypto", level="WARNING"):
                key = crypto.get_key()
            self.assertEqual(len(key), 32)
            self.assertTrue(os.path.isfile(path))
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
            # Reused, not re-created.
            self.assertEqual(crypto.get_key(), key)
            token = crypto.encrypt(b"abc", "p12")
            self.assertEqual(crypto.decrypt(token, "p12", key=key), b"abc")

    def test_key_option_wins_and_is_validated(self):
        self.assertEqual(crypto.get_key(), self.sri_key)
        with patch.dict(config.options, {"l10n_ec_sri_key": "too-short"}):
            with self.assertRaises(UserError):
                crypto.get_key()

    def test_changed_key_gives_clear_error(self):
        certificate = self._upload()
        other_key = base64.b64encode(os.urandom(32)).decode()
        certificate.invalidate_recordset()
        with patch.dict(config.options, {"l10n_ec_sri_key": other_key}):
            with self.assertRaisesRegex(UserError, "cannot be decrypted|no se puede descifrar|no se pueden descifrar"):
                certificate._l10n_ec_sri_signing_certificate()
