# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from . import l10n_ec_sri_api_record  # isort: skip (the others inherit it)
from . import (fastapi_endpoint, l10n_ec_sri_api_batch, l10n_ec_sri_api_request, l10n_ec_sri_api_webhook,
               l10n_ec_sri_document)
