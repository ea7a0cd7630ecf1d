"""Small facturas for exercising the services: built by ``sri.documents`` like any real document.

Used by the service tests and the benchmark. ``key`` forces another access key into the XML (to test
the simulator's mismatch checks), which the document builder itself would refuse.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from .. import documents

DEFAULT_RUC = "1790016919001"


def factura(sequential: int, *, ruc: str = DEFAULT_RUC, date: datetime.date | None = None,
            base: float = 10.0, buyer: str = "1710034065", ambiente: str = "1", estab: str = "001",
            pto_emi: str = "001", numeric_code: str = "12345678", key: str | None = None) -> tuple[bytes, str]:
    """An unsigned factura 1.1.0 of one line at 15 % IVA and its access key."""
    doc = documents.from_dict({
        "type": "factura", "version": "1.1.0", "environment": ambiente,
        "establishment": estab, "emission_point": pto_emi, "sequential": str(sequential),
        "numeric_code": numeric_code, "emission_date": (date or datetime.date.today()).isoformat(),
        "issuer": {"ruc": ruc, "legal_name": "PRUEBAS SERVICIO DE RENTAS INTERNAS", "main_address": "Quito",
                   "accounting_required": True},
        "buyer": {"id_type": "05", "identification": buyer, "name": "CLIENTE DE PRUEBA"},
        "lines": [{"main_code": "A1", "description": "Servicio de prueba", "quantity": "1",
                   "unit_price": str(Decimal(str(base)).quantize(Decimal("0.01"))),
                   "taxes": [{"code": "2", "rate_code": "4"}]}],
    })
    xml = doc.to_xml(check_date=False)
    if key is not None and key != doc.access_key:
        xml = xml.replace(doc.access_key.encode(), key.encode())
        return xml, key
    return xml, doc.access_key


def signed_factura(cert, sequential: int, **kwargs) -> tuple[bytes, str]:
    """``factura(...)`` signed with ``cert`` (a ``sri.signing.Certificate``)."""
    from .. import signing
    xml, key = factura(sequential, **kwargs)
    return signing.sign(xml, cert), key
