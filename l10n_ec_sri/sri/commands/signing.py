"""``sri sign``, ``sri verify`` and ``sri cert-info``: XAdES-BES signature of SRI documents."""

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

    c = sub.add_parser("cert-info", help="show the signing certificate of a .p12 as JSON")
    _p12_args(c)
    c.set_defaults(func=_cert_info)


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


def _load(args, check_validity=True):
    password = _read(args.password_file)
    if password.endswith(b"\n"):
        password = password[:-1]
    if password.endswith(b"\r"):
        password = password[:-1]
    try:
        data = _read(args.p12)
    except SriError as exc:
        raise CertificateError(str(exc)) from None
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


def _cert_info(args):
    cert = _load(args, check_validity=False)
    print(json.dumps(cert.as_dict(), indent=2, ensure_ascii=False))
    return 0
