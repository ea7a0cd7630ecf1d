# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The Spanish catalogs are complete, consistent with the .pot, and actually loaded."""
import polib
from lxml import etree

from odoo.modules.module import get_manifest
from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader

LANGS = ("es", "es_EC")


@tagged("post_install", "-at_install", "l10n_ec_sri")
class TestI18n(TransactionCase):
    """The checks of one module's catalogs; another module of the suite subclasses it with its ``MODULE``."""

    MODULE = "l10n_ec_sri"
    # Odoo's loader runs only the test methods a class defines itself unless this is set: the subclasses of
    # the other modules would otherwise check nothing but their own extra test.
    allow_inherited_tests_method = True

    def _catalog(self, name):
        return polib.pofile(file_path(f"{self.MODULE}/i18n/{name}"))

    def test_po_files_complete(self):
        pot_ids = {entry.msgid for entry in self._catalog(f"{self.MODULE}.pot") if not entry.obsolete}
        self.assertTrue(pot_ids, f"{self.MODULE}.pot has no entries")
        for lang in LANGS:
            with self.subTest(lang=lang):
                po = self._catalog(f"{lang}.po")
                entries = [entry for entry in po if not entry.obsolete]
                untranslated = [entry.msgid for entry in entries if not entry.msgstr]
                self.assertFalse(untranslated, f"{lang}.po: entries without translation: {untranslated}")
                fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]
                self.assertFalse(fuzzy, f"{lang}.po: fuzzy entries: {fuzzy}")
                missing = sorted(pot_ids - {entry.msgid for entry in entries})
                self.assertFalse(missing, f"{lang}.po: msgids of the .pot missing: {missing}")
                # An entry absent from the .pot is read by Odoo as obsolete: keep both in step.
                extra = sorted({entry.msgid for entry in entries} - pot_ids)
                self.assertFalse(extra, f"{lang}.po: msgids missing from the .pot: {extra}")

    def test_pot_holds_every_term_of_the_module(self):
        """A term added to the code, the views or the data without re-exporting the .pot would reach
        Spanish-speaking users in English."""
        # demo records (Spanish names of the demo company's products...) are not terms of the module
        demo_ids = set()
        for path in get_manifest(self.MODULE)["demo"]:
            if path.endswith(".xml"):
                demo_ids.update(record.get("id")
                                for record in etree.parse(file_path(f"{self.MODULE}/{path}")).iter("record"))

        def from_demo(xmlid):
            name = str(xmlid or "").split(".")[-1]
            return any(name == demo_id or name.startswith(demo_id + "_") for demo_id in demo_ids)

        exported = {source for module, _type, _name, xmlid, source, _value, _comments in
                    TranslationModuleReader(self.env.cr, modules=[self.MODULE])
                    if module == self.MODULE and source and not from_demo(xmlid)}
        pot_ids = {entry.msgid for entry in self._catalog(f"{self.MODULE}.pot") if not entry.obsolete}
        self.assertFalse(sorted(exported - pot_ids), f"terms missing from {self.MODULE}.pot: re-export it "
                                                     "(scripts/i18n.sh)")

    def test_es_ec_loaded(self):
        self.env["res.lang"]._activate_lang("es_EC")
        self.env["ir.module.module"]._load_module_terms(["l10n_ec_sri"], ["es_EC"], overwrite=True)
        Exchange = self.env["l10n_ec_sri.exchange"].with_context(lang="es_EC")
        kinds = dict(Exchange._fields["kind"]._description_selection(Exchange.env))
        self.assertEqual(kinds, {"send": "Recepción", "authorize": "Autorización"})
        outcomes = dict(Exchange._fields["outcome"]._description_selection(Exchange.env))
        self.assertEqual(outcomes["already_received"], "Ya recibido (43)")
        fields_es = Exchange.fields_get(["access_key", "duration"], ["string"])
        self.assertEqual(fields_es["access_key"]["string"], "Clave de acceso")
        self.assertEqual(fields_es["duration"]["string"], "Duración (s)")
        self.assertEqual(
            self.env.ref("l10n_ec_sri.action_l10n_ec_sri_exchange").with_context(lang="es_EC").name,
            "Intercambios con el SRI",
        )
