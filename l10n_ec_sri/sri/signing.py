"""XAdES-BES signature of SRI documents (SPEC §8), with the ``xmlsec`` binding.

- :func:`load_p12` reads a .p12 once and prepares everything the signature needs (the xmlsec key,
  the base64 certificate, the RSA modulus/exponent, the CertDigest and IssuerSerial), so that
  :func:`sign` only fills a template and lets xmlsec digest and sign.
- :func:`sign` appends an enveloped ``ds:Signature`` as the last child of the root: RSA-SHA1, SHA-1
  digests, inclusive C14N 1.0, three references (SignedProperties, KeyInfo, ``#comprobante``).
  The three digests are computed with hashlib over canonical forms, and the private key
  (``cryptography``, PKCS#1 v1.5: deterministic, the same bytes as xmlsec's ``sign_binary``)
  signs the canonical SignedInfo: xmlsec's own ``sign`` resolves each ``#id`` reference through
  an XPointer node set and walks the whole document for every reference and for SignedInfo, and
  an xmlsec signature context duplicates the key each time. The canonical form of the document
  comes, in this order of preference, from the bytes of ``Document.to_xml`` themselves (they
  carry it: :class:`~sri.documents.document.DocumentXml`, no parsing at all), or from libxml2's
  inclusive C14N (through lxml) of the parsed input. Documents where the shortcut could differ
  from xmlsec (a DOCTYPE, ``xml:*`` attributes on the root inherited by the signature subtrees,
  a root id that is not a plain NCName…) are still signed by xmlsec's ``sign``. The signature
  is spliced into the input bytes before the root's end tag when they are UTF-8 with nothing
  around the root, instead of serializing the tree again.
- :func:`verify` checks a signed document with the certificate embedded in its KeyInfo.
"""

import base64
import functools
import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

import xmlsec
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtensionOID, NameOID, ObjectIdentifier
from lxml import etree

from .errors import CertificateError, SignatureError
from .constants import ECUADOR_TZ, safe_parser

DS_NS = "http://www.w3.org/2000/09/xmldsig#"
ETSI_NS = "http://uri.etsi.org/01903/v1.3.2#"
NSMAP = {"ds": DS_NS, "etsi": ETSI_NS}
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
SIGNED_PROPERTIES_TYPE = "http://uri.etsi.org/01903#SignedProperties"


#: Where Ecuadorian CAs (Security Data, BCE…) put the RUC of the holder.
OID_RUC = ObjectIdentifier("1.3.6.1.4.1.37746.3.11")

KEY_USAGE_NAMES = (
    ("digital_signature", "digitalSignature"),
    ("content_commitment", "nonRepudiation"),
    ("key_encipherment", "keyEncipherment"),
    ("data_encipherment", "dataEncipherment"),
    ("key_agreement", "keyAgreement"),
    ("key_cert_sign", "keyCertSign"),
    ("crl_sign", "cRLSign"),
)

_DS_SIGNATURE = f"{{{DS_NS}}}Signature"


def _date(dt):
    return dt.astimezone(ECUADOR_TZ).strftime("%d/%m/%Y %H:%M:%S")


def _key_usage(cert):
    try:
        ku = cert.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE).value
    except x509.ExtensionNotFound:
        return []
    names = [name for attr, name in KEY_USAGE_NAMES if getattr(ku, attr)]
    if ku.key_agreement:
        names += [n for attr, n in (("encipher_only", "encipherOnly"),
                                    ("decipher_only", "decipherOnly")) if getattr(ku, attr)]
    return names


def _may_sign(cert):
    """True when the certificate may make digital signatures: its KeyUsage includes
    digitalSignature, or it has no KeyUsage extension at all (RFC 5280 §4.2.1.3: no extension, no
    restriction on the key's use)."""
    try:
        ku = cert.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE).value
    except x509.ExtensionNotFound:
        return True
    return ku.digital_signature


_RUC_RE = re.compile(rb"(?<!\d)(\d{13})(?!\d)")


def _ruc(cert):
    """Best effort: the RUC of the holder, from OID 1.3.6.1.4.1.37746.3.11 (extension or subject
    attribute) or from a 13-digit serialNumber/UID of the subject; ``None`` when there is none."""
    try:
        raw = cert.extensions.get_extension_for_oid(OID_RUC).value.value
        m = _RUC_RE.search(raw)
        if m:
            return m.group(1).decode()
    except (x509.ExtensionNotFound, AttributeError):
        pass
    for oid in (OID_RUC, NameOID.SERIAL_NUMBER, NameOID.USER_ID):
        for attr in cert.subject.get_attributes_for_oid(oid):
            m = _RUC_RE.search(str(attr.value).encode())
            if m:
                return m.group(1).decode()
    return None


def _b64(data):
    return base64.b64encode(data).decode("ascii")


def _wrap64(text):
    """Base64 in lines of 64 characters, as xmlsec writes SignatureValue and RSAKeyValue."""
    return "\n".join([text[i:i + 64] for i in range(0, len(text), 64)])


def _sha1_b64(data):
    return base64.b64encode(hashlib.sha1(data).digest()).decode("ascii")


def _int_b64(n):
    return _b64(n.to_bytes((n.bit_length() + 7) // 8 or 1, "big"))


def _xml_text(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _utc(cert, name):
    value = getattr(cert, name + "_utc", None)  # cryptography >= 42
    if value is None:
        value = getattr(cert, name).replace(tzinfo=timezone.utc)
    return value


class CertInfo:
    """What can be read from an X.509 certificate (no private key)."""

    def __init__(self, cert: x509.Certificate):
        self.x509 = cert
        self.der = cert.public_bytes(serialization.Encoding.DER)
        self.subject = cert.subject.rfc4514_string()
        self.issuer = cert.issuer.rfc4514_string()
        self.serial_number = cert.serial_number
        self.not_before = _utc(cert, "not_valid_before")
        self.not_after = _utc(cert, "not_valid_after")
        self.key_usage = _key_usage(cert)
        self.fingerprint_sha1 = hashlib.sha1(self.der).hexdigest().upper()
        self.ruc = _ruc(cert)

    def is_expired(self, at=None):
        return (at or datetime.now(timezone.utc)) > self.not_after

    def is_not_yet_valid(self, at=None):
        return (at or datetime.now(timezone.utc)) < self.not_before

    def check_validity(self, at=None):
        """Raise :class:`CertificateError` unless the certificate is valid at ``at`` (now)."""
        if self.is_expired(at):
            raise CertificateError(
                f"El certificado de firma electrónica está caducado: venció el "
                f"{_date(self.not_after)} (hora de Ecuador). Renuévelo con su entidad de "
                f"certificación y cargue el nuevo archivo .p12.")
        if self.is_not_yet_valid(at):
            raise CertificateError(
                f"El certificado de firma electrónica todavía no es válido: su vigencia empieza "
                f"el {_date(self.not_before)} (hora de Ecuador).")

    def as_dict(self):
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "serial_number": str(self.serial_number),
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "key_usage": self.key_usage,
            "fingerprint_sha1": self.fingerprint_sha1,
            "ruc": self.ruc,
            "expired": self.is_expired(),
        }

    def __repr__(self):
        return f"<{type(self).__name__} {self.subject!r} {self.not_after:%Y-%m-%d}>"


class Certificate(CertInfo):
    """A signing certificate with its private key, loaded by :func:`load_p12`.

    Everything the signature needs is computed once here: the xmlsec key, the base64 DER
    certificate, the RSA modulus/exponent, the XAdES CertDigest and IssuerSerial."""

    def __init__(self, cert, private_key, chain=()):
        super().__init__(cert)
        self.private_key = private_key
        self.chain = list(chain)
        pem = private_key.private_bytes(serialization.Encoding.PEM,
                                        serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
        try:
            self.xmlsec_key = xmlsec.Key.from_memory(pem, xmlsec.constants.KeyDataFormatPem)
        except xmlsec.Error as exc:  # pragma: no cover - cryptography made the PEM
            raise CertificateError(f"No se pudo preparar la clave privada para firmar: {exc}")
        numbers = private_key.public_key().public_numbers()
        self.cert_b64 = _b64(self.der)
        self.modulus_b64 = _int_b64(numbers.n)
        self.exponent_b64 = _int_b64(numbers.e)
        self.cert_digest_b64 = _b64(hashlib.sha1(self.der).digest())
        pkcs1v15, sha1 = padding.PKCS1v15(), hashes.SHA1()
        self._rsa_sha1 = lambda data: private_key.sign(data, pkcs1v15, sha1)
        self.issuer_name = self.issuer
        # The templates as %-format strings, cert-specific values filled in. ``_template`` (xmlsec's
        # sign) leaves the digests, the signature value and KeyValue empty: xmlsec fills them (it
        # writes the key value of the signing key itself). ``_fast_template`` writes KeyValue as
        # xmlsec does (base64 in lines of 64 characters, one element a line) and leaves
        # placeholders for the digests and the signature value; ``_c14n_*`` are the inclusive C14N
        # 1.0 forms of SignedInfo, KeyInfo and SignedProperties with a placeholder ``%(ns)s`` for
        # the namespace declarations in scope at their apex.
        self.key_value = (
            f"<ds:KeyValue>\n<ds:RSAKeyValue>\n<ds:Modulus>\n{_wrap64(self.modulus_b64)}\n"
            f"</ds:Modulus>\n<ds:Exponent>\n{_wrap64(self.exponent_b64)}\n</ds:Exponent>\n"
            f"</ds:RSAKeyValue>\n</ds:KeyValue>")
        template = (_TEMPLATE.replace("%", "%%")
                    .replace("{cert}", self.cert_b64)
                    .replace("{cert_digest}", self.cert_digest_b64)
                    .replace("{issuer}", _xml_text(self.issuer_name).replace("%", "%%"))
                    .replace("{serial}", str(self.serial_number))
                    .replace("{u}", "%(u)s").replace("{t}", "%(t)s")
                    .replace("{root_id}", "%(r)s"))
        self._template = (template.replace("{d1}", "").replace("{d2}", "").replace("{d}", "")
                          .replace("{sv}", "").replace("{key_value}", "<ds:KeyValue/>"))
        self._fast_template = (template.replace("{d1}", "%(d1)s").replace("{d2}", "%(d2)s")
                               .replace("{d}", "%(d)s").replace("{sv}", "%(sv)s")
                               .replace("{key_value}", self.key_value))
        # The placeholders are plain text for the parser and for C14N, so canonicalizing the
        # format string gives a format string of the canonical form.
        signature = etree.fromstring(self._fast_template, safe_parser())
        self._c14n_signed_info, self._c14n_key_info, self._c14n_props = (
            _c14n_template(element)
            for element in (signature[0], signature[2], signature[3][0][0]))


def _c14n_template(element):
    text = etree.tostring(element, method="c14n", exclusive=False, with_comments=False).decode()
    start = f"<{element.prefix}:{etree.QName(element).localname}{_APEX_NS}"
    if not text.startswith(start):  # pragma: no cover - the template is ours
        raise AssertionError(f"unexpected canonical form {text[:200]!r}")
    return text.replace(_APEX_NS, "%(ns)s", 1)


_APEX_NS = f' xmlns:ds="{DS_NS}" xmlns:etsi="{ETSI_NS}"'


# One line, no indentation: whitespace inside ds:Signature would be signed too and some
# verifiers are picky about it. {u} is the random id of the signature, {t} the signing time,
# {d1} {d2} {d} the digests of SignedProperties, KeyInfo and the document, {sv} the signature value.
_TEMPLATE = (
    f'<ds:Signature xmlns:ds="{DS_NS}" xmlns:etsi="{ETSI_NS}" Id="Signature{{u}}">'
    f'<ds:SignedInfo Id="Signature-SignedInfo{{u}}">'
    f'<ds:CanonicalizationMethod Algorithm="{C14N}"/>'
    f'<ds:SignatureMethod Algorithm="{RSA_SHA1}"/>'
    f'<ds:Reference Id="SignedPropertiesID{{u}}" Type="{SIGNED_PROPERTIES_TYPE}" '
    f'URI="#Signature{{u}}-SignedProperties{{u}}">'
    f'<ds:DigestMethod Algorithm="{SHA1}"/><ds:DigestValue>{{d1}}</ds:DigestValue></ds:Reference>'
    f'<ds:Reference URI="#Certificate{{u}}">'
    f'<ds:DigestMethod Algorithm="{SHA1}"/><ds:DigestValue>{{d2}}</ds:DigestValue></ds:Reference>'
    f'<ds:Reference Id="Reference-ID-{{u}}" URI="#{{root_id}}">'
    f'<ds:Transforms><ds:Transform Algorithm="{ENVELOPED}"/></ds:Transforms>'
    f'<ds:DigestMethod Algorithm="{SHA1}"/><ds:DigestValue>{{d}}</ds:DigestValue></ds:Reference>'
    f'</ds:SignedInfo>'
    f'<ds:SignatureValue Id="SignatureValue{{u}}">{{sv}}</ds:SignatureValue>'
    f'<ds:KeyInfo Id="Certificate{{u}}">'
    f'<ds:X509Data><ds:X509Certificate>{{cert}}</ds:X509Certificate></ds:X509Data>'
    f'{{key_value}}'
    f'</ds:KeyInfo>'
    f'<ds:Object Id="Signature{{u}}-Object{{u}}">'
    f'<etsi:QualifyingProperties Target="#Signature{{u}}">'
    f'<etsi:SignedProperties Id="Signature{{u}}-SignedProperties{{u}}">'
    f'<etsi:SignedSignatureProperties>'
    f'<etsi:SigningTime>{{t}}</etsi:SigningTime>'
    f'<etsi:SigningCertificate><etsi:Cert><etsi:CertDigest>'
    f'<ds:DigestMethod Algorithm="{SHA1}"/><ds:DigestValue>{{cert_digest}}</ds:DigestValue>'
    f'</etsi:CertDigest><etsi:IssuerSerial><ds:X509IssuerName>{{issuer}}</ds:X509IssuerName>'
    f'<ds:X509SerialNumber>{{serial}}</ds:X509SerialNumber></etsi:IssuerSerial>'
    f'</etsi:Cert></etsi:SigningCertificate>'
    f'<etsi:SignaturePolicyIdentifier><etsi:SignaturePolicyImplied/></etsi:SignaturePolicyIdentifier>'
    f'</etsi:SignedSignatureProperties>'
    f'<etsi:SignedDataObjectProperties>'
    f'<etsi:DataObjectFormat ObjectReference="#Reference-ID-{{u}}">'
    f'<etsi:Description>contenido comprobante</etsi:Description>'
    f'<etsi:MimeType>text/xml</etsi:MimeType>'
    f'</etsi:DataObjectFormat></etsi:SignedDataObjectProperties>'
    f'</etsi:SignedProperties></etsi:QualifyingProperties></ds:Object>'
    f'</ds:Signature>'
)


# --------------------------------------------------------------------------------------- loading

def _looks_like_pkcs12(data):
    """PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, macData OPTIONAL }."""
    if len(data) < 8 or data[0] != 0x30:
        return False
    i = 1
    if data[i] & 0x80:
        i += 1 + (data[i] & 0x7F)
    else:
        i += 1
    return data[i:i + 3] == b"\x02\x01\x03"


def _spki(public_key):
    return public_key.public_bytes(serialization.Encoding.DER,
                                   serialization.PublicFormat.SubjectPublicKeyInfo)


def load_p12(data: bytes, password, *, check_validity: bool = True) -> Certificate:
    """Load a .p12/.pfx (modern or legacy RC2-40/3DES encryption) and pick its signing certificate.

    Among the certificates of the file, the one chosen is the one whose public key matches the
    private key and whose KeyUsage includes digitalSignature, or that has no KeyUsage extension
    (unrestricted, RFC 5280) (Ecuadorian CAs may ship an encryption certificate and the CA chain in
    the same file). Raises :class:`CertificateError`
    with a message for the user on a wrong password, an unreadable file, no private key, no
    certificate usable for digital signature (SRI error 39), and — unless ``check_validity`` is
    false — an expired or not yet valid certificate."""
    if isinstance(data, str):
        raise TypeError("load_p12 expects the bytes of the .p12 file")
    if isinstance(password, str):
        password = password.encode("utf-8")
    passwords = [password] if password else [password or b"", None]
    p12 = error = None
    for pwd in passwords:
        try:
            p12 = pkcs12.load_pkcs12(bytes(data), pwd)
            break
        except (ValueError, TypeError) as exc:
            error = exc
    if p12 is None:
        if not _looks_like_pkcs12(bytes(data)) or "deserialize" in str(error):
            raise CertificateError(
                "No se pudo leer el archivo del certificado: no es un archivo .p12/.pfx válido "
                "o está dañado.")
        raise CertificateError("La contraseña del certificado .p12 es incorrecta.")
    if p12.key is None:
        raise CertificateError(
            "El archivo .p12 no contiene la clave privada: exporte el certificado con su clave "
            "privada.")
    if not isinstance(p12.key, rsa.RSAPrivateKey):
        raise CertificateError(
            "La clave privada del certificado no es RSA: el SRI solo acepta firmas RSA-SHA1.")
    certs = ([p12.cert] if p12.cert else []) + list(p12.additional_certs)
    certs = [c.certificate for c in certs]
    key_spki = _spki(p12.key.public_key())
    own = [c for c in certs if _spki(c.public_key()) == key_spki]
    if not own:
        raise CertificateError(
            "El archivo .p12 no contiene el certificado que corresponde a su clave privada.")
    signing = [c for c in own if _may_sign(c)]
    if not signing:
        raise CertificateError(
            "El certificado del archivo .p12 no es del tipo firma digital (su uso de clave no "
            "incluye digitalSignature): el SRI rechazaría los comprobantes con el error 39 "
            "«FIRMA INVÁLIDA». Use el certificado de firma electrónica que entregó su entidad "
            "de certificación.")
    now = datetime.now(timezone.utc)
    # Prefer a certificate valid now, then one whose KeyUsage names digitalSignature, then the one
    # lasting longest.
    signing.sort(key=lambda c: (_utc(c, "not_valid_before") <= now <= _utc(c, "not_valid_after"),
                                "digitalSignature" in _key_usage(c), _utc(c, "not_valid_after")),
                 reverse=True)
    chosen = signing[0]
    result = Certificate(chosen, p12.key, [c for c in certs if c is not chosen])
    if check_validity:
        result.check_validity(now)
    return result


# --------------------------------------------------------------------------------------- signing

def _signing_time(value):
    if value is None:
        value = datetime.now(ECUADOR_TZ)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=ECUADOR_TZ)  # naive = Ecuador local time
    return value.astimezone(ECUADOR_TZ).replace(microsecond=0).isoformat()


def _parse(xml):
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
    try:
        return etree.fromstring(xml, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise SignatureError(f"El XML del comprobante no está bien formado: {exc}") from None


_XML_ATTR = "{http://www.w3.org/XML/1998/namespace}"
_C14N_ARGS = {"method": "c14n", "exclusive": False, "with_comments": False}
_RSA_SHA1 = xmlsec.constants.TransformRsaSha1
_DECLARATION = b"<?xml version='1.0' encoding='UTF-8'?>\n"


def _attr(value):
    """An attribute value escaped for serialization (also tab/newline, kept by char refs)."""
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")
            .replace("\r", "&#13;"))


def _needs_xmlsec(root):
    """True when the shortcut might not give what xmlsec gives: a DOCTYPE (entities, default
    attributes, DTD ids), XML 1.1, ``xml:*`` attributes on the root (inclusive C14N 1.0 copies
    them onto the apex of the SignedProperties, KeyInfo and SignedInfo subsets), a root id that
    is not a plain NCName (xmlsec resolves ``#id`` as an XPointer bare name, and the id goes
    unescaped into the canonical SignedInfo)."""
    if not _NCNAME.fullmatch(root.get("id")):
        return True
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.xml_version != "1.0":
        return True
    for name in root.attrib:
        if name.startswith(_XML_ATTR):
            return True
    for uri in root.nsmap.values():
        # libxml2 keeps a "&" of a namespace URI as "&#38;" and C14N writes namespace URIs
        # unescaped: leave such URIs to xmlsec.
        if _ODD_URI.search(uri):
            return True
    return False


_ODD_URI = re.compile(r"""[&<>"'\s]""")
_NCNAME = re.compile(r"[^\W\d][\w.\-]*")


def _apex_ns(root):
    """The namespace declarations inclusive C14N writes on the apex of a subset inside
    ``ds:Signature`` (the namespaces in scope: the root's, then ds and etsi of the signature),
    sorted by prefix, the default namespace first."""
    nsmap = root.nsmap  # the root's own declarations: it is the document element
    if not nsmap:
        return _APEX_NS
    nsmap = dict(nsmap)
    nsmap["ds"] = DS_NS
    nsmap["etsi"] = ETSI_NS
    default = nsmap.pop(None, "")
    out = f' xmlns="{default}"' if default else ""  # URIs without characters to escape
    return out + "".join(f' xmlns:{p}="{nsmap[p]}"' for p in sorted(nsmap))


def _splice(data, root, signature):
    """The document ``data`` (the bytes ``root`` was parsed from) with ``signature`` inserted as
    the last child of the root, with an XML declaration; ``None`` when the bytes cannot be used
    as they are (another encoding, nodes around the root, an unusual end tag)."""
    if root.getprevious() is not None or root.getnext() is not None:
        return None
    if root.getroottree().docinfo.encoding.upper() not in ("UTF-8", "UTF8"):
        return None
    body = data
    if body.startswith(b"<?xml"):
        body = body[body.index(b"?>") + 2:]
    body = body.strip(b" \t\r\n")
    name = etree.QName(root).localname
    end_tag = f"</{root.prefix}:{name}>" if root.prefix else f"</{name}>"
    end_tag = end_tag.encode("utf-8")
    if not body.startswith(b"<") or not body.endswith(end_tag):
        return None
    return b"".join((_DECLARATION, body[:-len(end_tag)], signature, end_tag))


def _signature(cert, values, canonical_root):
    """The ``ds:Signature`` element as UTF-8 bytes, given the inclusive C14N 1.0 form of the root
    (the enveloped "#id" reference) and ``values["ns"]``, the namespaces in scope at the apex of
    the signature's subsets: the three digests with hashlib, the signature value of the canonical
    SignedInfo with the ``cryptography`` key (RSA PKCS#1 v1.5 is deterministic: the same bytes
    as xmlsec's ``sign_binary``, without xmlsec duplicating the key for each signature context)."""
    values["d"] = _sha1_b64(canonical_root)
    values["d1"] = _sha1_b64((cert._c14n_props % values).encode("utf-8"))
    values["d2"] = _sha1_b64((cert._c14n_key_info % values).encode("utf-8"))
    signed_info = (cert._c14n_signed_info % values).encode("utf-8")
    values["sv"] = _wrap64(_b64(cert._rsa_sha1(signed_info)))
    return (cert._fast_template % values).encode("utf-8")


def _sign_own(xml, canonical, cert, values):
    """Sign the bytes of ``Document.to_xml`` (a :class:`~sri.documents.document.DocumentXml`
    carrying ``canonical``, the inclusive C14N 1.0 of its root element, derived from the bytes
    as they were written): what :func:`_sign_fast` gives for them, byte for byte, without
    parsing them with lxml nor canonicalizing them."""
    values["ns"] = _APEX_NS  # the core declares no namespace in its documents
    signature = _signature(cert, values, canonical)
    start = xml.index(b"<", 1)  # the root, after the XML declaration
    end = xml.rindex(b"</")  # the root's end tag: nothing follows it
    return b"".join((_DECLARATION, xml[start:end], signature, xml[end:]))


def _sign_fast(data, root, cert, values):
    """Sign without xmlsec's ``sign``: the digests with libxml2's C14N (lxml) and hashlib,
    the signature value of the canonical SignedInfo with the private key (see
    :func:`_signature`)."""
    # Same-document reference "#id" with the enveloped transform: the root element without
    # comments and without the signature, in inclusive C14N 1.0 — the signature is not in the
    # tree, so it is the canonical form of the root as parsed.
    canonical = etree.tostring(root, **_C14N_ARGS)
    values["ns"] = _apex_ns(root)
    signature = _signature(cert, values, canonical)
    out = _splice(data, root, signature)
    if out is None:
        root.append(etree.fromstring(signature, safe_parser()))
        out = etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")
    return out


def _sign_xmlsec(root, cert, values):
    """Sign with xmlsec's own ``sign`` (digests and signature value computed by xmlsec)."""
    signature = etree.fromstring(cert._template % values, safe_parser())
    root.append(signature)
    xmlsec.tree.add_ids(root, ["id", "Id"])
    ctx = xmlsec.SignatureContext()
    ctx.key = cert.xmlsec_key
    ctx.sign(signature)
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


def _sign(data, root, cert, values, use_xmlsec=False):
    if not use_xmlsec and not _needs_xmlsec(root):
        try:
            return _sign_fast(data, root, cert, values)
        except etree.C14NError:
            pass  # e.g. a relative namespace URI: xmlsec reports it
    return _sign_xmlsec(root, cert, values)


def sign(xml, cert: Certificate, signing_time: datetime | None = None) -> bytes:
    """Sign an SRI document (bytes/str or an lxml element, which is not modified) and return the
    signed XML as UTF-8 bytes with an XML declaration. ``signing_time`` defaults to now; a naive
    datetime is taken as Ecuador time."""
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
    elif isinstance(xml, bytearray):
        xml = bytes(xml)
    elif not isinstance(xml, bytes):
        xml = etree.tostring(xml)
    now = datetime.now(timezone.utc)
    canonical = getattr(xml, "c14n", None)
    if canonical is not None:  # the usual case: the bytes of Document.to_xml
        if not cert.not_before <= now <= cert.not_after:
            cert.check_validity(now)
        values = {"u": os.urandom(6).hex(),
                  "t": _signing_time(now if signing_time is None else signing_time),
                  "r": "comprobante"}
        return _sign_own(xml, canonical, cert, values)
    root = _parse(xml)
    if not cert.not_before <= now <= cert.not_after:
        cert.check_validity(now)
    root_id = root.get("id")
    if not root_id:
        raise SignatureError(
            'El elemento raíz del comprobante no tiene el atributo id="comprobante".')
    if len(root) and root[-1].tag == _DS_SIGNATURE:
        raise SignatureError("El comprobante ya está firmado.")
    values = {"u": os.urandom(6).hex(),
              "t": _signing_time(now if signing_time is None else signing_time),
              "r": root_id if root_id == "comprobante" else _attr(root_id)}
    try:
        return _sign(xml, root, cert, values)
    except xmlsec.Error as exc:
        raise SignatureError(f"No se pudo firmar el comprobante: {exc}") from None


# ----------------------------------------------------------------------------------- verification

@dataclass
class VerifiedSignature:
    """A signature that verified: who signed, when, with which certificate."""

    subject: str
    signing_time: datetime | None
    certificate: CertInfo = field(repr=False)
    signature_id: str | None = None

    @property
    def ruc(self):
        return self.certificate.ruc

    @property
    def issuer(self):
        return self.certificate.issuer

    @property
    def serial_number(self):
        return self.certificate.serial_number


@functools.lru_cache(maxsize=64)
def _embedded_cert(der):
    try:
        cert = x509.load_der_x509_certificate(der)
        info = CertInfo(cert)
        # The bare public key: an xmlsec key made from the certificate costs ~140 µs more per
        # verification (xmlsec duplicates the X509 data into each signature context).
        pem = cert.public_key().public_bytes(serialization.Encoding.PEM,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
        key = xmlsec.Key.from_memory(pem, xmlsec.constants.KeyDataFormatPem)
    except (ValueError, xmlsec.Error):
        raise SignatureError("El certificado incluido en la firma (KeyInfo) no se puede leer.")
    return info, key, _b64(hashlib.sha1(der).digest())


_BY_ID = etree.XPath("id($v)")


def _by_id(root, value):
    """The element xmlsec resolves ``#value`` to (ids registered by ``xmlsec.tree.add_ids``; with
    duplicated ids, the first one in document order), or ``None``."""
    found = _BY_ID(root, v=value)
    return found[0] if found else None


def verify(xml) -> VerifiedSignature:
    """Verify the enveloped XAdES signature of a signed document with the certificate it embeds.

    Raises :class:`SignatureError` when there is no signature, when it does not cover the whole
    document or lacks the XAdES SignedProperties, or when a digest or the signature value is
    wrong (content modified after signing). Trust in the certificate (chain, revocation) is not
    checked here: the SRI does that with its list of accredited CAs."""
    root = _parse(xml) if isinstance(xml, (bytes, bytearray, str)) else xml
    signature = root[-1] if len(root) and root[-1].tag == _DS_SIGNATURE else None
    if signature is None:
        if root.find(f".//{_DS_SIGNATURE}") is not None:
            raise SignatureError(
                "La firma electrónica debe ser el último elemento del comprobante.")
        raise SignatureError("El comprobante no está firmado electrónicamente (falta ds:Signature).")
    refs = signature.findall("ds:SignedInfo/ds:Reference", NSMAP)
    root_id = root.get("id")
    xmlsec.tree.add_ids(root, ["id", "Id"])
    covers_root = props = None
    for ref in refs:
        uri = ref.get("URI")
        if uri is None:
            continue
        if ref.get("Type") == SIGNED_PROPERTIES_TYPE and uri.startswith("#"):
            target = _by_id(root, uri[1:])
            if target is not None and target.tag == f"{{{ETSI_NS}}}SignedProperties":
                props = target
        elif uri == "" or (root_id and uri == "#" + root_id):
            transforms = [t.get("Algorithm") for t in ref.findall("ds:Transforms/ds:Transform",
                                                                    NSMAP)]
            if ENVELOPED in transforms and (uri == "" or _by_id(root, root_id) is root):
                covers_root = ref
    if props is None:
        raise SignatureError(
            "La firma no es XAdES-BES válida: falta la referencia a las propiedades firmadas "
            "(etsi:SignedProperties) o el elemento referenciado no existe.")
    if covers_root is None:
        raise SignatureError("La firma no cubre el comprobante completo (referencia "
                             f'"#{root_id or "comprobante"}" con la transformación enveloped).')
    cert_node = signature.find("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NSMAP)
    if cert_node is None or not (cert_node.text or "").strip():
        raise SignatureError("La firma no incluye el certificado del firmante (X509Certificate).")
    try:
        der = base64.b64decode("".join(cert_node.text.split()), validate=True)
    except ValueError:
        raise SignatureError("El certificado incluido en la firma no es base64 válido.") from None
    info, key, digest = _embedded_cert(der)

    ctx = xmlsec.SignatureContext()
    ctx.key = key
    try:
        ctx.verify(signature)
    except xmlsec.Error:
        raise SignatureError(
            "La firma electrónica no es válida: el comprobante fue modificado después de "
            "firmarlo o la firma está dañada.") from None

    cert_digest = props.find("etsi:SignedSignatureProperties/etsi:SigningCertificate/etsi:Cert/"
                             "etsi:CertDigest/ds:DigestValue", NSMAP)
    if cert_digest is None or "".join((cert_digest.text or "").split()) != digest:
        raise SignatureError("La firma no es XAdES-BES válida: el CertDigest de SigningCertificate "
                             "no corresponde al certificado incluido en la firma.")
    when = props.findtext("etsi:SignedSignatureProperties/etsi:SigningTime", None, NSMAP)
    try:
        signing_time = datetime.fromisoformat(when.strip().replace("Z", "+00:00")) if when else None
    except ValueError:
        signing_time = None
    return VerifiedSignature(info.subject, signing_time, info, signature.get("Id"))
