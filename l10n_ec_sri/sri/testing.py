"""Test certificates: ``make_p12`` builds a .p12 shaped like the ones Ecuadorian CAs issue.

Used by the tests of the core, by other engineers' tests and by Odoo demo data. Nothing here is
trusted by anybody: the CA is self-signed and generated on the fly.

RSA key generation is slow (tens of milliseconds for 2048 bits), so keys are cached per process
and per role: every call with the same ``key_size`` reuses the same CA key and the same signer key.
Certificates themselves are cheap and are built fresh on each call (random serial numbers).

CAs are ``(private_key, certificate)`` pairs: ``make_ca()`` (the cached per-process test CA, the
default issuer), ``new_ca(common_name)`` (another CA, e.g. one the simulator does not trust) and
``demo_ca(directory)`` (a CA kept in ``ca.pem`` + ``ca-key.pem``, created once: ``make run`` issues
the demo company's certificate from it and the simulator trusts it). ``make_p12(..., ca=pair)``
issues the signer certificate from that CA.
"""

import fcntl
import functools
import os
import shutil
import subprocess
import tempfile
import threading
from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID, ObjectIdentifier

#: Where Security Data / BCE style certificates carry the RUC of the holder (an X.509 extension).
OID_RUC = ObjectIdentifier("1.3.6.1.4.1.37746.3.11")

DEFAULT_RUC = "1790016919001"
CA_COMMON_NAME = "AC PRUEBAS L10N_EC_SRI"
CA_EMAIL = "ac-pruebas@example.ec"
DEMO_CA_COMMON_NAME = "AC DEMO L10N_EC_SRI"
DEMO_CA_CERT_FILE = "ca.pem"
DEMO_CA_KEY_FILE = "ca-key.pem"


@functools.lru_cache(maxsize=None)
def rsa_key(key_size=2048, role="signer"):
    """A cached RSA private key per ``(key_size, role)``: roles are ``ca``, ``signer``, ``other``."""
    return rsa.generate_private_key(public_exponent=65537, key_size=key_size)


def _name(common_name, ruc=None, email=None, organization=None):
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "EC")]
    if organization:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "PRUEBAS"))
    if ruc:
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, ruc))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    if email:
        attrs.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    return x509.Name(attrs)


def _der_utf8(text):
    raw = text.encode("utf-8")
    assert len(raw) < 128
    return bytes([0x0C, len(raw)]) + raw


@functools.lru_cache(maxsize=None)
def make_ca(key_size=2048):
    """The self-signed test CA: ``(private_key, certificate)``, cached per process.

    Its subject carries an e-mail address (the edge case of SPEC §8) and its KeyUsage includes
    digitalSignature, so a loader that picked "any certificate able to sign" without matching the
    private key would wrongly pick it from a .p12 that holds the chain."""
    return new_ca(CA_COMMON_NAME, key=rsa_key(key_size, "ca"))


def new_ca(common_name="AC DE PRUEBAS NO RECONOCIDA", *, key=None, key_size=2048, days_valid=3650,
           email=CA_EMAIL):
    """Another self-signed CA, ``(private_key, certificate)``, not cached. ``key`` defaults to a
    fresh RSA key (slow: tens of milliseconds); valid from ``days_valid`` days ago for twice that."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    name = _name(common_name, email=email, organization="ENTIDAD DE CERTIFICACION DE PRUEBAS")
    now = datetime.now(timezone.utc).replace(microsecond=0)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=days_valid))
        .not_valid_after(now + timedelta(days=days_valid))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


_demo_lock = threading.Lock()


def demo_ca(directory, common_name=DEMO_CA_COMMON_NAME):
    """The CA kept in ``directory`` (``ca.pem``, ``ca-key.pem`` unencrypted, mode 0600), created
    there the first time (valid 20 years back and forth), loaded afterwards: ``(private_key,
    certificate)``, what ``make_p12(ca=...)`` takes. A demo CA: trusted by nobody but the
    simulator it is given to (``--trust-ca DIRECTORY/ca.pem``)."""
    cert_path = os.path.join(directory, DEMO_CA_CERT_FILE)
    key_path = os.path.join(directory, DEMO_CA_KEY_FILE)
    with _demo_lock:
        if not (os.path.exists(cert_path) and os.path.exists(key_path)):
            os.makedirs(directory, exist_ok=True)
            with open(os.path.join(directory, ".lock"), "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be creating it too
                if not (os.path.exists(cert_path) and os.path.exists(key_path)):
                    key, cert = new_ca(common_name, days_valid=7300, email=None)
                    # key first, then the certificate, each written whole then renamed
                    _write_new(key_path, key.private_bytes(serialization.Encoding.PEM,
                                                           serialization.PrivateFormat.PKCS8,
                                                           serialization.NoEncryption()), 0o600)
                    _write_new(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)
        with open(key_path, "rb") as f:
            key = serialization.load_pem_private_key(f.read(), None)
        with open(cert_path, "rb") as f:
            cert = x509.load_pem_x509_certificate(f.read())
    if key.public_key().public_numbers() != cert.public_key().public_numbers():
        raise ValueError(f"{key_path} is not the key of {cert_path}")
    return key, cert


def demo_ca_pem_path(directory):
    """Where ``demo_ca(directory)`` keeps the CA certificate (PEM)."""
    return os.path.join(directory, DEMO_CA_CERT_FILE)


def _write_new(path, data, mode):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def make_certificate(public_key, *, ruc=DEFAULT_RUC, common_name=None, not_before=None,
                     not_after=None, digital_signature=True, key_size=2048, ca=None,
                     key_usage=True):
    """A leaf certificate for ``public_key`` issued by ``ca`` (``(key, certificate)``, default the
    test CA). ``key_usage=False``: no KeyUsage extension at all (RFC 5280: unrestricted)."""
    ca_key, ca_cert = ca or make_ca(key_size)
    common_name = common_name or f"EMPRESA DE PRUEBAS {ruc}"
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, ruc=ruc, email="facturacion@example.ec",
                            organization="EMPRESA DE PRUEBAS S.A."))
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
    )
    if key_usage:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=digital_signature, content_commitment=digital_signature,
            key_encipherment=not digital_signature, data_encipherment=not digital_signature,
            key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
    if ruc:
        builder = builder.add_extension(x509.UnrecognizedExtension(OID_RUC, _der_utf8(ruc)),
                                        critical=False)
    return builder.sign(ca_key, hashes.SHA256())


def make_p12(password="secret", ruc=DEFAULT_RUC, common_name=None, days_valid=365,
             not_before=None, expired=False, key_usage_digital_signature=True,
             extra_encryption_cert=False, legacy=False, key_size=2048, ca=None, key_usage=True):
    """A .p12 (bytes) with a signer key, its certificate and the CA that issued it.

    - ``ca``: the issuing CA as ``(private_key, certificate)`` (``new_ca``, ``demo_ca``); default the
      per-process test CA (``make_ca``).
    - ``key_usage=False``: the certificate has no KeyUsage extension (unrestricted, RFC 5280).

    - ``not_before`` (aware datetime) defaults to one day ago; the certificate lasts ``days_valid``
      days. ``expired=True`` makes it end yesterday.
    - ``key_usage_digital_signature=False``: KeyUsage keyEncipherment/dataEncipherment only
      (SRI error 39 if used to sign).
    - ``extra_encryption_cert=True``: the .p12 also holds an encryption-only certificate of the same
      key, and that one is the "main" certificate of the file (the one bound to the key bag), as a
      naive loader would pick it; the signing certificate and the CA come as extra certificates.
    - ``legacy=True``: PBES1 SHA1/3DES encryption with a SHA-1 MAC (what ``openssl pkcs12 -legacy``
      and old CA tooling produce); ``legacy="rc2"``: the real thing made by the ``openssl`` command
      with ``-legacy`` (RC2-40 for the certificates, 3DES for the key).
    """
    key = rsa_key(key_size, "signer")
    ca = ca or make_ca(key_size)
    ca_cert = ca[1]
    now = datetime.now(timezone.utc).replace(microsecond=0)
    if expired:
        not_after = now - timedelta(days=1)
        not_before = not_after - timedelta(days=days_valid)
    else:
        not_before = not_before or now - timedelta(days=1)
        not_after = not_before + timedelta(days=days_valid)
    cert = make_certificate(key.public_key(), ruc=ruc, common_name=common_name,
                            not_before=not_before, not_after=not_after,
                            digital_signature=key_usage_digital_signature, key_size=key_size,
                            ca=ca, key_usage=key_usage)
    main, extra = cert, [ca_cert]
    if extra_encryption_cert:
        encryption = make_certificate(key.public_key(), ruc=ruc, common_name=common_name,
                                      not_before=not_before, not_after=not_after,
                                      digital_signature=False, key_size=key_size, ca=ca)
        main, extra = encryption, [cert, ca_cert]
    if isinstance(password, str):
        password = password.encode("utf-8")
    if legacy == "rc2":
        return _openssl_legacy_p12(key, main, extra, password)
    if not password:
        encryption = serialization.NoEncryption()
    elif legacy:
        encryption = (
            serialization.PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(2048)
            .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
            .hmac_hash(hashes.SHA1())
            .build(password)
        )
    else:
        encryption = serialization.BestAvailableEncryption(password)
    return pkcs12.serialize_key_and_certificates(b"firma", key, main, extra, encryption)


def _openssl_legacy_p12(key, cert, extra, password):
    openssl = shutil.which("openssl")
    if not openssl:
        raise RuntimeError("the openssl command is needed for legacy='rc2'")
    with tempfile.TemporaryDirectory() as tmp:
        key_path, cert_path, extra_path, pass_path = (
            os.path.join(tmp, n) for n in ("key.pem", "cert.pem", "extra.pem", "pass"))
        with open(key_path, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
        with open(cert_path, "wb") as f:
            f.write(cert.public_bytes(serialization.Encoding.PEM))
        with open(extra_path, "wb") as f:
            for c in extra:
                f.write(c.public_bytes(serialization.Encoding.PEM))
        with open(pass_path, "wb") as f:
            f.write(password + b"\n")
        out = subprocess.run(
            [openssl, "pkcs12", "-export", "-legacy", "-inkey", key_path, "-in", cert_path,
             "-certfile", extra_path, "-name", "firma", "-passout", f"file:{pass_path}"],
            check=True, capture_output=True)
    return out.stdout


# ------------------------------------------------------------------- documents received from others

def private_ruc(first9: str) -> str:
    """The RUC of a sociedad privada (third digit 9) starting with the 9 digits ``first9``: the
    módulo 11 check digit (weights 4, 3, 2, 7, 6, 5, 4, 3, 2) then establishment 001. ValueError
    when no check digit exists for those digits (the remainder would be 1)."""
    if len(first9) != 9 or not first9.isdigit() or first9[2] != "9":
        raise ValueError("se esperan 9 dígitos con el tercero igual a 9 (sociedad privada)")
    total = sum(int(d) * w for d, w in zip(first9, (4, 3, 2, 7, 6, 5, 4, 3, 2)))
    check = 11 - total % 11
    if check == 10:
        raise ValueError(f"{first9}: no hay dígito verificador posible, elija otros dígitos")
    return f"{first9}{0 if check == 11 else check}001"


#: The supplier / customer that issues the documents ``received_xml`` makes (not DEFAULT_RUC).
SUPPLIER_RUC = private_ruc("099100421")
SUPPLIER_NAME = "PROVEEDORA DEL LITORAL S.A."
SUPPLIER_CA_COMMON_NAME = "AC EXTRANJERA DE PRUEBAS L10N_EC_SRI"
#: The company that receives them (DEFAULT_RUC) as it appears on the documents.
RECEIVER_NAME = "EMPRESA DE PRUEBAS S.A."

#: (kind, version) ``received_xml`` makes -> the version the core's builder makes it from.
RECEIVED_VERSIONS = {
    ("factura", "1.0.0"): "1.1.0",
    ("factura", "1.1.0"): "1.1.0",
    ("factura", "2.0.0"): "2.1.0",
    ("factura", "2.1.0"): "2.1.0",
    ("nota_credito", "1.0.0"): "1.1.0",
    ("nota_credito", "1.1.0"): "1.1.0",
    ("nota_debito", "1.0.0"): "1.0.0",
    ("retencion", "1.0.0"): "2.0.0",
    ("retencion", "2.0.0"): "2.0.0",
    ("liquidacion_compra", "1.0.0"): "1.1.0",
    ("liquidacion_compra", "1.1.0"): "1.1.0",
    ("guia_remision", "1.0.0"): "1.1.0",  # guías: only to check that they are refused
    ("guia_remision", "1.1.0"): "1.1.0",
}
_ALIASES = {"01": "factura", "03": "liquidacion_compra", "04": "nota_credito", "05": "nota_debito",
            "06": "guia_remision", "07": "retencion"}
_DEFAULT_VERSIONS = {"factura": "2.1.0", "nota_credito": "1.1.0", "nota_debito": "1.0.0", "retencion": "2.0.0",
                     "liquidacion_compra": "1.1.0", "guia_remision": "1.1.0"}


@functools.lru_cache(maxsize=None)
def supplier_ca(key_size=2048):
    """A CA nobody trusts (not the test CA): ``(key, certificate)``, cached per process."""
    return new_ca(SUPPLIER_CA_COMMON_NAME, key=rsa_key(key_size, "supplier-ca"))


@functools.lru_cache(maxsize=64)
def supplier_certificate(ruc=SUPPLIER_RUC, key_size=2048):
    """A throw-away :class:`sri.signing.Certificate` of another taxpayer (RUC ``ruc``), issued by
    :func:`supplier_ca` with its own cached key: what signs the documents of ``received_xml``.
    Built without a .p12 round trip; cached per RUC."""
    from . import signing
    ca = supplier_ca(key_size)
    key = rsa_key(key_size, "supplier")
    now = datetime.now(timezone.utc).replace(microsecond=0)
    cert = make_certificate(key.public_key(), ruc=ruc, common_name=f"{SUPPLIER_NAME} {ruc}",
                            not_before=now - timedelta(days=30), not_after=now + timedelta(days=700),
                            ca=ca)
    return signing.Certificate(cert, key, [ca[1]])


def _support_documents(supports, emission_date):
    """``received_xml(supports=...)`` → the ``support_documents`` of the Retencion builder. Each item
    is either in the builder's own format (it has ``taxes``) or short: ``doc_number``, ``doc_date``,
    ``doc_type`` (01), ``support_code`` (01), ``authorization``, ``base`` (the invoice's subtotal),
    ``rate_code`` (IVA code, 4) and ``withholdings`` (``code``, ``withholding_code``, ``base``,
    ``percentage``; ``amount`` optional)."""
    if supports is None:
        supports = [{
            "doc_number": "001-001-000000123", "doc_date": emission_date, "base": "100.00",
            "withholdings": [
                {"code": "1", "withholding_code": "312", "base": "100.00", "percentage": "1.75"},
                {"code": "2", "withholding_code": "1", "base": "15.00"},   # 30 % of the IVA
            ],
        }]
    result = []
    for item in supports:
        item = dict(item)
        if isinstance(item.get("doc_date"), str):
            item["doc_date"] = _as_date(item["doc_date"])
        if "taxes" not in item:
            base = item.pop("base", "100.00")
            rate_code = item.pop("rate_code", "4")
            item["taxes"] = [{"code": "2", "rate_code": rate_code, "base": str(base)}]
        item.setdefault("doc_date", emission_date)
        item.setdefault("payments", [{"method": "20"}])
        result.append(item)
    return result


def _as_date(value):
    from datetime import date, datetime as _dt
    if isinstance(value, _dt):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if "/" in text:
        return _dt.strptime(text, "%d/%m/%Y").date()
    return date.fromisoformat(text)


def _received_data(kind, base_version, issuer_ruc, receiver, sequential, emission_date, supports):
    """The ``documents.from_dict`` data of a document another taxpayer issues to ``receiver``."""
    from datetime import timedelta as _td
    data = {
        "type": kind, "version": base_version, "environment": "1", "establishment": "002",
        "emission_point": "001", "sequential": str(sequential), "emission_date": emission_date,
        "issuer": {"ruc": issuer_ruc, "legal_name": SUPPLIER_NAME, "trade_name": "PROLITORAL",
                   "main_address": "Av. 9 de Octubre 100 y Malecón, Guayaquil",
                   "establishment_address": "Km 5 vía a Daule, Guayaquil", "accounting_required": True},
        "additional_info": [{"name": "Email", "value": "facturacion@prolitoral.example.ec"}],
    }
    lines = [
        {"main_code": "PAP-A4-75", "aux_code": "7861234500012", "description": "Resma de papel bond A4 75 g",
         "quantity": "10", "unit_price": "4.25", "discount": "2.50",
         "taxes": [{"code": "2", "rate_code": "4"}]},
        {"main_code": "TRA-LOC", "description": "Transporte local", "quantity": "1", "unit_price": "12.00",
         "taxes": [{"code": "2", "rate_code": "0"}]},
    ]
    modified = {"modified_doc_type": "01", "modified_doc_number": "002-001-000000045",
                "modified_doc_date": emission_date - _td(days=10)}
    if kind == "factura":
        data.update(buyer=receiver, lines=lines, payments=[{"method": "20", "term": "30", "time_unit": "dias"}])
    elif kind == "liquidacion_compra":
        data.update(supplier=receiver, lines=lines, payments=[{"method": "20"}])
    elif kind == "nota_credito":
        data.update(buyer=receiver, reason="Devolución de mercadería defectuosa", **modified, lines=[
            {"main_code": "PAP-A4-75", "description": "Resma de papel bond A4 75 g", "quantity": "2",
             "unit_price": "4.25", "taxes": [{"code": "2", "rate_code": "4"}]}])
    elif kind == "nota_debito":
        data.update(buyer=receiver, **modified, reasons=[
            {"reason": "Intereses por mora (30 días)", "amount": "10.00"},
            {"reason": "Gastos de cobranza", "amount": "2.00"}],
            taxes=[{"code": "2", "rate_code": "4"}], payments=[{"method": "20"}])
    elif kind == "retencion":
        data.update(subject=receiver, support_documents=_support_documents(supports, emission_date))
    elif kind == "guia_remision":
        data.update(carrier={"id_type": "05", "identification": "0912345675", "name": "Transportista de prueba"},
                    start_address="Km 5 vía a Daule, Guayaquil", plate="GBA-1234", recipients=[{
                        "identification": receiver["identification"], "name": receiver["name"],
                        "address": "Av. Amazonas y Naciones Unidas, Quito", "reason": "Venta",
                        "support_doc_type": "01", "support_doc_number": "002-001-000000046",
                        "support_doc_date": emission_date,
                        "lines": [{"main_code": "PAP-A4-75", "description": "Resma de papel bond A4 75 g",
                                   "quantity": "10"}]}])
    return data


_LEGACY_QUANTITIES = ("cantidad", "precioUnitario", "precioSinSubsidio")


def _to_legacy(root, kind, version):
    """Turn the current version the builder wrote into ``version`` (in place): the version attribute,
    quantities and unit prices with 2 decimals (14/2 in the 1.0.0/2.0.0 schemas) and, for the
    retención 1.0.0, the flat ``impuestos`` list that version has instead of ``docsSustento``."""
    from decimal import ROUND_HALF_UP, Decimal
    from lxml import etree
    root.set("version", version)
    for tag in _LEGACY_QUANTITIES:
        for node in root.iter(tag):
            node.text = format(Decimal(node.text).quantize(Decimal("0.01"), ROUND_HALF_UP), "f")
    if kind != "retencion":
        return
    info = root.find("infoCompRetencion")
    for tag in ("tipoSujetoRetenido", "parteRel"):
        node = info.find(tag)
        if node is not None:
            info.remove(node)
    docs = root.find("docsSustento")
    impuestos = etree.Element("impuestos")
    for doc in docs.findall("docSustento"):
        for ret in doc.findall("retenciones/retencion"):
            imp = etree.SubElement(impuestos, "impuesto")
            for tag in ("codigo", "codigoRetencion", "baseImponible", "porcentajeRetener", "valorRetenido"):
                etree.SubElement(imp, tag).text = ret.findtext(tag)
            etree.SubElement(imp, "codDocSustento").text = doc.findtext("codDocSustento").zfill(2)
            etree.SubElement(imp, "numDocSustento").text = doc.findtext("numDocSustento")
            etree.SubElement(imp, "fechaEmisionDocSustento").text = doc.findtext("fechaEmisionDocSustento")
    docs.addprevious(impuestos)
    root.remove(docs)


def received_xml(kind, version=None, *, issuer_ruc=SUPPLIER_RUC, receiver_identification=DEFAULT_RUC,
                 sequential=1, emission_date=None, receiver_id_type=None, receiver_name=RECEIVER_NAME,
                 supports=None, authorization_date=None, authorization_number=None, state="AUTORIZADO",
                 wrap=True, edit=None, certificate=None, **overrides) -> bytes:
    """An AUTHORIZED document another taxpayer issued to us, as the SRI portal gives it: the
    ``<autorizacion>`` wrapper (estado, numeroAutorizacion, fechaAutorizacion, ambiente, comprobante
    as CDATA, exactly ``client.Authorization.to_xml``) around the signed comprobante (UTF-8 bytes).

    - ``kind``: factura, nota_credito, nota_debito, retencion, liquidacion_compra (or guia_remision,
      to test its refusal; SRI codes 01…07 work too); ``version``: see :data:`RECEIVED_VERSIONS`
      (default the current one). Legacy versions are built as the current one, then adapted.
    - issued by ``issuer_ruc`` (default :data:`SUPPLIER_RUC`) to ``receiver_identification``
      (default :data:`DEFAULT_RUC`; id type guessed from it unless ``receiver_id_type``) named
      ``receiver_name``; number 002-001-``sequential``; ``emission_date`` default today (Ecuador).
    - retención: ``supports`` lists the invoices (ours) it withholds on, each
      ``{"doc_number": "001-001-000000123", "doc_date": date, "base": "100.00", "withholdings":
      [{"code": "1", "withholding_code": "312", "base": "100.00", "percentage": "1.75"}, ...]}``
      (see :func:`_support_documents`); the default is one invoice with renta 312 and IVA 30 %.
    - ``**overrides`` replace top-level keys of the ``documents.from_dict`` data (``lines``,
      ``environment``, ``establishment``, ``additional_info``, ``issuer``…).
    - ``edit(root)`` may change the lxml root of the unsigned comprobante before it is signed
      (signing covers the whole root, so the result still verifies).
    - ``state``/``authorization_date``/``authorization_number`` fill the wrapper (defaults
      AUTORIZADO, the emission date at 10:30 −05:00, the access key); ``wrap=False`` returns the
      bare signed comprobante.

    Signed with :func:`supplier_certificate` of ``issuer_ruc`` (cached; a CA nobody trusts) unless
    ``certificate`` (a :class:`sri.signing.Certificate`) is given: fast enough for benchmarks
    (about 1.5 ms a document)."""
    from datetime import time as _time
    from lxml import etree
    from . import documents, signing
    from .client import AUTORIZADO, Authorization, Outcome
    from .constants import ECUADOR_TZ
    from .documents.formatting import today_ecuador
    kind = _ALIASES.get(str(kind), str(kind))
    version = version or _DEFAULT_VERSIONS.get(kind)
    base_version = RECEIVED_VERSIONS.get((kind, version))
    if base_version is None:
        raise ValueError(f"received_xml: no se genera {kind} {version}; use uno de "
                         + ", ".join(f"{k} {v}" for k, v in RECEIVED_VERSIONS))
    emission_date = _as_date(emission_date) if emission_date is not None else today_ecuador()
    receiver = {"id_type": receiver_id_type or _guess_id_type(receiver_identification),
                "identification": receiver_identification, "name": receiver_name}
    data = _received_data(kind, base_version, issuer_ruc, receiver, sequential, emission_date, supports)
    data.update(overrides)
    doc = documents.from_dict(data)
    xml = doc.to_xml(check_date=False)
    if version != base_version or edit is not None:
        root = etree.fromstring(bytes(xml))
        if version != base_version:
            _to_legacy(root, kind, version)
        if edit is not None:
            edit(root)
        xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    signed = signing.sign(xml, certificate or supplier_certificate(issuer_ruc))
    if not wrap:
        return signed
    key = doc.access_key
    if authorization_date is None:
        authorization_date = datetime.combine(emission_date, _time(10, 30), ECUADOR_TZ)
    env = str(data.get("environment", "1"))
    auth = Authorization(state=state, outcome=Outcome.AUTHORIZED if state == AUTORIZADO else Outcome.REJECTED,
                         access_key=key, number=key if authorization_number is None else authorization_number,
                         date=authorization_date, environment="PRODUCCIÓN" if env == "2" else "PRUEBAS",
                         authorized_xml=signed.decode("utf-8"))
    return auth.to_xml()


def _guess_id_type(identification):
    from . import identification as _identification
    return _identification.guess_type(identification)
