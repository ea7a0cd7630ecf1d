"""Benchmark of the SRI web-service layer: sri.client against the loopback simulator over real HTTP.

Starts ``python -m sri simulator`` as a subprocess (its own GIL) on a free loopback port with a
temporary SQLite file, pre-builds and signs N facturas (sri.documents + sri.signing), then measures:

- round trips per second (send + authorize, each through zeep) with 1 and with 8 client threads;
- the simulator's own throughput: SOAP requests it served per second during each phase (from its
  ``/control`` counters), and a server-bound phase where 8 threads post pre-built authorization
  envelopes with plain ``requests`` (no zeep on the client) to show what the server can take.

    python bench/sri_services.py [N]      # N documents per client phase (default 300, max 5000)

Bounded: every phase stops after ``SRI_BENCH_PHASE_S`` seconds (default 60). Prints a table; no asserts.
"""

import copy
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ADDON = os.path.join(os.path.dirname(HERE), "l10n_ec_sri")
sys.path.insert(0, ADDON)

import requests  # noqa: E402

from sri import documents, signing, testing  # noqa: E402
from sri.client import AUTHORIZATION_PATH, Outcome, SriClient  # noqa: E402
from _simulator import start_simulator  # noqa: E402

EXAMPLE = os.path.join(ADDON, "sri", "examples", "factura.json")
PHASE_LIMIT_S = float(os.environ.get("SRI_BENCH_PHASE_S", "60"))


def build_signed(n, first_sequential):
    with open(EXAMPLE, encoding="utf-8") as fh:
        base = json.load(fh)
    base.pop("access_key", None)
    cert = signing.load_p12(testing.make_p12(password="bench", ruc=base["issuer"]["ruc"]), "bench")
    out = []
    for i in range(n):
        data = copy.deepcopy(base)
        data["sequential"] = f"{first_sequential + i:09d}"
        doc = documents.from_dict(data)
        out.append((signing.sign(doc.to_xml(), cert), doc.access_key))
    return out


def stats(url):
    return requests.get(url + "/control", timeout=5).json()["stats"]


def run_phase(url, label, docs, threads, client):
    """send + authorize for every doc; returns a row of figures."""
    lat_send, lat_auth, bad = [], [], []
    lock = threading.Lock()
    deadline = time.monotonic() + PHASE_LIMIT_S

    def one(doc):
        if time.monotonic() > deadline:
            return False
        xml, key = doc
        rec = client.send(xml)
        auth = client.authorize(key)
        with lock:
            lat_send.append(rec.duration)
            lat_auth.append(auth.duration)
            if rec.outcome is not Outcome.RECEIVED or auth.outcome is not Outcome.AUTHORIZED:
                bad.append((rec.outcome, auth.outcome, rec.reasons[:1]))
        return True

    before = stats(url)
    t0 = time.perf_counter()
    if threads == 1:
        done = sum(one(d) for d in docs)
    else:
        with ThreadPoolExecutor(threads) as pool:
            done = sum(pool.map(one, docs))
    elapsed = time.perf_counter() - t0
    after = stats(url)
    served = after["served"] - before["served"]
    return {
        "phase": label, "threads": threads, "n": done, "seconds": elapsed,
        "roundtrips_s": done / elapsed, "server_req_s": served / elapsed,
        "send_p50_ms": 1000 * statistics.median(lat_send), "auth_p50_ms": 1000 * statistics.median(lat_auth),
        "send_p95_ms": 1000 * _p95(lat_send), "auth_p95_ms": 1000 * _p95(lat_auth), "errors": len(bad),
        "first_error": bad[0] if bad else None,
    }


def _p95(values):
    values = sorted(values)
    return values[min(len(values) - 1, int(0.95 * len(values)))]


def raw_authorize_phase(url, keys, threads, total):
    """Server-bound: pre-built autorizacionComprobante envelopes posted with plain requests."""
    envelopes = [(
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:ec="http://ec.gob.sri.ws.autorizacion"><soapenv:Body><ec:autorizacionComprobante>'
        f"<claveAccesoComprobante>{k}</claveAccesoComprobante></ec:autorizacionComprobante>"
        "</soapenv:Body></soapenv:Envelope>").encode() for k in keys]
    local = threading.local()
    deadline = time.monotonic() + PHASE_LIMIT_S

    def one(i):
        if time.monotonic() > deadline:
            return False
        session = getattr(local, "s", None) or setattr(local, "s", requests.Session()) or local.s
        r = session.post(url + AUTHORIZATION_PATH, data=envelopes[i % len(envelopes)],
                         headers={"Content-Type": "text/xml; charset=utf-8"}, timeout=30)
        return r.status_code == 200

    before = stats(url)
    t0 = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        done = sum(pool.map(one, range(total)))
    elapsed = time.perf_counter() - t0
    served = stats(url)["served"] - before["served"]
    return {"phase": "raw authorize (no zeep)", "threads": threads, "n": done, "seconds": elapsed,
            "roundtrips_s": float("nan"), "server_req_s": served / elapsed}


def main():
    n = min(int(sys.argv[1]) if len(sys.argv) > 1 else 300, 5000)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        docs1 = build_signed(n, 1)
        docs8 = build_signed(n, 100000)
        prep = time.perf_counter() - t0
        proc, url = start_simulator(os.path.join(tmp, "bench.sqlite3"))
        try:
            rows = []
            with SriClient(url, connect_timeout=5, read_timeout=30) as client:
                client.authorize("0" * 49)  # warm-up: connection + zeep
                rows.append(run_phase(url, "send+authorize", docs1, 1, client))
                rows.append(run_phase(url, "send+authorize", docs8, 8, client))
            rows.append(raw_authorize_phase(url, [k for _, k in docs1], 8, 4 * n))
        finally:
            proc.terminate()
            proc.wait(10)

    print(f"SRI services benchmark: {n} signed facturas per client phase "
          f"(built+signed {2 * n} in {prep:.1f}s), simulator in a subprocess, loopback HTTP, "
          f"{os.cpu_count()} CPU(s)")
    header = f"{'phase':<26}{'threads':>8}{'n':>7}{'secs':>8}{'round trips/s':>15}{'server req/s':>14}" \
             f"{'send p50/p95 ms':>18}{'auth p50/p95 ms':>18}{'errors':>8}"
    print(header)
    print("-" * len(header))
    for r in rows:
        rt = f"{r['roundtrips_s']:.1f}" if r["roundtrips_s"] == r["roundtrips_s"] else "-"
        send = f"{r['send_p50_ms']:.1f}/{r['send_p95_ms']:.1f}" if "send_p50_ms" in r else "-"
        auth = f"{r['auth_p50_ms']:.1f}/{r['auth_p95_ms']:.1f}" if "auth_p50_ms" in r else "-"
        print(f"{r['phase']:<26}{r['threads']:>8}{r['n']:>7}{r['seconds']:>8.2f}{rt:>15}"
              f"{r['server_req_s']:>14.1f}{send:>18}{auth:>18}{r.get('errors', 0):>8}")
        if r.get("first_error"):
            print(f"   first error: {r['first_error']}")
    print("round trip = validarComprobante + autorizacionComprobante through sri.client (zeep); "
          "server req/s = SOAP requests the simulator served per wall-clock second of the phase.")


if __name__ == "__main__":
    main()
