# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A partner's RUC or cédula is checked as the SRI checks it when it is typed and saved: a non-blocking
warning (the form's alert, ``l10n_ec_vat_validation``, and the onchange's notification)."""
from odoo.tests import TransactionCase, tagged

ONCHANGE_SPEC = {
    "name": {},
    "vat": {},
    "country_id": {},
    "l10n_latam_identification_type_id": {},
    "l10n_ec_vat_validation": {},
}


@tagged("post_install", "-at_install", "l10n_ec_sri")
class TestPartnerIdentification(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ec = cls.env.ref("base.ec")
        cls.ruc = cls.env.ref("l10n_ec.ec_ruc")
        cls.cedula = cls.env.ref("l10n_ec.ec_dni")
        cls.passport = cls.env.ref("l10n_latam_base.it_pass")
        cls.foreign = cls.env.ref("l10n_latam_base.it_fid")
        cls.Partner = cls.env["res.partner"]

    def _partner(self, id_type, vat, country=None):
        # Saving is never blocked: create() succeeds for every number below.
        return self.Partner.create({
            "name": f"Partner {vat}",
            "vat": vat,
            "l10n_latam_identification_type_id": id_type.id,
            "country_id": (country or self.ec).id,
        })

    def _assert_sri_warning(self, partner, reason):
        warning = partner.l10n_ec_vat_validation
        self.assertTrue(warning, f"{partner.vat}: no warning")
        self.assertIn("Identification not valid for the SRI", warning)
        self.assertIn(reason, warning)
        self.assertIn("refused at posting", warning)

    def test_wrong_cedula_saved_with_warning(self):
        partner = self._partner(self.cedula, "1710034066")
        self._assert_sri_warning(partner, "la cédula 1710034066 tiene el dígito verificador incorrecto")

    def test_wrong_ruc_saved_with_warning(self):
        self._assert_sri_warning(self._partner(self.ruc, "1790016918001"),
                                 "el RUC 1790016918001 (sociedad privada) tiene el dígito verificador incorrecto")
        self._assert_sri_warning(self._partner(self.ruc, "1710034066001"),
                                 "no empieza con una cédula válida")

    def test_public_ruc_without_establishment(self):
        """l10n_ec (stdnum) accepts a public RUC ending in 000; the SRI, and so posting, does not."""
        self._assert_sri_warning(self._partner(self.ruc, "1760001551000"), "no en 000")

    def test_warning_follows_the_number(self):
        partner = self._partner(self.ruc, "1790016919001")
        self.assertFalse(partner.l10n_ec_vat_validation)
        partner.vat = "1790016918001"
        self._assert_sri_warning(partner, "dígito verificador incorrecto")
        partner.vat = "1790016919001"
        self.assertFalse(partner.l10n_ec_vat_validation)

    def test_valid_identifications_no_warning(self):
        for id_type, vat in (
            (self.cedula, "1710034065"),
            (self.ruc, "1710034065001"),   # persona natural
            (self.ruc, "1790016919001"),   # sociedad privada
            (self.ruc, "1760001550001"),   # sector público (third digit 6)
            (self.ruc, "1760013210001"),   # the SRI itself
        ):
            with self.subTest(vat=vat):
                self.assertFalse(self._partner(id_type, vat).l10n_ec_vat_validation)

    def test_not_checked_types_no_warning(self):
        for id_type, vat, country in (
            (self.passport, "1710034066", self.ec),        # a passport that looks like a bad cédula
            (self.passport, "AB-123456", self.env.ref("base.us")),
            (self.foreign, "1710034066001", self.env.ref("base.co")),
            (self.foreign, "X1234567Z", self.env.ref("base.es")),
            (self.ruc, "9999999999999", self.ec),          # consumidor final
        ):
            with self.subTest(type=id_type.name, vat=vat):
                self.assertFalse(self._partner(id_type, vat, country).l10n_ec_vat_validation)

    def _onchange(self, id_type, vat):
        values = {"name": "Typed", "vat": vat, "country_id": self.ec.id,
                  "l10n_latam_identification_type_id": id_type.id}
        return self.Partner.onchange(values, ["vat"], ONCHANGE_SPEC)

    def test_onchange_warns_while_typing(self):
        result = self._onchange(self.cedula, "1710034066")
        self.assertEqual(result["warning"]["title"], "Identification not valid for the SRI")
        self.assertIn("dígito verificador incorrecto", result["warning"]["message"])
        self.assertEqual(result["value"]["l10n_ec_vat_validation"], result["warning"]["message"])
        for id_type, vat in ((self.cedula, "1710034065"), (self.passport, "1710034066"),
                             (self.ruc, "9999999999999")):
            with self.subTest(vat=vat):
                self.assertNotIn("warning", self._onchange(id_type, vat))
