from . import test_reports
from . import test_reports_plan
from . import test_audit
from . import test_ats
from . import test_i18n
from . import test_export
from . import test_tour
from . import test_foreign_trade
