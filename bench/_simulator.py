"""The SRI simulator as a subprocess for the benchmarks (no GIL shared with the client being measured)."""

import os
import socket
import subprocess
import sys
import time

import requests

ADDON = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "l10n_ec_sri")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_simulator(db_path):
    """Start ``python -m sri simulator`` on a free loopback port; return (process, base URL) once it answers.
    Its output goes to ``<db_path>.log``: a pipe nobody reads fills up and blocks the simulator."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(db_path + ".log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen([sys.executable, "-m", "sri", "simulator", "--host", "127.0.0.1", "--port", str(port),
                             "--db", db_path], env=dict(os.environ, PYTHONPATH=ADDON), stdout=log,
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(url + "/control", timeout=1)
            return proc, url
        except requests.ConnectionError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                with open(log.name, "rb") as f:
                    raise SystemExit("simulator did not start: " + f.read().decode(errors="replace")) from None
            time.sleep(0.1)
