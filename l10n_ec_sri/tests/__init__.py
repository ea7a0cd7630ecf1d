from . import test_certificate
from . import test_security
from . import test_flow
from . import test_queue
from . import test_ride
from . import test_xmlrpc
from . import test_tour
from . import test_i18n
