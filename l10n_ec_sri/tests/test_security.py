# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import L10nEcSriFoundationCase


@tagged("post_install", "-at_install", "l10n_ec_sri")
class TestSecurity(L10nEcSriFoundationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        companies = cls.company_a | cls.company_b
        cls.user_readonly = new_test_user(
            cls.env, "sri_readonly", groups="l10n_ec_sri.group_l10n_ec_sri_readonly",
            company_id=cls.company_a.id, company_ids=companies.ids,
        )
        cls.user_editor = new_test_user(
            cls.env, "sri_editor", groups="l10n_ec_sri.group_l10n_ec_sri_editor",
            company_id=cls.company_a.id, company_ids=companies.ids,
        )
        cls.user_admin = new_test_user(
            cls.env, "sri_admin", groups="l10n_ec_sri.group_l10n_ec_sri_admin",
            company_id=cls.company_a.id, company_ids=companies.ids,
        )
        cls.user_admin_b = new_test_user(
            cls.env, "sri_admin_b", groups="l10n_ec_sri.group_l10n_ec_sri_admin",
            company_id=cls.company_b.id, company_ids=cls.company_b.ids,
        )
        cls.certificate_a = cls._upload(name="Certificate A", company=cls.company_a)

    # ------------------------------------------------------------------ groups
    def test_group_implications(self):
        self.assertTrue(self.user_readonly.has_group("account.group_account_readonly"))
        self.assertFalse(self.user_readonly.has_group("l10n_ec_sri.group_l10n_ec_sri_editor"))
        self.assertTrue(self.user_editor.has_group("l10n_ec_sri.group_l10n_ec_sri_readonly"))
        self.assertTrue(self.user_editor.has_group("account.group_account_invoice"))
        self.assertFalse(self.user_editor.has_group("l10n_ec_sri.group_l10n_ec_sri_admin"))
        self.assertTrue(self.user_admin.has_group("l10n_ec_sri.group_l10n_ec_sri_editor"))
        self.assertTrue(self.user_admin.has_group("account.group_account_manager"))
        self.assertTrue(self.env.ref("base.user_admin").has_group("l10n_ec_sri.group_l10n_ec_sri_admin"))

    # ------------------------------------------------------------------ certificate access
    def test_readonly_and_editor_cannot_read_certificates(self):
        for user in (self.user_readonly, self.user_editor):
            with self.subTest(user=user.login):
                Certificate = self.Certificate.with_user(user)
                with self.assertRaises(AccessError):
                    Certificate.search([])
                with self.assertRaises(AccessError):
                    self.certificate_a.with_user(user).read(["name"])
                with self.assertRaises(AccessError):
                    self.certificate_a.with_user(user).write({"name": "Stolen"})
                with self.assertRaises(AccessError):
                    Certificate.create({"name": "Mine", "company_id": self.company_a.id})

    def test_admin_reads_metadata_not_secrets(self):
        certificate = self.certificate_a.with_user(self.user_admin)
        self.assertIn(certificate, certificate.search([]))
        values = certificate.read(["name", "subject", "date_end", "p12_file", "password"])[0]
        self.assertEqual(values["name"], "Certificate A")
        self.assertTrue(values["subject"])
        self.assertFalse(values["p12_file"])
        self.assertFalse(values["password"])
        certificate.write({"name": "Renamed"})
        self.assertEqual(self.certificate_a.name, "Renamed")

    def test_encrypted_fields_restricted_to_admin_group(self):
        for name in ("p12_encrypted", "password_encrypted", "p12_file", "password"):
            self.assertEqual(self.Certificate._fields[name].groups, "l10n_ec_sri.group_l10n_ec_sri_admin")
        # Other models' users (e.g. an editor reading the company) never get the secrets.
        fields_editor = self.Certificate.with_user(self.user_editor).fields_get()
        self.assertNotIn("p12_encrypted", fields_editor)

    def test_flow_user_can_get_signing_certificate(self):
        """The document flow runs as an editor: the signing API works without read access."""
        self.company_a.l10n_ec_sri_certificate_id = self.certificate_a
        company = self.company_a.with_user(self.user_editor)
        sri_certificate = company._l10n_ec_sri_signing_certificate()
        self.assertEqual(sri_certificate.fingerprint_sha1, self.certificate_a.fingerprint_sha1)

    def test_multi_company_rule(self):
        Certificate_b = self.Certificate.with_user(self.user_admin_b).with_company(self.company_b)
        self.assertNotIn(self.certificate_a, Certificate_b.search([]))
        with self.assertRaises(AccessError):
            self.certificate_a.with_user(self.user_admin_b).read(["name"])
        certificate_b = self._upload(name="Certificate B", company=self.company_b)
        self.assertEqual(Certificate_b.search([("id", "in", (self.certificate_a | certificate_b).ids)]), certificate_b)
        # A company cannot use another company's certificate.
        with self.assertRaises(ValidationError):
            self.company_b.l10n_ec_sri_certificate_id = self.certificate_a

    # ------------------------------------------------------------------ settings
    def test_settings_saved_per_company(self):
        Settings = self.env["res.config.settings"]
        settings_a = Settings.with_company(self.company_a).create({})
        settings_a.update({
            "l10n_ec_sri_environment": "2",
            "l10n_ec_sri_endpoint": "produccion",
            "l10n_ec_sri_special_taxpayer": "5368",
            "l10n_ec_sri_withholding_agent": "1",
            "l10n_ec_sri_rimpe": "entrepreneur",
            "l10n_ec_sri_accounting_required": True,
            "l10n_ec_sri_auto_send": False,
            "l10n_ec_sri_final_consumer_limit": 75.0,
            "l10n_ec_sri_certificate_id": self.certificate_a.id,
        })
        settings_a.execute()
        company_a, company_b = self.company_a, self.company_b
        self.assertEqual(company_a.l10n_ec_sri_environment, "2")
        self.assertEqual(company_a._l10n_ec_sri_endpoint_url(), "produccion")
        self.assertEqual(company_a.l10n_ec_sri_special_taxpayer, "5368")
        self.assertEqual(company_a._l10n_ec_sri_rimpe_legend(), "CONTRIBUYENTE RÉGIMEN RIMPE")
        self.assertTrue(company_a.l10n_ec_sri_accounting_required)
        self.assertFalse(company_a.l10n_ec_sri_auto_send)
        self.assertEqual(company_a.l10n_ec_sri_final_consumer_limit, 75.0)
        self.assertEqual(company_a.l10n_ec_sri_certificate_id, self.certificate_a)
        # Company B keeps its defaults.
        self.assertEqual(company_b.l10n_ec_sri_environment, "1")
        self.assertEqual(company_b.l10n_ec_sri_endpoint, "simulator")
        self.assertEqual(company_b._l10n_ec_sri_endpoint_url(), "http://127.0.0.1:8099")
        self.assertFalse(company_b._l10n_ec_sri_rimpe_legend())
        self.assertTrue(company_b.l10n_ec_sri_auto_send)
        self.assertTrue(company_b.l10n_ec_sri_send_mail)
        self.assertEqual(company_b.l10n_ec_sri_final_consumer_limit, 50.0)
        self.assertFalse(company_b.l10n_ec_sri_certificate_id)
        # Reading the settings of company B shows company B's values.
        settings_b = Settings.with_company(company_b).create({})
        self.assertEqual(settings_b.l10n_ec_sri_environment, "1")

    def test_settings_validation(self):
        company = self.company_b
        for value in ("12A", "123456789", "12 34"):
            with self.subTest(value=value), self.assertRaises(ValidationError):
                company.l10n_ec_sri_withholding_agent = value
        company.l10n_ec_sri_withholding_agent = "12345678"
        for value in ("1", "ABC-123", "12345678901234"):
            with self.subTest(value=value), self.assertRaises(ValidationError):
                company.l10n_ec_sri_special_taxpayer = value
        for url in ("ftp://sri.example.ec", "not a url", "http://", "https://host:99999"):
            with self.subTest(url=url), self.assertRaises(ValidationError):
                company.write({"l10n_ec_sri_endpoint": "custom", "l10n_ec_sri_endpoint_url": url})
        with self.assertRaises(ValidationError):
            company.write({"l10n_ec_sri_endpoint": "custom", "l10n_ec_sri_endpoint_url": False})
        company.write({"l10n_ec_sri_endpoint": "custom", "l10n_ec_sri_endpoint_url": "https://sri.example.ec:8443/ws"})
        self.assertEqual(company._l10n_ec_sri_endpoint_url(), "https://sri.example.ec:8443/ws")
        with self.assertRaises(ValidationError):
            company.write({"l10n_ec_sri_endpoint": "pruebas", "l10n_ec_sri_environment": "2"})
        with self.assertRaises(ValidationError):
            company.write({"l10n_ec_sri_endpoint": "produccion", "l10n_ec_sri_environment": "1"})
        company.write({"l10n_ec_sri_endpoint": "pruebas", "l10n_ec_sri_environment": "1"})
        self.assertEqual(company._l10n_ec_sri_endpoint_url(), "pruebas")

    def test_spanish_translations(self):
        self.env["res.lang"]._activate_lang("es_EC")
        self.env["ir.module.module"]._load_module_terms(["l10n_ec_sri"], ["es_EC"], overwrite=True)
        company = self.company_b.with_context(lang="es_EC")
        selection = dict(company._fields["l10n_ec_sri_environment"]._description_selection(company.env))
        self.assertEqual(selection, {"1": "Pruebas", "2": "Producción"})
        self.assertEqual(
            self.env.ref("l10n_ec_sri.group_l10n_ec_sri_readonly").with_context(lang="es_EC").name,
            "SRI / Solo lectura",
        )
        with self.assertRaisesRegex(ValidationError, "solo dígitos"):
            company.l10n_ec_sri_withholding_agent = "ABC"
