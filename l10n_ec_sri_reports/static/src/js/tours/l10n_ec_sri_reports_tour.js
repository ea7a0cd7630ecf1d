/** @odoo-module */
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
// Started by tests/test_tour.py on the electronic documents report: an accountant produces last month's ATS
// from the menu, then asks for the complete export.

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("l10n_ec_sri_reports_ats_export", {
    steps: () => [
        {
            content: "The electronic documents report is open",
            trigger: ".o_pivot_view, .o_graph_view, .o_list_view",
        },
        {
            content: "Open Reporting",
            trigger: ".o_menu_sections .dropdown-toggle:contains('Reporting')",
            run: "click",
        },
        {
            content: "Open the ATS",
            trigger: ".dropdown-menu .dropdown-item:contains('ATS (Anexo Transaccional Simplificado)')",
            run: "click",
        },
        {
            content: "Generate last month's ATS",
            trigger: ".modal .modal-footer button[name='action_generate']",
            run: "click",
        },
        {
            content: "The ATS is ready: its file and one sales document",
            trigger: ".modal .o_field_widget[name='ats_file'] a, .modal .o_field_widget[name='ats_file'] button",
            timeout: 20000,
        },
        {
            content: "One sales document in it",
            trigger: ".modal .o_field_widget[name='sales_count']:contains('1')",
        },
        {
            content: "Close the ATS",
            trigger: ".modal .modal-header .btn-close",
            run: "click",
        },
        {
            content: "Open Reporting again",
            trigger: ".o_menu_sections .dropdown-toggle:contains('Reporting')",
            run: "click",
        },
        {
            content: "Open the complete export",
            trigger: ".dropdown-menu .dropdown-item:contains('Complete export')",
            run: "click",
        },
        {
            content: "Ask for a complete export",
            trigger: ".o_list_view .o_control_panel_main_buttons button[name='action_request'], .o_list_renderer ~ * button[name='action_request'], button[name='action_request']",
            run: "click",
        },
        {
            content: "It waits for the scheduled job",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Waiting')",
        },
    ],
});
