/** @odoo-module */
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
// Started by tests/test_tour.py: an SRI administrator of a company on the free plan opens "Mi suscripción" in the
// settings, sees its usage, and upgrades to Pro.

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("l10n_ec_sri_plan_subscription", {
    steps: () => [
        {
            content: "Mi suscripción shows the plan",
            trigger: ".o_setting_box:has(button[name='action_l10n_ec_sri_change_plan']) .o_field_widget[name='l10n_ec_sri_plan_id']:contains('Free')",
        },
        {
            content: "The documents of the month against the limit",
            trigger: ".o_field_widget[name='l10n_ec_sri_documents_this_month'] .o_progressbar:contains('10')",
        },
        {
            content: "Upgrade",
            trigger: "button[name='action_l10n_ec_sri_change_plan']",
            run: "click",
        },
        {
            content: "Choose Pro",
            trigger: ".modal .o_field_widget[name='plan_id'] input",
            run: "edit Pro",
        },
        {
            trigger: ".ui-menu-item > a:contains('Pro')",
            run: "click",
        },
        {
            content: "An upgrade applies at once",
            trigger: ".modal .alert:contains('at once')",
        },
        {
            content: "Confirm",
            trigger: ".modal button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The company is on Pro",
            trigger: ".o_setting_box .o_field_widget[name='l10n_ec_sri_plan_id']:contains('Pro')",
        },
    ],
});
