"""``python -m sri`` (with ``l10n_ec_sri/`` on the path): the SRI core from the command line.

Each command group lives in ``sri/commands/<group>.py`` and exposes ``register(subparsers)``;
the handler it sets with ``set_defaults(func=...)`` returns the exit code.
"""

import argparse
import sys

from .commands import access_key, documents, export, signing, services
from .errors import SriError

GROUPS = (access_key, documents, signing, services, export)


def make_parser():
    parser = argparse.ArgumentParser(
        prog="sri", description="Comprobantes electrónicos del SRI (Ecuador), esquema offline.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.register(sub)
    return parser


def main(argv=None):
    args = make_parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except SriError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
