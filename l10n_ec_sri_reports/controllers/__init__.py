from . import rpc
from . import export
