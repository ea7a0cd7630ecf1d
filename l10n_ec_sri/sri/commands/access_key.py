"""``sri access-key build|check``."""

import json

from .. import access_key


def register(sub):
    p = sub.add_parser("access-key", help="build or check a 49-digit access key")
    ksub = p.add_subparsers(dest="action", required=True)
    b = ksub.add_parser("build", help="build a key from its fields")
    b.add_argument("--date", required=True, help="emission date dd/mm/aaaa or aaaa-mm-dd")
    b.add_argument("--type", required=True, dest="doc_type", help="codDoc: 01 factura, 03, 04, 05, 06, 07")
    b.add_argument("--ruc", required=True)
    b.add_argument("--environment", default="1", help="1 pruebas (default), 2 producción")
    b.add_argument("--establishment", required=True)
    b.add_argument("--emission-point", required=True)
    b.add_argument("--sequential", required=True)
    b.add_argument("--numeric-code", help="8 digits; random when absent")
    b.set_defaults(func=_build)
    c = ksub.add_parser("check", help="check the digit of a key and print its fields as JSON")
    c.add_argument("key")
    c.set_defaults(func=_check)


def _build(args):
    print(access_key.build(args.date, args.doc_type, args.ruc, args.environment, args.establishment,
                           args.emission_point, args.sequential, args.numeric_code))


def _check(args):
    key = access_key.parse(args.key)
    fields = {k: str(v) for k, v in key.__dict__.items()}
    fields["document"] = access_key.DOCUMENT_TYPES.get(key.document_type, "?")
    fields["number"] = key.document_number
    print(json.dumps(fields, indent=2, ensure_ascii=False))
