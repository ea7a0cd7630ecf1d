"""pytest set-up for the pure-Python SRI core.

Odoo add-on folders are Python packages whose ``__init__`` imports ``odoo``; pytest would import
them (and so need Odoo) just to collect ``l10n_ec_sri/sri/tests``. Collect every folder inside an
add-on as a plain directory instead: the tests import the core as ``sri`` (``pythonpath`` in pytest.ini).
"""

import pytest


def _inside_addon(path):
    return any((p / "__manifest__.py").exists() for p in (path, *path.parents))


def pytest_collect_directory(path, parent):
    if _inside_addon(path):
        return pytest.Dir.from_parent(parent, path=path)
    return None
