/** @odoo-module */
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
// Started by tests/test_tour.py on the form of a posted invoice waiting for the SRI.

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("l10n_ec_sri_send_invoice", {
    steps: () => [
        {
            content: "The posted invoice waits for the SRI",
            trigger: ".o_form_view .o_field_badge[name='l10n_ec_sri_state'] span:contains('Por enviar')",
        },
        {
            content: "Send it to the SRI now",
            trigger: ".o_form_view .o_form_statusbar button[name='action_l10n_ec_sri_send']",
            run: "click",
        },
        {
            content: "The SRI authorized it",
            trigger: ".o_form_view .o_field_badge[name='l10n_ec_sri_state'] span:contains('Autorizado')",
            timeout: 30000,
        },
        {
            content: "Nothing is left to send",
            trigger: ".o_form_view .o_form_statusbar:not(:has(button[name='action_l10n_ec_sri_send']))",
        },
    ],
});
