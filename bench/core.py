"""Benchmark of the SRI core on one core: build, sign and XSD-validate N facturas of 10 lines.

Prints documents per second for each stage and for the whole pipeline, then times the peer signer
``sri-xades-signer`` (PyPI, AGPL: bench-only, run in its own virtualenv because it needs newer
lxml/cryptography than Odoo 18 allows) on the same unsigned documents and prints the ratio.

    python bench/core.py [N]            # N defaults to 2000
    SRI_BENCH_PEER_PYTHON=/path/to/python   # interpreter that has sri-xades-signer (make bench sets it)
"""

import copy
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "l10n_ec_sri"))

from sri import documents, schemas, signing, testing  # noqa: E402

EXAMPLE = os.path.join(os.path.dirname(HERE), "l10n_ec_sri", "sri", "examples", "factura.json")
PASSWORD = "bench"

PEER_SCRIPT = r"""
import json, os, sys, time
from sri_xades_signer import XadesSigner
folder, password = sys.argv[1], sys.argv[2]
names = sorted(n for n in os.listdir(folder) if n.endswith(".xml"))
docs = [open(os.path.join(folder, n), "rb").read() for n in names]
signer = XadesSigner(open(os.path.join(folder, "cert.p12"), "rb").read(), password)
signer.sign(docs[0])  # warm-up
t0 = time.perf_counter()
for d in docs:
    signer.sign(d)
print(json.dumps({"n": len(docs), "seconds": time.perf_counter() - t0}))
"""


def ten_line_facturas(n):
    with open(EXAMPLE, encoding="utf-8") as f:
        base = json.load(f)
    line = base["lines"][0]
    base["lines"] = []
    base.pop("payments", None)  # one payment of the whole total is the default
    for i in range(10):
        item = copy.deepcopy(line)
        item["main_code"] = f"P{i:04d}"
        item["description"] = f"Producto de prueba {i}"
        base["lines"].append(item)
    out = []
    for i in range(n):
        data = copy.deepcopy(base)
        data["sequential"] = f"{i + 1:09d}"
        data.pop("access_key", None)
        out.append(data)
    return out


def rate(n, seconds):
    return n / seconds if seconds else float("inf")


class Clock:
    """Wall-clock and CPU seconds of each ``with clock(label):`` block."""

    def __init__(self):
        self.wall, self.cpu = {}, {}

    def __call__(self, label):
        self.label = label
        return self

    def __enter__(self):
        self.t0, self.c0 = time.perf_counter(), time.process_time()

    def __exit__(self, *exc):
        self.wall[self.label] = time.perf_counter() - self.t0
        self.cpu[self.label] = time.process_time() - self.c0


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    cert = signing.load_p12(testing.make_p12(password=PASSWORD), PASSWORD)
    inputs = ten_line_facturas(n)

    clock = Clock()
    with clock("build (dataclass -> XML)"):
        unsigned = [documents.from_dict(d).to_xml() for d in inputs]
    with clock("sign (XAdES-BES)"):
        signed = [signing.sign(x, cert) for x in unsigned]
    with clock("XSD validate (signed)"):
        invalid = sum(1 for x in signed if schemas.validate(x))
    if invalid:
        print(f"WARNING: {invalid} signed documents failed the XSD", file=sys.stderr)
    with clock("whole pipeline"):
        for d in inputs:
            x = signing.sign(documents.from_dict(d).to_xml(), cert)
            schemas.validate(x)
    t_sign = clock.wall["sign (XAdES-BES)"]

    print(f"SRI core benchmark: {n} facturas of 10 lines, one core (Python {sys.version.split()[0]})")
    print(f"  {'stage':<28}{'docs/s':>10}{'µs/doc':>10}{'cpu docs/s':>12}")
    for label, secs in clock.wall.items():
        cpu = clock.cpu[label]
        print(f"  {label:<28}{rate(n, secs):>10.0f}{secs / n * 1e6:>10.0f}{rate(n, cpu):>12.0f}")
    print("  (docs/s: wall clock; cpu docs/s: this process's CPU time, steadier on a loaded machine)")

    peer_python = os.environ.get("SRI_BENCH_PEER_PYTHON")
    if not peer_python or not os.path.exists(peer_python):
        print("  peer sri-xades-signer: not run (set SRI_BENCH_PEER_PYTHON; `make bench` does)")
        return
    with tempfile.TemporaryDirectory() as folder:
        for i, x in enumerate(unsigned):
            with open(os.path.join(folder, f"{i:06d}.xml"), "wb") as f:
                f.write(x)
        with open(os.path.join(folder, "cert.p12"), "wb") as f:
            f.write(testing.make_p12(password=PASSWORD))
        out = subprocess.run([peer_python, "-c", PEER_SCRIPT, folder, PASSWORD],
                             capture_output=True, text=True, check=False)
    if out.returncode:
        print("  peer sri-xades-signer failed:", out.stderr.strip().splitlines()[-1:])
        return
    peer = json.loads(out.stdout.strip().splitlines()[-1])
    peer_rate = rate(peer["n"], peer["seconds"])
    print(f"  {'peer sign (sri-xades-signer)':<28}{peer_rate:>10.0f}{peer['seconds'] / peer['n'] * 1e6:>10.0f}")
    print(f"  signing speed ratio ours/peer: {rate(n, t_sign) / peer_rate:.2f}x")


if __name__ == "__main__":
    main()
