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
