import os
import sys

# ``import sri`` with l10n_ec_sri/ on the path, as the command line does.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))
