"""``sri sign``, ``sri verify``, ``sri cert-info`` and ``sri demo-ca``: XAdES-BES signature of SRI documents."""

import json
import sys

from .. import signing
from ..errors import CertificateError, SriError


def register(sub):
    s = sub.add_parser("sign", help="sign a document (XAdES-BES, as the SRI accepts it)")
    _p12_args(s)
    s.add_argument("document", help="XML document to sign ('-' reads standard input)")
    s.add_argument("-o", "--output", help="write the signed XML here (default: standard output)")
    s.set_defaults(func=_sign)

    v = sub.add_parser("verify", help="verify the signature of a signed document")
    v.add_argument("document", help="signed XML document ('-' reads standard input)")
    v.set_defaults(func=_verify)

    c = sub.add_parser("cert-info", help="show the signing certificate of a .p12 as JSON (also one that "
                                         "cannot sign: 'usable' false and 'refused' says why)")
    _p12_args(c)
    c.set_defaults(func=_cert_info)

    d = sub.add_parser("demo-ca", help="create (once) a demo CA in a directory and print the path of its "
                                       "PEM certificate (for 'simulator --trust-ca')")
    d.add_argument("--dir", required=True, help="directory of the CA (ca.pem, ca-key.pem)")
    d.set_defaults(func=_demo_ca)


def _p12_args(parser):
    parser.add_argument("--p12", required=True, help=".p12/.pfx file of the signing certificate")
    parser.add_argument("--password-file", required=True,
                        help="file holding the password of the .p12 (a final newline is ignored)")


def _read(path):
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise SriError(f"No se puede leer el archivo {path}: {exc.strerror}") from None


def _p12_input(args):
    password = _read(args.password_file)
    if password.endswith(b"\n"):
        password = password[:-1]
    if password.endswith(b"\r"):
        password = password[:-1]
    try:
        data = _read(args.p12)
    except SriError as exc:
        raise CertificateError(str(exc)) from None
    return data, password


def _load(args, check_validity=True):
    data, password = _p12_input(args)
    return signing.load_p12(data, password, check_validity=check_validity)


def _sign(args):
    cert = _load(args)
    signed = signing.sign(_read(args.document), cert)
    if args.output:
        with open(args.output, "wb") as f:
            f.write(signed)
    else:
        sys.stdout.buffer.write(signed)
        sys.stdout.buffer.flush()
    return 0


def _verify(args):
    result = signing.verify(_read(args.document))
    print(json.dumps({
        "valid": True,
        "subject": result.subject,
        "issuer": result.issuer,
        "serial_number": str(result.serial_number),
        "ruc": result.ruc,
        "signing_time": result.signing_time.isoformat() if result.signing_time else None,
    }, indent=2, ensure_ascii=False))
    return 0


def _p12_certificates(data, password):
    """Every certificate of the .p12, the ones of its private key first (``[(cert, own_key)]``);
    ``None`` when the file cannot be opened (load_p12 says why)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    for pwd in ([password] if password else [b"", None]):
        try:
            p12 = pkcs12.load_pkcs12(bytes(data), pwd)
            break
        except (ValueError, TypeError):
            continue
    else:
        return None
    certs = [c.certificate for c in ([p12.cert] if p12.cert else []) + list(p12.additional_certs)]
    spki = None
    if p12.key is not None:
        spki = p12.key.public_key().public_bytes(serialization.Encoding.DER,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)

    def own(cert):
        return spki is not None and cert.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) == spki
    return sorted(((c, own(c)) for c in certs), key=lambda item: not item[1])


def _cert_info(args):
    """The signing certificate load_p12 picks; when it refuses the file (no digitalSignature,
    expired…), the certificate of the private key (else the first one) with the reason. Always
    ``usable`` (what load_p12 says, validity included), ``refused`` and every certificate of the file."""
    data, password = _p12_input(args)
    refused = None
    try:
        signing.load_p12(data, password)
    except CertificateError as exc:
        refused = str(exc)
    try:
        shown = signing.load_p12(data, password, check_validity=False)
    except CertificateError:
        shown = None
    listed = _p12_certificates(data, password)
    if shown is None and not listed:
        raise CertificateError(refused or "El archivo .p12 no contiene certificados.")
    if shown is None:
        shown = signing.CertInfo(listed[0][0])
    info = shown.as_dict()
    info["usable"] = refused is None
    info["refused"] = refused
    info["certificates"] = [
        {**signing.CertInfo(c).as_dict(), "private_key": own, "shown": c == shown.x509}
        for c, own in (listed or [])]
    print(json.dumps(info, indent=2, ensure_ascii=False))
    return 0


def _demo_ca(args):
    import os
    from .. import testing
    try:
        testing.demo_ca(args.dir)
    except (OSError, ValueError) as exc:
        raise SriError(f"No se pudo crear o leer la CA de demostración en {args.dir}: {exc}") from None
    print(os.path.abspath(testing.demo_ca_pem_path(args.dir)))
    return 0
