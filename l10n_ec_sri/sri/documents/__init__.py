"""SRI electronic documents as typed dataclasses, serialised to the official XSD layout.

>>> from sri.documents import from_dict
>>> doc = from_dict(json.load(open("sri/examples/factura.json")))
>>> doc.check()            # raises SriValidationError listing every problem
>>> doc.access_key         # 49 digits, built once when the data gives none
>>> xml = doc.to_xml()     # unsigned UTF-8 bytes

JSON format: see ``sri/examples/README.md``.
"""

from __future__ import annotations

import dataclasses
import datetime
import typing
from decimal import Decimal

from ..errors import FieldError, SriValidationError
from .base import (
    VAT_RATES, Document, Extra, ForeignTrade, Issuer, Line, Party, Payment, Reimbursement, ReimbursementTax, Tax, TaxTotal,
    today_ecuador,
)
from .factura import Factura
from .guia_remision import GuideLine, GuiaRemision, Recipient
from .liquidacion import LiquidacionCompra
from .nota_credito import NotaCredito
from .nota_debito import DebitReason, NotaDebito
from .retencion import Retencion, SupportDocument, Withholding

__all__ = [
    "Factura", "NotaCredito", "NotaDebito", "Retencion", "LiquidacionCompra", "GuiaRemision",
    "Document", "ForeignTrade", "Issuer", "Party", "Line", "Tax", "TaxTotal", "Payment", "Extra", "Reimbursement",
    "ReimbursementTax", "DebitReason", "SupportDocument", "Withholding", "Recipient", "GuideLine",
    "from_dict", "DOCUMENT_CLASSES", "TYPES", "VAT_RATES", "today_ecuador",
]

#: codDoc -> class
DOCUMENT_CLASSES = {cls.COD_DOC: cls for cls in (Factura, LiquidacionCompra, NotaCredito, NotaDebito,
                                                  GuiaRemision, Retencion)}
#: JSON ``type`` -> class
TYPES = {cls.TYPE: cls for cls in DOCUMENT_CLASSES.values()}

_PLANS: dict = {}


def _identity(value, path, errors):
    return value


def _converter(tp):
    """A function (value, path, errors) -> converted value, for a type hint."""
    if typing.get_origin(tp) is typing.Union:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            tp = args[0]
    if typing.get_origin(tp) is list:
        (item_tp,) = typing.get_args(tp)
        item_conv = _converter(item_tp)

        def conv_list(value, path, errors):
            if value is None:
                return []
            if item_tp is Extra and isinstance(value, dict):
                return [Extra(name=k, value=v) for k, v in value.items()]
            if not isinstance(value, list):
                errors.append(FieldError(path, "se esperaba una lista"))
                return []
            return [item_conv(v, f"{path}[{i}]", errors) for i, v in enumerate(value)]

        def conv_dataclass_list(value, path, errors):  # the same, with the item's builder called directly
            if value is None:
                return []
            if item_tp is Extra and isinstance(value, dict):
                return [Extra(name=k, value=v) for k, v in value.items()]
            if not isinstance(value, list):
                errors.append(FieldError(path, "se esperaba una lista"))
                return []
            build = _BUILDERS.get(item_tp) or _builder(item_tp)
            return [None if v is None else build(v, f"{path}[{i}]", errors) for i, v in enumerate(value)]
        return conv_dataclass_list if dataclasses.is_dataclass(item_tp) else conv_list
    if dataclasses.is_dataclass(tp):
        def conv_dataclass(value, path, errors):
            return None if value is None else (_BUILDERS.get(tp) or _builder(tp))(value, path, errors)
        return conv_dataclass
    return _identity  # scalars (Decimal, date, str, bool) are checked by Document.check()


def _plan(cls):
    """Per dataclass, computed once: (init field names, converters of the non-scalar fields, required
    names as a set, required names in field order). Scalars need no converter: ``_build`` passes them
    through untouched."""
    plan = _PLANS.get(cls)
    if plan is None:
        hints = typing.get_type_hints(cls)
        fields = [f for f in dataclasses.fields(cls) if f.init]
        convs = {f.name: _converter(hints[f.name]) for f in fields}
        convs = {name: conv for name, conv in convs.items() if conv is not _identity}
        required = tuple(f.name for f in fields
                         if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
        plan = _PLANS[cls] = (frozenset(f.name for f in fields), convs, frozenset(required), required)
    return plan


_BUILDERS: dict = {}


def _builder(cls):
    """A function (data, path, errors) -> instance specialised for dataclass ``cls`` (made once): the
    usual case (a dict whose keys are all fields, with every required one) without any generic
    look-up; every other case goes to :func:`_build`, which reports the errors."""
    build = _BUILDERS.get(cls)
    if build is None:
        names, convs, required_set, _ = _plan(cls)
        if not convs:  # scalars only: the dict is the keyword arguments
            def build(data, path, errors):
                if type(data) is dict:
                    keys = data.keys()
                    if keys <= names and required_set <= keys:
                        return cls(**data)
                return _build(cls, data, path, errors)
        else:
            conv_keys = frozenset(convs)

            def build(data, path, errors):
                if type(data) is dict:
                    keys = data.keys()
                    if keys <= names and required_set <= keys:
                        if conv_keys.isdisjoint(keys):
                            return cls(**data)
                        kwargs = dict(data)
                        prefix = f"{path}." if path else ""
                        for key in data:  # nested values converted in the data's order (order of errors)
                            conv = convs.get(key)
                            if conv is not None:
                                kwargs[key] = conv(data[key], prefix + key, errors)
                        return cls(**kwargs)
                return _build(cls, data, path, errors)
        build = _BUILDERS[cls] = build
    return build


def _build(cls, data, path, errors):
    """Instantiate dataclass ``cls`` from a dict, recursively; unknown keys are errors."""
    if isinstance(data, cls):
        return data
    if not isinstance(data, dict):
        errors.append(FieldError(path, f"se esperaba un objeto JSON (recibido {type(data).__name__})"))
        return None
    names, convs, required_set, required = _PLANS.get(cls) or _plan(cls)
    keys = data.keys()
    if keys <= names and required_set <= keys:
        # usual case: every key is a field and every required field is there (no error at this level);
        # scalars go straight to the constructor, nested objects/lists are converted in the data's order
        if convs.keys().isdisjoint(keys):
            return cls(**data)
        kwargs = dict(data)
        prefix = f"{path}." if path else ""
        for key in data:
            conv = convs.get(key)
            if conv is not None:
                kwargs[key] = conv(data[key], prefix + key, errors)
        return cls(**kwargs)
    kwargs = {}
    prefix = f"{path}." if path else ""
    for key, value in data.items():
        if key not in names:
            if not (path == "" and key == "type"):
                errors.append(FieldError(prefix + str(key),
                                         "campo desconocido; revise el nombre (ver sri/examples/README.md)"))
            continue
        conv = convs.get(key)
        kwargs[key] = value if conv is None else conv(value, prefix + key, errors)
    for name in required:
        if name not in kwargs:
            errors.append(FieldError(prefix + name, "falta este campo obligatorio"))
            kwargs[name] = None
    return cls(**kwargs)


def from_dict(data: dict) -> Document:
    """Build a document from a JSON-like dict: ``data["type"]`` is factura, nota_credito, nota_debito,
    retencion, liquidacion_compra or guia_remision; optional ``version``. Raises
    :class:`SriValidationError` for an unknown type, unknown keys or missing required keys (the values
    themselves are checked by ``doc.check()``)."""
    if not isinstance(data, dict):
        raise SriValidationError([FieldError("", "el documento debe ser un objeto JSON")])
    doc_type = data.get("type")
    cls = TYPES.get(doc_type) or DOCUMENT_CLASSES.get(str(doc_type))
    if cls is None:
        raise SriValidationError([FieldError("type", f"tipo de documento {doc_type!r} desconocido; use uno de: "
                                             + ", ".join(TYPES))], "Documento no válido")
    errors: list[FieldError] = []
    doc = _build(cls, data, "", errors)
    if errors:
        raise SriValidationError(errors, f"No se puede leer el {cls.TITLE}")
    return doc
