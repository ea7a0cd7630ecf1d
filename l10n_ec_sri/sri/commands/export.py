"""``sri export verify|restore``: the complete export of a company (``sri.archive``)."""

import argparse
import getpass
import json
import os
import sys

from .. import archive
from ..errors import SriError

PASSWORD_ENV = "SRI_ODOO_PASSWORD"


def register(sub):
    p = sub.add_parser("export", help="verify a company's complete export (ZIP) or restore it into Odoo")
    esub = p.add_subparsers(dest="action", required=True)
    v = esub.add_parser("verify", help="check an export; exit code 0 when sound, 1 otherwise")
    v.add_argument("file")
    v.set_defaults(func=_verify)
    r = esub.add_parser("restore", help="load an export into an Odoo database over XML-RPC")
    r.add_argument("file")
    r.add_argument("--url", required=True, help="the Odoo server, e.g. https://odoo.example.com")
    r.add_argument("--db", required=True, help="the database")
    r.add_argument("--login", required=True)
    r.add_argument("--password", help=f"the password or API key (default: ${PASSWORD_ENV}, else asked)")
    r.add_argument("--batch", type=_positive, default=100, help="objects sent per call (default 100)")
    r.add_argument("--company-ruc", help="refuse the archive unless it is the export of this RUC")
    r.set_defaults(func=_restore)


def _positive(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, not {text!r}")
    return value


def _verify(args):
    problems = archive.verify(args.file)
    summary = {"file": args.file, "sound": not problems}
    try:
        with archive.Archive(args.file) as opened:
            manifest = opened.manifest
        summary.update({k: manifest.get(k) for k in ("format", "version", "created", "company", "counts")})
    except archive.ArchiveError:
        pass  # the problem is already listed
    summary["problems"] = problems
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    return 1 if problems else 0


def _password(args):
    if args.password:
        return args.password
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if sys.stdin.isatty():
        return getpass.getpass(f"Password of {args.login} on {args.url}: ")
    raise SriError(f"no password: use --password or set {PASSWORD_ENV}")


def _restore(args):
    totals = archive.restore(args.file, args.url, args.db, args.login, _password(args),
                             batch_size=args.batch, company_ruc=args.company_ruc)
    print(json.dumps(totals, indent=2))
    return 0
