# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from . import test_i18n
from . import test_plan
from . import test_xmlrpc
from . import test_tour
