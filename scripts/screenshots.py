"""Screenshots of a running demo (``make run``) for the README and the App Store page.

    ~/.cache/l10n_ec_sri/venv/bin/python scripts/screenshots.py [--url http://127.0.0.1:8069] [--db sri_demo]

Logs in over JSON-RPC, drives Debian's headless Chromium through the DevTools protocol (websocket-client)
with that session, and writes PNGs into ``l10n_ec_sri/static/description/``.
"""

import argparse
import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

import requests
import websocket

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "l10n_ec_sri", "static", "description")


class Browser:
    def __init__(self, width=1440, height=900):
        self.profile = tempfile.mkdtemp(prefix="sri-shot-")
        self.proc = subprocess.Popen([
            shutil.which("chromium") or "/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={self.profile}", "--remote-debugging-port=9333",
            f"--window-size={width},{height}", "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                targets = json.load(urllib.request.urlopen("http://127.0.0.1:9333/json"))
                page = next(t for t in targets if t["type"] == "page")
                break
            except Exception:  # noqa: BLE001 - Chromium still starting
                time.sleep(0.1)
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30)
        self.next_id = 0
        self.call("Page.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                return msg.get("result", {})

    def shot(self, url, path, wait_for=None, settle=1.5, timeout=30, scroll_to=None):
        self.call("Page.navigate", url=url)
        deadline = time.time() + timeout
        while wait_for and time.time() < deadline:
            found = self.call("Runtime.evaluate", expression=f"!!document.querySelector({json.dumps(wait_for)})")
            if found.get("result", {}).get("value"):
                break
            time.sleep(0.3)
        if scroll_to:  # the first element whose own text is ``scroll_to``
            self.call("Runtime.evaluate", expression=(
                "[...document.querySelectorAll('h2, h3, div, span')].find(e => e.children.length === 0 && "
                f"e.textContent.trim() === {json.dumps(scroll_to)}).scrollIntoView({{block: 'start'}})"))
        time.sleep(settle)
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        print("wrote", path)

    def close(self):
        self.ws.close()
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", default="sri_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    args = parser.parse_args()

    session = requests.Session()
    auth = session.post(f"{args.url}/web/session/authenticate", json={"jsonrpc": "2.0", "params": {
        "db": args.db, "login": args.login, "password": args.password}}).json()
    if auth.get("error"):
        raise SystemExit(f"login failed: {auth['error']}")

    def rpc(model, method, *a, **kw):
        r = session.post(f"{args.url}/web/dataset/call_kw", json={"jsonrpc": "2.0", "params": {
            "model": model, "method": method, "args": list(a), "kwargs": kw}}).json()
        if r.get("error"):
            raise SystemExit(r["error"])
        return r["result"]

    moves = rpc("account.move", "search_read", [("l10n_ec_sri_state", "=", "authorized")],
                fields=["id", "l10n_ec_sri_ride_id"], limit=1, order="id")
    certificates = rpc("l10n_ec_sri.certificate", "search_read", [], fields=["id"], limit=1)
    browser = Browser()
    try:
        browser.call("Network.enable")
        browser.call("Network.setCookie", name="session_id", value=session.cookies["session_id"],
                     url=args.url, path="/")
        base = f"{args.url}/odoo"
        if moves:
            browser.shot(f"{base}/action-account.action_move_out_invoice_type/{moves[0]['id']}",
                         os.path.join(OUT, "screenshot_invoice.png"), wait_for=".o_form_view")
        browser.shot(f"{base}/action-account.action_move_out_invoice_type",
                     os.path.join(OUT, "screenshot_invoices.png"), wait_for=".o_list_view")
        browser.shot(f"{base}/action-l10n_ec_sri.action_l10n_ec_sri_exchange",
                     os.path.join(OUT, "screenshot_exchanges.png"), wait_for=".o_list_view")
        if certificates:
            browser.shot(f"{base}/action-l10n_ec_sri.action_l10n_ec_sri_certificate/{certificates[0]['id']}",
                         os.path.join(OUT, "screenshot_certificate.png"), wait_for=".o_form_view")
        browser.shot(f"{base}/settings#account", os.path.join(OUT, "screenshot_settings.png"),
                     wait_for=".o_setting_container", scroll_to="SRI Ecuador", settle=2.5)
    finally:
        browser.close()
    if moves and moves[0]["l10n_ec_sri_ride_id"]:
        pdf = session.get(f"{args.url}/web/content/{moves[0]['l10n_ec_sri_ride_id'][0]}?download=true").content
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(pdf)
            f.flush()
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", f.name,
                            os.path.join(OUT, "screenshot_ride")], check=True)
        print("wrote", os.path.join(OUT, "screenshot_ride.png"))


if __name__ == "__main__":
    main()
