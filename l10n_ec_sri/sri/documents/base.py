"""Shared pieces of every SRI document, re-exported from the modules that define them (kept so that
``from .base import X`` / ``from sri.documents.base import X`` keeps working):

* :mod:`.formatting` — constants (rates, limits, payment methods) and the fmt/esc/sub/opt/round helpers;
* :mod:`.checker` — :class:`Checker`, which collects every problem while coercing values;
* :mod:`.parts` — :class:`Extra`, :class:`Issuer`, :class:`Party`, :class:`Tax`, :class:`TaxTotal`,
  :class:`Line`, :class:`Payment`;
* :mod:`.reimbursement` — :class:`Reimbursement`, :class:`ReimbursementTax` and their totals;
* :mod:`.foreign_trade` — :class:`ForeignTrade`, the comercioExterior block of an export factura;
* :mod:`.document` — the :class:`Document` base class and the normalisers/writers shared by the types.

Conventions
-----------
* Amounts are :class:`decimal.Decimal`. Values the caller gives are checked (never silently
  rounded): at most 2 decimals for amounts, at most 6 for ``quantity``/``unit_price``.
  Values this module computes are rounded ROUND_HALF_UP to 2 decimals.
* ``check()`` collects EVERY problem as a :class:`~sri.errors.FieldError` whose path uses the
  JSON/dataclass names with 0-based indexes (``lines[2].quantity``) and raises one
  :class:`~sri.errors.SriValidationError`.
* Serialisation writes the elements in the exact XSD order straight into a list of strings
  (escaped here; about 5x faster than ``etree.SubElement``); ``to_element()`` parses those bytes
  with lxml. Text is cleaned by :meth:`Checker.text` (no newlines, no control characters).
"""

from .checker import _DECIMAL_TEXTS, _DECIMAL_TEXTS_MAX, Checker  # noqa: F401
from .document import (  # noqa: F401
    Document, DocumentXml, canonical_form, check_given_totals, check_lines_present, check_max, compute_tax_totals, normalize_buyer,
    normalize_modified_document, settle_total, write_modified_document,
)
from .formatting import (  # noqa: F401
    _CONTROL, _DATE_TEXT, _DOC_NUMBER, _NEWLINES, _QUANTITY_TEXT, _RATE_TEXT, CENT, DATE_TOLERANCE_DAYS,
    DEFAULT_PAYMENT_METHOD, HUNDRED, MAX_AMOUNT, MAX_QUANTITY, MAX_RATE, MICRO, PAYMENT_METHODS, RIMPE_LEGEND,
    TAX_ICE, TAX_IRBPNR, TAX_NAMES, TAX_VAT, VAT_RATES, XML_DECLARATION, ZERO, ZERO_CENTS, _yes_no, esc,
    esc_attr, fmt, fmt_date, fmt_quantity, fmt_rate, opt, round2, sub, today_ecuador,
)
from .foreign_trade import ForeignTrade  # noqa: F401
from .parts import (  # noqa: F401
    Extra, Issuer, Line, Party, Payment, Tax, TaxTotal, _norm_extras, norm_payments, sum_taxes,
)
from .reimbursement import (  # noqa: F401
    Reimbursement, ReimbursementTax, norm_reimbursements, reimbursement_totals, write_reimbursement_totals,
)
