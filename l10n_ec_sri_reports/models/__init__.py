from . import l10n_ec_sri_report
from . import l10n_ec_sri_report_document
from . import l10n_ec_sri_report_tax
from . import l10n_ec_sri_report_withhold
from . import l10n_ec_sri_report_partner
from . import l10n_ec_sri_audit
from . import audit_hooks
