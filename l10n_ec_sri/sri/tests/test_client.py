"""sri.client against the loopback simulator over real HTTP, and against hand-made SRI-shaped answers."""

import datetime
import itertools
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from lxml import etree

from sri import client as sri_client
from sri import signing, testing
from sri.client import Authorization, Message, Outcome, Reception, SriClient
from sri.simulator import samples

DATA = os.path.join(os.path.dirname(__file__), "data")
RUC = samples.DEFAULT_RUC
_seq = itertools.count(1)


@pytest.fixture(scope="module")
def cert():
    return signing.load_p12(testing.make_p12(password="clave", ruc=RUC), "clave")


@pytest.fixture(scope="module")
def client(sim):
    with SriClient(sim.url, connect_timeout=2, read_timeout=5) as c:
        yield c


def signed(cert, **kwargs):
    return samples.signed_factura(cert, next(_seq), **kwargs)


# ------------------------------------------------------------------------------ outcomes

def test_send_then_authorize(sim, client, cert):
    xml, key = signed(cert)
    rec = client.send(xml)
    assert isinstance(rec, Reception)
    assert rec.outcome is Outcome.RECEIVED and rec.state == "RECIBIDA" and rec.messages == []
    assert rec.access_key == key
    assert "validarComprobante" in rec.raw_request and "RECIBIDA" in rec.raw_response
    assert rec.http_status == 200 and 0 < rec.duration < 5 and rec.error == ""

    auth = client.authorize(key)
    assert isinstance(auth, Authorization)
    assert auth.outcome is Outcome.AUTHORIZED and auth.state == "AUTORIZADO"
    assert auth.number == key and auth.access_key == key and auth.count == 1 and len(auth.entries) == 1
    assert auth.environment == "PRUEBAS"
    assert auth.date.tzinfo is not None and auth.date.utcoffset() == datetime.timedelta(hours=-5)
    assert abs((datetime.datetime.now(datetime.timezone.utc) - auth.date).total_seconds()) < 60
    assert auth.authorized_xml.encode() == xml.decode().encode()  # the signed document, unchanged
    signing.verify(auth.authorized_xml.encode())
    assert "autorizacionComprobante" in auth.raw_request and key in auth.raw_request
    assert "<![CDATA[" in auth.raw_response

    wrapper = etree.fromstring(auth.to_xml())
    assert wrapper.tag == "autorizacion" and wrapper.findtext("estado") == "AUTORIZADO"
    assert wrapper.findtext("numeroAutorizacion") == key
    assert wrapper.findtext("fechaAutorizacion").endswith("-05:00")
    assert wrapper.findtext("comprobante") == auth.authorized_xml


def test_rejected_by_rule_is_no_autorizado_with_reasons(sim, client, cert):
    sim.set_knobs(reject_rule=["importeTotal>1000", "buyer=0102030400|COMPRADOR BLOQUEADO"])
    xml, key = signed(cert, base=2000)
    assert client.send(xml).outcome is Outcome.RECEIVED
    auth = client.authorize(key)
    assert auth.outcome is Outcome.REJECTED and auth.state == "NO AUTORIZADO" and auth.number == ""
    assert auth.messages[0].type == "ERROR" and "importeTotal" in auth.messages[0].additional_info
    assert any("importeTotal" in line for line in auth.reasons)

    xml, key = signed(cert, buyer="0102030400")
    client.send(xml)
    auth = client.authorize(key)
    assert auth.outcome is Outcome.REJECTED and auth.messages[0].message == "COMPRADOR BLOQUEADO"

    xml, key = signed(cert, base=5)  # matches no rule
    client.send(xml)
    assert client.authorize(key).outcome is Outcome.AUTHORIZED


def test_devuelta_is_rejected_with_messages(client, cert):
    today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=-5))).date()
    xml, key = signed(cert, date=today - datetime.timedelta(days=100))  # outside SRI's date tolerance
    rec = client.send(xml)
    assert rec.outcome is Outcome.REJECTED and rec.state == "DEVUELTA" and rec.access_key == key
    assert [m.identifier for m in rec.messages] == ["65"]
    assert rec.messages[0].is_error and rec.reasons and "65" in rec.reasons[0]


def test_bad_signature_is_received_then_rejected_39(client, cert):
    """As SRI: an unsigned document, or one with an invalid signature, is RECIBIDA and NO AUTORIZADO 39."""
    unsigned, key1 = samples.factura(next(_seq))
    xml, key2 = signed(cert)
    tampered = xml.replace(b"CLIENTE DE PRUEBA", b"CLIENTE DE PRUEBX")
    for doc, key in ((unsigned, key1), (tampered, key2)):
        rec = client.send(doc)
        assert rec.outcome is Outcome.RECEIVED and rec.state == "RECIBIDA" and rec.messages == []
        auth = client.authorize(key)
        assert auth.outcome is Outcome.REJECTED and auth.state == "NO AUTORIZADO" and auth.number == ""
        assert [m.identifier for m in auth.messages] == ["39"] and auth.messages[0].message == "FIRMA INVALIDA"
        assert auth.messages[0].is_error and auth.reasons and "39" in auth.reasons[0]
        assert auth.messages[0].additional_info in auth.reasons[0]


def test_certificate_of_an_untrusted_ca_is_rejected_39(client):
    other = testing.new_ca("AC DESCONOCIDA", key=testing.rsa_key(2048, "other"))
    xml, key = signed(signing.load_p12(testing.make_p12(password="x", ruc=RUC, ca=other), "x"))
    assert client.send(xml).outcome is Outcome.RECEIVED
    auth = client.authorize(key)
    assert auth.outcome is Outcome.REJECTED and [m.identifier for m in auth.messages] == ["39"]
    assert "AC DESCONOCIDA" in auth.messages[0].additional_info


def test_already_received_then_authorize(client, cert):
    xml, key = signed(cert)
    assert client.send(xml).outcome is Outcome.RECEIVED
    again = client.send(xml)
    assert again.outcome is Outcome.ALREADY_RECEIVED and again.state == "DEVUELTA"
    assert [(m.identifier, m.message) for m in again.messages] == [("43", "CLAVE ACCESO REGISTRADA")]
    assert client.authorize(key).outcome is Outcome.AUTHORIZED


def test_error_70_is_retry_then_already_received(sim, client, cert):
    sim.set_knobs(error_70=1)
    xml, key = signed(cert)
    rec = client.send(xml)
    assert rec.outcome is Outcome.RETRY and [m.identifier for m in rec.messages] == ["70"]
    assert client.send(xml).outcome is Outcome.ALREADY_RECEIVED
    assert client.authorize(key).outcome is Outcome.AUTHORIZED


def test_en_proceso_polls(sim, client, cert):
    sim.set_knobs(en_proceso_polls=2)
    xml, key = signed(cert)
    client.send(xml)
    first, second, third = (client.authorize(key) for _ in range(3))
    assert (first.outcome, first.state) == (Outcome.RETRY, "EN PROCESO")
    assert (second.outcome, second.state) == (Outcome.RETRY, "EN PROCESO")
    assert (third.outcome, third.state) == (Outcome.AUTHORIZED, "AUTORIZADO")


def test_unknown_key_is_retry_with_zero(client):
    auth = client.authorize("2511202601179001234500110010019999999991234567810")
    assert auth.outcome is Outcome.RETRY and auth.count == 0 and auth.entries == [] and auth.state == ""


def test_http_500_is_retry(sim, client, cert):
    sim.set_knobs(http_500=1)
    xml, key = signed(cert)
    rec = client.send(xml)
    assert rec.outcome is Outcome.RETRY and rec.http_status == 500
    assert "SOAP Fault" in rec.error and rec.error_detail and "soap:Fault" in rec.raw_response
    assert client.send(xml).outcome is Outcome.RECEIVED  # counter consumed
    sim.set_knobs(http_500=1)
    assert client.authorize(key).outcome is Outcome.RETRY
    assert client.authorize(key).outcome is Outcome.AUTHORIZED


def test_dropped_connection_is_retry(sim, client, cert):
    sim.set_knobs(drop=1)
    xml, key = signed(cert)
    rec = client.send(xml)
    assert rec.outcome is Outcome.RETRY and "ConnectionError" in rec.error_detail and rec.raw_response == ""
    assert rec.error.startswith("Sin conexión con el SRI") and "ConnectionError" not in rec.error
    assert rec.raw_request  # what we tried to send is still kept
    assert client.send(xml).outcome is Outcome.RECEIVED
    sim.set_knobs(drop=1)
    assert client.authorize(key).outcome is Outcome.RETRY
    assert client.authorize(key).outcome is Outcome.AUTHORIZED


def test_read_timeout_is_retry_within_timeout(sim, cert):
    sim.set_knobs(timeout_s=3)
    xml, _ = signed(cert)
    with SriClient(sim.url, connect_timeout=1, read_timeout=0.5) as c:
        started = time.monotonic()
        rec = c.send(xml)
        elapsed = time.monotonic() - started
    assert rec.outcome is Outcome.RETRY and "Timeout" in rec.error_detail and "Tiempo de espera" in rec.error
    assert elapsed < 1.5 and rec.duration < 1.5


def test_latency(sim, client, cert):
    sim.set_knobs(latency_ms=250)
    xml, key = signed(cert)
    rec = client.send(xml)
    assert rec.outcome is Outcome.RECEIVED and rec.duration >= 0.25
    assert client.authorize(key).duration >= 0.25


def test_connection_refused_never_raises():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    with SriClient(f"http://127.0.0.1:{port}", connect_timeout=1, read_timeout=1) as c:
        rec = c.send(b"<factura/>")
        auth = c.authorize("1" * 49)
    assert rec.outcome is Outcome.RETRY and "ConnectionError" in rec.error_detail and rec.http_status is None
    assert auth.outcome is Outcome.RETRY and auth.error


def test_concurrent_threads_share_one_client(client, cert):
    docs = [signed(cert) for _ in range(24)]

    def roundtrip(doc):
        xml, key = doc
        return client.send(xml).outcome, client.authorize(key)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(roundtrip, docs))
    assert all(r[0] is Outcome.RECEIVED for r in results)
    assert [r[1].number for r in results] == [k for _, k in docs]  # each thread got its own raw exchange
    assert all(r[1].access_key in r[1].raw_request for r in results)


# ------------------------------------------------------------------------------ configuration

def test_endpoints_and_cache():
    assert sri_client.base_url("pruebas") == "https://celcer.sri.gob.ec"
    assert sri_client.base_url("produccion") == "https://cel.sri.gob.ec"
    assert sri_client.base_url("http://127.0.0.1:8099/") == "http://127.0.0.1:8099"
    assert sri_client.base_url("http://h:1" + sri_client.RECEPTION_PATH + "?wsdl") == "http://h:1"
    with pytest.raises(ValueError):
        sri_client.base_url("celcer")
    a, b = SriClient("pruebas"), SriClient("produccion")
    assert a.reception_url == "https://celcer.sri.gob.ec/comprobantes-electronicos-ws/RecepcionComprobantesOffline"
    assert b.authorization_url == "https://cel.sri.gob.ec/comprobantes-electronicos-ws/AutorizacionComprobantesOffline"
    # the WSDL is parsed once per process and shared
    assert a._reception_client.wsdl is b._reception_client.wsdl
    assert sri_client.get_client("pruebas") is sri_client.get_client("pruebas")
    assert sri_client.get_client("pruebas") is not sri_client.get_client("pruebas", read_timeout=5)


def test_wsdl_is_local_copy():
    import hashlib
    with open(sri_client.RECEPTION_WSDL, "rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest().startswith("f3fd618a")
    with open(sri_client.AUTHORIZATION_WSDL, "rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest().startswith("8e70b53d")


def test_classification_rules():
    err = lambda i: Message(i, "x", "", "ERROR")  # noqa: E731
    warn = Message("60", "AMBIENTE DE PRUEBAS", "", "ADVERTENCIA")
    assert sri_client.classify_reception("RECIBIDA", []) is Outcome.RECEIVED
    assert sri_client.classify_reception("DEVUELTA", [err("43")]) is Outcome.ALREADY_RECEIVED
    assert sri_client.classify_reception("DEVUELTA", [err("43"), warn]) is Outcome.ALREADY_RECEIVED
    assert sri_client.classify_reception("DEVUELTA", [err("43"), err("35")]) is Outcome.REJECTED
    assert sri_client.classify_reception("DEVUELTA", [err("70")]) is Outcome.RETRY
    assert sri_client.classify_reception("DEVUELTA", [err("45")]) is Outcome.REJECTED
    assert sri_client.classify_reception("", []) is Outcome.RETRY


# ------------------------------------------------------------------------------ recorded answers

class _Canned(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    answer = (200, b"")

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, body = self.server.answer
        self.send_response(status)
        self.send_header("Content-Type", "text/xml; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def canned():
    """A loopback server answering every POST with ``server.answer`` = (status, bytes)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Canned)
    server.daemon_threads = True
    server.answer = (200, b"")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with SriClient(f"http://127.0.0.1:{server.server_address[1]}", connect_timeout=2, read_timeout=5) as c:
        c.server = server
        yield c
    server.shutdown()
    server.server_close()


def _serve(canned, name, status=200):
    with open(os.path.join(DATA, name), "rb") as fh:
        body = fh.read()
    canned.server.answer = (status, body)
    return body


REAL_KEY = "1811202301179001691900120721260002540020711013510"


def test_recorded_two_entries_takes_autorizado(canned):
    body = _serve(canned, "autorizacion_dos_entradas.xml")
    auth = canned.authorize(REAL_KEY)
    assert auth.outcome is Outcome.AUTHORIZED and auth.state == "AUTORIZADO"
    assert [e.state for e in auth.entries] == ["NO AUTORIZADO", "AUTORIZADO"] and auth.count == 2
    assert auth.number == REAL_KEY and auth.access_key == REAL_KEY
    assert auth.date == datetime.datetime(2023, 11, 18, 10, 31, 38,
                                          tzinfo=datetime.timezone(datetime.timedelta(hours=-5)))
    assert auth.date.utcoffset() == datetime.timedelta(hours=-5)
    assert auth.environment == "PRODUCCIÓN"
    assert auth.authorized_xml.startswith('<?xml version="1.0" encoding="UTF-8"?><factura id="comprobante"')
    assert REAL_KEY in auth.authorized_xml and auth.messages == []
    old = auth.entries[0]
    assert old.messages == [Message("56", "ERROR ESTABLECIMIENTO CERRADO",
                                    "El establecimiento 072 se encuentra cerrado", "ERROR")]
    assert auth.raw_response == body.decode("utf-8")


def test_recorded_two_rejections_takes_latest(canned):
    _serve(canned, "autorizacion_no_autorizado_dos.xml")
    auth = canned.authorize(REAL_KEY)
    assert auth.outcome is Outcome.REJECTED and auth.state == "NO AUTORIZADO"
    assert auth.date.hour == 11 and [m.identifier for m in auth.messages] == ["52"]


@pytest.mark.parametrize("name, outcome, state", [
    ("autorizacion_en_proceso.xml", Outcome.RETRY, "EN PROCESO"),
    ("autorizacion_cero.xml", Outcome.RETRY, ""),
])
def test_recorded_authorization_retry(canned, name, outcome, state):
    _serve(canned, name)
    auth = canned.authorize(REAL_KEY)
    assert (auth.outcome, auth.state) == (outcome, state)


@pytest.mark.parametrize("name, outcome, ids", [
    ("recepcion_recibida.xml", Outcome.RECEIVED, []),
    ("recepcion_devuelta_43.xml", Outcome.ALREADY_RECEIVED, ["43"]),
    ("recepcion_devuelta_70.xml", Outcome.RETRY, ["70"]),
    ("recepcion_devuelta_varios.xml", Outcome.REJECTED, ["35", "60"]),
])
def test_recorded_reception(canned, name, outcome, ids):
    _serve(canned, name)
    rec = canned.send(b'<?xml version="1.0"?><factura id="comprobante"/>')
    assert rec.outcome is outcome and [m.identifier for m in rec.messages] == ids
    if ids:
        assert rec.access_key == REAL_KEY
    if name == "recepcion_devuelta_varios.xml":
        assert rec.messages[1].type == "ADVERTENCIA" and not rec.messages[1].is_error
        assert "cvc-complex-type" in rec.messages[0].additional_info


def test_recorded_fault(canned):
    _serve(canned, "fault_500.xml", status=500)
    rec = canned.send(b"<x/>")
    assert rec.outcome is Outcome.RETRY and rec.http_status == 500 and "Error interno" in rec.error_detail
    assert "SOAP Fault" in rec.error
    _serve(canned, "fault_500.xml", status=200)  # a fault without a 5xx: the service refused the call
    assert canned.send(b"<x/>").outcome is Outcome.REJECTED


def test_garbage_and_gateway_pages_are_retry(canned):
    canned.server.answer = (502, b"<html><body>Bad gateway</body></html>")
    assert canned.authorize(REAL_KEY).outcome is Outcome.RETRY
    canned.server.answer = (200, b"not xml at all")
    auth = canned.authorize(REAL_KEY)
    assert auth.outcome is Outcome.RETRY and auth.raw_response == "not xml at all"


def test_control_endpoint(sim):
    r = requests.post(sim.url + "/control", json={"latency_ms": 5, "reject_rule": "total>10"}, timeout=5)
    assert r.status_code == 200 and r.json()["latency_ms"] == 5 and r.json()["reject_rule"] == ["total>10"]
    got = requests.get(sim.url + "/control", timeout=5).json()
    assert got["latency_ms"] == 5 and "stats" in got and got["ambiente"] == "1"
    bad = requests.post(sim.url + "/control", json={"nope": 1}, timeout=5)
    assert bad.status_code == 400 and "nope" in bad.json()["error"]
