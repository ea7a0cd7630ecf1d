from . import test_reports
from . import test_reports_plan
from . import test_ats
