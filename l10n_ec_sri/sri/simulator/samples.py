"""Small, schema-valid facturas (version 1.1.0) for exercising the services without the document builder.

Used by the service tests and the benchmark; real documents come from ``sri.documents``.
"""

from __future__ import annotations

import datetime
from xml.sax.saxutils import escape

from .. import access_key

DEFAULT_RUC = "1790012345001"

_TEMPLATE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<factura id="comprobante" version="1.1.0"><infoTributaria><ambiente>{ambiente}</ambiente>'
    "<tipoEmision>1</tipoEmision><razonSocial>PRUEBAS SERVICIO DE RENTAS INTERNAS</razonSocial>"
    "<ruc>{ruc}</ruc><claveAcceso>{key}</claveAcceso><codDoc>01</codDoc><estab>{estab}</estab>"
    "<ptoEmi>{pto}</ptoEmi><secuencial>{seq}</secuencial><dirMatriz>Quito</dirMatriz></infoTributaria>"
    "<infoFactura><fechaEmision>{fecha}</fechaEmision><obligadoContabilidad>SI</obligadoContabilidad>"
    "<tipoIdentificacionComprador>05</tipoIdentificacionComprador><razonSocialComprador>CLIENTE DE PRUEBA"
    "</razonSocialComprador><identificacionComprador>{buyer}</identificacionComprador>"
    "<totalSinImpuestos>{base}</totalSinImpuestos><totalDescuento>0.00</totalDescuento><totalConImpuestos>"
    "<totalImpuesto><codigo>2</codigo><codigoPorcentaje>4</codigoPorcentaje><baseImponible>{base}</baseImponible>"
    "<valor>{iva}</valor></totalImpuesto></totalConImpuestos><propina>0.00</propina>"
    "<importeTotal>{total}</importeTotal><moneda>DOLAR</moneda><pagos><pago><formaPago>01</formaPago>"
    "<total>{total}</total></pago></pagos></infoFactura><detalles><detalle><codigoPrincipal>A1</codigoPrincipal>"
    "<descripcion>Servicio de prueba</descripcion><cantidad>1.000000</cantidad>"
    "<precioUnitario>{base}0000</precioUnitario><descuento>0.00</descuento>"
    "<precioTotalSinImpuesto>{base}</precioTotalSinImpuesto><impuestos><impuesto><codigo>2</codigo>"
    "<codigoPorcentaje>4</codigoPorcentaje><tarifa>15</tarifa><baseImponible>{base}</baseImponible>"
    "<valor>{iva}</valor></impuesto></impuestos></detalle></detalles></factura>"
)


def factura(sequential: int, *, ruc: str = DEFAULT_RUC, date: datetime.date | None = None,
            base: float = 10.0, buyer: str = "1710034065", ambiente: str = "1", estab: str = "001",
            pto_emi: str = "001", numeric_code: str = "12345678", key: str | None = None) -> tuple[bytes, str]:
    """An unsigned factura 1.1.0 (IVA 15 %) and its access key. ``key`` forces a given key (to test
    mismatches); by default it is built from the fields."""
    date = date or datetime.date.today()
    seq = f"{int(sequential):09d}"
    if key is None:
        key = access_key.build(date, "01", ruc, ambiente, estab, pto_emi, seq, numeric_code)
    iva = round(base * 0.15, 2)
    xml = _TEMPLATE.format(ambiente=ambiente, ruc=ruc, key=key, estab=estab, pto=pto_emi, seq=seq,
                           fecha=f"{date:%d/%m/%Y}", buyer=escape(buyer), base=f"{base:.2f}", iva=f"{iva:.2f}",
                           total=f"{base + iva:.2f}")
    return xml.encode("utf-8"), key


def signed_factura(cert, sequential: int, **kwargs) -> tuple[bytes, str]:
    """``factura(...)`` signed with ``cert`` (a ``sri.signing.Certificate``)."""
    from .. import signing
    xml, key = factura(sequential, **kwargs)
    return signing.sign(xml, cert), key
