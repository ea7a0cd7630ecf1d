from . import test_certificate
from . import test_security
