"""Comercio exterior of an export factura: :class:`ForeignTrade` (``infoFactura``'s comercioExterior block).

An exporter's factura says ``comercioExterior`` EXPORTADOR, the Incoterm of the sale and where it applies, the
countries of origin, destination and acquisition (codes of the SRI's table of countries, three digits, not
ISO's), the ports of loading and destination, and the Incoterm the total without taxes is stated in.

The XSD's four amounts of the block (``fleteInternacional``, ``seguroInternacional``, ``gastosAduaneros``,
``gastosTransporteOtros``) are not written: freight and insurance charged to the customer are lines of the
invoice, in its total without taxes, as the accounting records them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from .checker import Checker
from .formatting import sub

EXPORTER = "EXPORTADOR"
_INCOTERM = re.compile(r"[A-Z]{1,10}")


def _incoterm(ck: Checker, value, path, label, required=True):
    text = ck.text(value, path, label, 10, required)
    if text is None:
        return None
    text = text.upper()
    if not _INCOTERM.fullmatch(text):
        ck.add(path, f"{label} debe ser un Incoterm en letras (FOB, CIF, EXW...), no {text!r}")
    return text


@dataclass(kw_only=True)
class ForeignTrade:
    """``comercioExterior`` and what goes with it. Every field is required but ``subtotal_incoterm``, which
    defaults to ``incoterm``."""

    incoterm: str  # incoTermFactura, e.g. FOB
    incoterm_place: str  # lugarIncoTerm, e.g. Guayaquil
    origin_country: str  # paisOrigen (SRI table, 3 digits)
    port_of_loading: str  # puertoEmbarque
    port_of_destination: str  # puertoDestino
    destination_country: str  # paisDestino (SRI table, 3 digits)
    acquisition_country: str  # paisAdquisicion (SRI table, 3 digits): where the buyer is
    subtotal_incoterm: Optional[str] = None  # incoTermTotalSinImpuestos

    def normalize(self, ck: Checker, path):
        self.incoterm = _incoterm(ck, self.incoterm, f"{path}.incoterm", "el Incoterm de la factura")
        self.subtotal_incoterm = _incoterm(ck, self.subtotal_incoterm or self.incoterm, f"{path}.subtotal_incoterm",
                                           "el Incoterm del total sin impuestos")
        self.incoterm_place = ck.text(self.incoterm_place, f"{path}.incoterm_place", "el lugar del Incoterm", 300)
        self.port_of_loading = ck.text(self.port_of_loading, f"{path}.port_of_loading", "el puerto de embarque", 300)
        self.port_of_destination = ck.text(self.port_of_destination, f"{path}.port_of_destination",
                                           "el puerto de destino", 300)
        for name, label in (("origin_country", "el país de origen"), ("destination_country", "el país de destino"),
                            ("acquisition_country", "el país de adquisición")):
            setattr(self, name, ck.digits(getattr(self, name), f"{path}.{name}",
                                          f"{label} (código de la tabla de países del SRI)", width=3))

    def header_xml(self, w):
        """From comercioExterior to paisAdquisicion (between obligadoContabilidad and the buyer)."""
        sub(w, "comercioExterior", EXPORTER)
        sub(w, "incoTermFactura", self.incoterm)
        sub(w, "lugarIncoTerm", self.incoterm_place)
        sub(w, "paisOrigen", self.origin_country)
        sub(w, "puertoEmbarque", self.port_of_loading)
        sub(w, "puertoDestino", self.port_of_destination)
        sub(w, "paisDestino", self.destination_country)
        sub(w, "paisAdquisicion", self.acquisition_country)

    def subtotal_xml(self, w):
        """incoTermTotalSinImpuestos (after totalSinImpuestos)."""
        sub(w, "incoTermTotalSinImpuestos", self.subtotal_incoterm)
