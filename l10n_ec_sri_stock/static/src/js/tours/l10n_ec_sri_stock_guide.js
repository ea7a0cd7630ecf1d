/** @odoo-module */
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
// Started by tests/test_tour.py: a warehouse user opens a validated delivery, makes its guía de remisión,
// chooses the carrier (its plate is proposed), posts it, sends it to the SRI and sees it authorized.

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("l10n_ec_sri_stock_guide", {
    steps: () => [
        {
            content: "Make the guía of the validated delivery",
            trigger: ".o_form_view .o_form_statusbar button[name='action_l10n_ec_sri_guide']",
            run: "click",
        },
        {
            content: "The draft guía has the delivery's destinatario",
            trigger: ".o_form_view .o_field_widget[name='line_ids'] .o_data_row:contains('Juan Pérez')",
        },
        {
            content: "Choose the carrier",
            trigger: ".o_form_view .o_field_widget[name='carrier_id'] input",
            run: "edit Luis",
        },
        {
            trigger: ".ui-menu-item > a:contains('Luis Guamán')",
            run: "click",
        },
        {
            content: "Its plate is proposed",
            trigger: ".o_form_view .o_field_widget[name='plate'] input:value('PBA-1234')",
        },
        {
            content: "Post the guía",
            trigger: ".o_form_view .o_form_statusbar button[name='action_post']",
            run: "click",
        },
        {
            content: "It waits for the SRI",
            trigger: ".o_form_view .o_field_widget[name='l10n_ec_sri_state']:contains('Por enviar')",
        },
        {
            content: "Send it to the SRI now",
            trigger: ".o_form_view .o_form_statusbar button[name='action_l10n_ec_sri_send']",
            run: "click",
        },
        {
            content: "The SRI authorized it",
            trigger: ".o_form_view .o_field_widget[name='l10n_ec_sri_state']:contains('Autorizado')",
            timeout: 30000,
        },
    ],
});
