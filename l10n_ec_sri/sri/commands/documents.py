"""``sri build <doc.json>`` and ``sri validate <doc.xml>``."""

import json
import sys

from .. import schemas
from ..errors import FieldError, SriValidationError


def register(sub):
    b = sub.add_parser("build", help="build the unsigned XML of a document described in JSON")
    b.add_argument("json_file", metavar="DOC.json", help="document in JSON (see sri/examples/README.md); - for stdin")
    b.add_argument("-o", "--output", metavar="FILE", help="write the XML to FILE instead of stdout")
    b.add_argument("--no-date-check", action="store_true",
                   help="do not reject emission dates outside SRI's 90-day window")
    b.add_argument("--no-xsd", action="store_true", help="skip the final validation against the official XSD")
    b.set_defaults(func=_build)
    v = sub.add_parser("validate", help="validate an XML document (signed or not) against the official XSD")
    v.add_argument("xml_file", metavar="DOC.xml", help="XML file; - for stdin")
    v.set_defaults(func=_validate)


def _read(path, binary):
    if path == "-":
        return sys.stdin.buffer.read() if binary else sys.stdin.read()
    with open(path, "rb" if binary else "r", **({} if binary else {"encoding": "utf-8"})) as fh:
        return fh.read()


def _build(args):
    from ..documents import from_dict  # keep `sri --help` fast

    try:
        data = json.loads(_read(args.json_file, False))
    except json.JSONDecodeError as exc:
        raise SriValidationError([FieldError(f"línea {exc.lineno}", f"JSON mal formado: {exc.msg}")],
                                 "No se puede leer el archivo JSON") from None
    except OSError as exc:
        print(f"error: no se puede leer {args.json_file}: {exc.strerror}", file=sys.stderr)
        return 2
    doc = from_dict(data)
    xml = doc.to_xml(check_date=not args.no_date_check)
    if not args.no_xsd:
        schemas.assert_valid(xml)
    if args.output:
        with open(args.output, "wb") as fh:
            fh.write(xml)
        print(f"{args.output}: {doc.TITLE} {doc.document_number}, clave de acceso {doc.access_key}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(xml + b"\n")
    return 0


def _validate(args):
    try:
        xml = _read(args.xml_file, True)
    except OSError as exc:
        print(f"error: no se puede leer {args.xml_file}: {exc.strerror}", file=sys.stderr)
        return 2
    errors = schemas.validate(xml)
    if not errors:
        print("válido")
        return 0
    print(f"no válido ({len(errors)} error{'es' if len(errors) != 1 else ''}):")
    for e in errors:
        print(f"- {e}")
    return 1
