"""The loopback SRI simulator: SRI's checks and identifiers, persistence, answer shapes, CLI."""

import base64
import datetime
import glob
import itertools
import json
import os
import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from lxml import etree

from sri import access_key, documents, signing, testing
from sri.client import Outcome, SriClient
from sri.simulator import AUTHORIZATION_PATH, RECEPTION_PATH, Simulator, samples

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = sorted(glob.glob(os.path.join(os.path.dirname(HERE), "examples", "*.json")))
RUC = samples.DEFAULT_RUC
ECT = datetime.timezone(datetime.timedelta(hours=-5))
_seq = itertools.count(1000)


@pytest.fixture(scope="module")
def certs():
    cache = {}

    def get(ruc=RUC):
        if ruc not in cache:
            cache[ruc] = signing.load_p12(testing.make_p12(password="clave", ruc=ruc), "clave")
        return cache[ruc]
    return get


@pytest.fixture(scope="module")
def client(sim):
    with SriClient(sim.url, connect_timeout=2, read_timeout=10) as c:
        yield c


def ids(reception):
    return [m.identifier for m in reception.messages]


# ------------------------------------------------------------------------- accepted documents

@pytest.mark.parametrize("path", EXAMPLES, ids=[os.path.basename(p) for p in EXAMPLES])
def test_accepts_every_signed_example(client, certs, path):
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    doc = documents.from_dict(data)
    xml = signing.sign(doc.to_xml(), certs(data["issuer"]["ruc"]))
    rec = client.send(xml)
    assert rec.outcome is Outcome.RECEIVED, rec.reasons
    auth = client.authorize(doc.access_key)
    assert auth.outcome is Outcome.AUTHORIZED and auth.number == doc.access_key
    assert auth.authorized_xml.encode("utf-8") == xml.decode("utf-8").encode("utf-8")


def test_six_document_types_covered():
    types = set()
    for path in EXAMPLES:
        with open(path, encoding="utf-8") as fh:
            types.add(json.load(fh)["type"])
    assert types == {"factura", "nota_credito", "nota_debito", "retencion", "liquidacion_compra", "guia_remision"}


# ------------------------------------------------------------------------- DEVUELTA

def no_autorizado_39(client, xml, key):
    """Sent: RECIBIDA (SRI does not look at the signature at reception), then NO AUTORIZADO 39."""
    rec = client.send(xml)
    assert rec.state == "RECIBIDA" and rec.outcome is Outcome.RECEIVED, rec.reasons
    auth = client.authorize(key)
    assert auth.outcome is Outcome.REJECTED and auth.state == "NO AUTORIZADO" and auth.number == ""
    assert [m.identifier for m in auth.messages] == ["39"] and auth.messages[0].message == "FIRMA INVALIDA"
    assert auth.messages[0].type == "ERROR" and auth.messages[0].additional_info
    return auth.messages[0].additional_info


def test_tampered_signature_is_received_then_39(client, certs):
    xml, key = samples.signed_factura(certs(), next(_seq))
    tampered = xml.replace(b"CLIENTE DE PRUEBA", b"CLIENTE DE PRUEBX")
    assert "modificado" in no_autorizado_39(client, tampered, key)
    assert client.send(tampered).outcome is Outcome.ALREADY_RECEIVED  # the key is taken, as for any rejection


def test_unsigned_is_received_then_39(client):
    xml, key = samples.factura(next(_seq))  # valid structure (ds:Signature is optional in the XSD), no signature
    assert "firmado" in no_autorizado_39(client, xml, key)


def test_untrusted_ca_is_39(client, certs):
    other_ca = testing.new_ca("AC QUE EL SRI NO RECONOCE", key=testing.rsa_key(2048, "other"))
    cert = signing.load_p12(testing.make_p12(password="x", ca=other_ca), "x")
    xml, key = samples.signed_factura(cert, next(_seq))
    signing.verify(xml)  # the signature itself is fine
    info = no_autorizado_39(client, xml, key)
    assert "AC QUE EL SRI NO RECONOCE" in info and "no fue emitido por una entidad" in info
    assert testing.CA_COMMON_NAME in info  # says which CAs are trusted


def test_trusted_ca_is_authorized(client, certs, sim):
    assert sim.knobs.trusted_cas.describe() and testing.CA_COMMON_NAME in sim.knobs.trusted_cas.describe()[0]
    xml, key = samples.signed_factura(certs(), next(_seq))
    assert client.send(xml).outcome is Outcome.RECEIVED
    assert client.authorize(key).outcome is Outcome.AUTHORIZED


def test_no_ca_configured_trusts_any_certificate(tmp_path, certs):
    other_ca = testing.new_ca("OTRA AC", key=testing.rsa_key(2048, "other"))
    cert = signing.load_p12(testing.make_p12(password="x", ca=other_ca), "x")
    xml, key = samples.signed_factura(cert, 1)
    with Simulator(port=0, db_path=tmp_path / "any.sqlite3") as s, SriClient(s.url) as c:
        assert s.status()["trusted_cas"] == []
        assert c.send(xml).outcome is Outcome.RECEIVED
        assert c.authorize(key).outcome is Outcome.AUTHORIZED
        bad, bad_key = samples.signed_factura(cert, 2)
        assert "modificado" in no_autorizado_39(c, bad.replace(b"CLIENTE DE PRUEBA", b"CLIENTE DE PRUEBX"),
                                                bad_key)  # the signature is still verified


def test_demo_ca_persistent_and_trusted_from_a_file(tmp_path):
    folder = tmp_path / "demo-ca"
    key, ca = testing.demo_ca(folder)
    again_key, again = testing.demo_ca(folder)
    assert again == ca and again_key.private_numbers() == key.private_numbers()
    assert oct((folder / "ca-key.pem").stat().st_mode & 0o777) == "0o600"
    pem = testing.demo_ca_pem_path(folder)
    cert = signing.load_p12(testing.make_p12(password="x", ca=(key, ca)), "x")
    assert cert.issuer == ca.subject.rfc4514_string()
    xml, key_ = samples.signed_factura(cert, 1)
    untrusted = signing.sign(samples.factura(2)[0], signing.load_p12(testing.make_p12(password="x"), "x"))
    with Simulator(port=0, db_path=tmp_path / "demo.sqlite3", trusted_cas=[pem]) as s, SriClient(s.url) as c:
        assert c.send(xml).outcome is Outcome.RECEIVED and c.authorize(key_).outcome is Outcome.AUTHORIZED
        assert "no fue emitido" in no_autorizado_39(c, untrusted, samples.factura(2)[1])


def test_trust_store_inputs(tmp_path, test_ca_pem):
    from sri.simulator import TrustStore
    demo = testing.demo_ca(tmp_path / "ca")[1]
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(test_ca_pem + demo.public_bytes(serialization.Encoding.PEM))
    der = tmp_path / "ca.der"
    der.write_bytes(demo.public_bytes(serialization.Encoding.DER))
    assert len(TrustStore([bundle])) == 2                      # several certificates in one PEM file
    assert len(TrustStore([str(der), test_ca_pem, test_ca_pem.decode(), demo])) == 2  # deduplicated
    assert not TrustStore([]) and not TrustStore(None)
    with pytest.raises(ValueError, match="no se puede leer"):
        TrustStore([tmp_path / "nada.pem"])
    with pytest.raises(ValueError, match="no válido"):
        TrustStore([b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"])
    with pytest.raises(ValueError):
        Simulator(port=0, db_path=tmp_path / "x.sqlite3", trusted_cas=[tmp_path / "nada.pem"])


def test_trusted_cas_through_control(sim, client, certs, test_ca_pem):
    other_ca = testing.new_ca("AC DE CONTROL", key=testing.rsa_key(2048, "other"))
    other_pem = other_ca[1].public_bytes(serialization.Encoding.PEM).decode()
    r = requests.post(sim.url + "/control", json={"trusted_cas": [other_pem]}, timeout=5)
    assert r.status_code == 200 and r.json()["trusted_cas"] == [other_ca[1].subject.rfc4514_string()]
    xml, key = samples.signed_factura(certs(), next(_seq))  # issued by the test CA, no longer trusted
    assert "no fue emitido" in no_autorizado_39(client, xml, key)
    r = requests.post(sim.url + "/control", json={"trusted_cas": []}, timeout=5)  # trust any
    assert r.json()["trusted_cas"] == []
    xml, key = samples.signed_factura(certs(), next(_seq))
    assert client.send(xml).outcome is Outcome.RECEIVED and client.authorize(key).outcome is Outcome.AUTHORIZED
    for bad in ({"trusted_cas": ["/etc/passwd"]}, {"trusted_cas": ["-----BEGIN CERTIFICATE-----\nxx"]}):
        assert requests.post(sim.url + "/control", json=bad, timeout=5).status_code == 400
    r = requests.post(sim.url + "/control", json={"reset": True}, timeout=5)  # back to the configured CA
    assert r.json()["trusted_cas"] == sim.knobs._base_trust.describe() != []


def test_certificate_expired_at_reception_is_39(tmp_path, certs, test_ca_pem):
    later = datetime.datetime.now(ECT) + datetime.timedelta(days=400)  # the test certificates last 365 days
    xml, key = samples.signed_factura(certs(), 1, date=later.date())
    with Simulator(port=0, db_path=tmp_path / "exp.sqlite3", trusted_cas=[test_ca_pem],
                   clock=lambda: later) as s, SriClient(s.url) as c:
        assert "caducado" in no_autorizado_39(c, xml, key)
    with Simulator(port=0, db_path=tmp_path / "exp2.sqlite3", clock=lambda: later) as s, SriClient(s.url) as c:
        c.send(xml)  # no CA configured: validity is not checked either
        assert c.authorize(key).outcome is Outcome.AUTHORIZED


def test_key_usage_without_digital_signature_is_39(client):
    from cryptography.hazmat.primitives.serialization import pkcs12
    p12 = pkcs12.load_pkcs12(testing.make_p12(password="x", key_usage_digital_signature=False), b"x")
    cert = signing.Certificate(p12.cert.certificate, p12.key)  # load_p12 refuses it: build it by hand
    xml, key = samples.signed_factura(cert, next(_seq))
    assert "digitalSignature" in no_autorizado_39(client, xml, key)


def test_certificate_without_key_usage_is_authorized(client):
    from cryptography.hazmat.primitives.serialization import pkcs12
    p12 = pkcs12.load_pkcs12(testing.make_p12(password="x", key_usage=False), b"x")
    cert = signing.Certificate(p12.cert.certificate, p12.key)  # RFC 5280: no KeyUsage = unrestricted
    xml, key = samples.signed_factura(cert, next(_seq))
    assert client.send(xml).outcome is Outcome.RECEIVED and client.authorize(key).outcome is Outcome.AUTHORIZED


def test_old_database_still_opens(tmp_path, certs):
    """A state file written by the previous simulator (same table, a rejected and an authorized key)."""
    import sqlite3
    from sri.simulator import store
    db = tmp_path / "old.sqlite3"
    ok, ok_key = samples.signed_factura(certs(), 1)
    conn = sqlite3.connect(db)
    conn.executescript(store.SCHEMA)
    conn.execute(f"INSERT INTO comprobante ({store.COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                 (ok_key, RUC, "01", "001", "001", "000000001", "1", datetime.date.today().isoformat(),
                  "2025-01-01T10:00:00-05:00", "AUTORIZADO", "2025-01-01T10:00:00-05:00", "[]", ok))
    conn.commit()
    conn.close()
    with Simulator(port=0, db_path=db) as s, SriClient(s.url) as c:
        assert c.authorize(ok_key).outcome is Outcome.AUTHORIZED and c.send(ok).outcome is Outcome.ALREADY_RECEIVED


def test_schema_invalid_is_35(client, certs):
    xml, _ = samples.factura(next(_seq))
    broken = xml.replace(b"<razonSocial>PRUEBAS SERVICIO DE RENTAS INTERNAS</razonSocial>", b"")
    rec = client.send(signing.sign(broken, certs()))
    assert ids(rec) == ["35"] and rec.messages[0].message == "ARCHIVO NO CUMPLE ESTRUCTURA XML"
    assert "razonSocial" in rec.messages[0].additional_info or "ruc" in rec.messages[0].additional_info


@pytest.mark.parametrize("payload", [b"<factura><sin cerrar>", b"", b"\x00\x01 no xml", b"<otro id='comprobante'/>"])
def test_not_a_document_is_35(client, payload):
    rec = client.send(payload)
    assert rec.state == "DEVUELTA" and ids(rec) == ["35"] and rec.outcome is Outcome.REJECTED


def test_wrong_check_digit_is_35(client, certs):
    seq = next(_seq)
    good = access_key.build(datetime.date.today(), "01", RUC, "1", "001", "001", seq, "12345678")
    bad = good[:48] + str((int(good[48]) + 1) % 10)
    xml, _ = samples.signed_factura(certs(), seq, key=bad)
    rec = client.send(xml)
    assert ids(rec) == ["35"] and "verificador" in rec.messages[0].additional_info
    assert rec.access_key == bad


def test_key_not_matching_fields_is_35(client, certs):
    seq = next(_seq)
    other = access_key.build(datetime.date.today(), "01", RUC, "1", "001", "001", seq + 1, "12345678")
    xml, _ = samples.signed_factura(certs(), seq, key=other)
    rec = client.send(xml)
    assert ids(rec) == ["35"] and "secuencial" in rec.messages[0].additional_info


def test_environment_mismatch_is_rejected(client, certs):
    xml, _ = samples.signed_factura(certs(), next(_seq), ambiente="2")
    rec = client.send(xml)
    assert ids(rec) == ["35"] and "Ambiente 2" in rec.messages[0].additional_info


def test_duplicate_sequential_is_45(client, certs):
    seq = next(_seq)
    first, key1 = samples.signed_factura(certs(), seq, numeric_code="11111111")
    second, key2 = samples.signed_factura(certs(), seq, numeric_code="22222222")
    assert client.send(first).outcome is Outcome.RECEIVED
    rec = client.send(second)
    assert ids(rec) == ["45"] and rec.messages[0].message == "SECUENCIAL REGISTRADO" and key1 in rec.reasons[0]
    assert rec.outcome is Outcome.REJECTED
    # another emission point may reuse the number
    third, _ = samples.signed_factura(certs(), seq, pto_emi="002")
    assert client.send(third).outcome is Outcome.RECEIVED


def test_stale_date_is_65(client, certs):
    today = datetime.datetime.now(ECT).date()
    xml, _ = samples.signed_factura(certs(), next(_seq), date=today - datetime.timedelta(days=100))
    rec = client.send(xml)
    assert ids(rec) == ["65"] and rec.messages[0].message == "FECHA EMISIÓN EXTEMPORANEA"
    xml, _ = samples.signed_factura(certs(), next(_seq), date=today - datetime.timedelta(days=89))
    assert client.send(xml).outcome is Outcome.RECEIVED


def test_date_tolerance_boundary(tmp_path, certs):
    day = datetime.date(2025, 3, 1)
    start = datetime.datetime(2025, 3, 1, tzinfo=ECT)
    xml1, _ = samples.signed_factura(certs(), 1, date=day)
    xml2, _ = samples.signed_factura(certs(), 2, date=day)
    with Simulator(port=0, db_path=tmp_path / "a.sqlite3",
                   clock=lambda: start + datetime.timedelta(minutes=129_600)) as s, SriClient(s.url) as c:
        assert c.send(xml1).outcome is Outcome.RECEIVED
    with Simulator(port=0, db_path=tmp_path / "b.sqlite3",
                   clock=lambda: start + datetime.timedelta(minutes=129_601)) as s, SriClient(s.url) as c:
        assert ids(c.send(xml2)) == ["65"]


def test_production_simulator(tmp_path, certs):
    xml, key = samples.signed_factura(certs(), next(_seq), ambiente="2")
    with Simulator(port=0, db_path=tmp_path / "p.sqlite3", environment="2") as s, SriClient(s.url) as c:
        assert c.send(xml).outcome is Outcome.RECEIVED
        assert c.authorize(key).environment == "PRODUCCIÓN"


# ------------------------------------------------------------------------- state

def test_restart_keeps_state(tmp_path, certs):
    db = tmp_path / "state.sqlite3"
    ok, ok_key = samples.signed_factura(certs(), 1)
    no, no_key = samples.signed_factura(certs(), 2, base=5000)
    with Simulator(port=0, db_path=db, knobs={"reject_rule": "importeTotal>1000"}) as s, SriClient(s.url) as c:
        assert c.send(ok).outcome is Outcome.RECEIVED and c.send(no).outcome is Outcome.RECEIVED
        assert c.authorize(ok_key).outcome is Outcome.AUTHORIZED
        first_date = c.authorize(ok_key).date
    with Simulator(port=0, db_path=db) as s, SriClient(s.url) as c:
        again = c.authorize(ok_key)
        assert again.outcome is Outcome.AUTHORIZED and again.date == first_date
        assert c.authorize(no_key).outcome is Outcome.REJECTED
        assert c.send(ok).outcome is Outcome.ALREADY_RECEIVED
        dup, _ = samples.signed_factura(certs(), 1, numeric_code="87654321")
        assert ids(c.send(dup)) == ["45"]
        assert s.store.count() == 2


def test_concurrent_same_key_and_same_sequential(client, certs):
    xml, key = samples.signed_factura(certs(), next(_seq))
    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(lambda _: client.send(xml).outcome, range(8)))
    assert outcomes.count(Outcome.RECEIVED) == 1 and outcomes.count(Outcome.ALREADY_RECEIVED) == 7

    seq = next(_seq)
    variants = [samples.signed_factura(certs(), seq, numeric_code=f"{n:08d}")[0] for n in range(1, 9)]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(client.send, variants))
    assert [r.outcome for r in results].count(Outcome.RECEIVED) == 1
    assert sorted(ids(r) for r in results if r.outcome is not Outcome.RECEIVED) == [["45"]] * 7


# ------------------------------------------------------------------------- wire format

def _post(sim, path, body):
    return requests.post(sim.url + path, data=body, headers={"Content-Type": "text/xml; charset=utf-8",
                                                                "SOAPAction": '""'}, timeout=10)


def _envelope(inner):
    return ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:ec="http://ec.gob.sri.ws.{ns}"><soapenv:Header/><soapenv:Body>' + inner
            + "</soapenv:Body></soapenv:Envelope>")


def test_answer_shapes(sim, certs):
    xml, key = samples.signed_factura(certs(), next(_seq))
    r = _post(sim, RECEPTION_PATH, _envelope(
        "<ec:validarComprobante><xml>%s</xml></ec:validarComprobante>" % base64.b64encode(xml).decode()
    ).format(ns="recepcion"))
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/xml")
    assert '<ns2:validarComprobanteResponse xmlns:ns2="http://ec.gob.sri.ws.recepcion">' in r.text
    root = etree.fromstring(r.content)
    assert root.tag == "{http://schemas.xmlsoap.org/soap/envelope/}Envelope"
    answer = root.find(".//RespuestaRecepcionComprobante")  # unqualified children
    assert answer is not None and answer.findtext("estado") == "RECIBIDA"

    r = _post(sim, AUTHORIZATION_PATH, _envelope(
        "<ec:autorizacionComprobante><claveAccesoComprobante>%s</claveAccesoComprobante>"
        "</ec:autorizacionComprobante>" % key).format(ns="autorizacion"))
    assert '<ns2:autorizacionComprobanteResponse xmlns:ns2="http://ec.gob.sri.ws.autorizacion">' in r.text
    assert "<comprobante><![CDATA[<?xml" in r.text
    item = etree.fromstring(r.content).find(".//RespuestaAutorizacionComprobante/autorizaciones/autorizacion")
    assert item.findtext("estado") == "AUTORIZADO" and item.findtext("numeroAutorizacion") == key
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-05:00", item.findtext("fechaAutorizacion"))
    assert item.findtext("ambiente") == "PRUEBAS" and item.findtext("comprobante").encode() == xml.decode().encode()

    r = _post(sim, AUTHORIZATION_PATH, _envelope(
        "<ec:autorizacionComprobanteLote><claveAccesoLote>%s</claveAccesoLote>"
        "</ec:autorizacionComprobanteLote>" % key).format(ns="autorizacion"))
    assert etree.fromstring(r.content).findtext(".//numeroComprobantesLote") == "1"

    r = _post(sim, AUTHORIZATION_PATH, _envelope("<ec:otraCosa/>").format(ns="autorizacion"))
    assert r.status_code == 500 and "faultstring" in r.text
    r = _post(sim, RECEPTION_PATH, "esto no es SOAP")
    assert r.status_code == 500 and "faultstring" in r.text
    r = _post(sim, RECEPTION_PATH, _envelope("<ec:validarComprobante><xml>%%%</xml></ec:validarComprobante>")
              .format(ns="recepcion"))
    assert r.status_code == 200 and "<identificador>35</identificador>" in r.text


def test_wsdl_served_with_own_address(sim):
    for path in (RECEPTION_PATH, AUTHORIZATION_PATH):
        r = requests.get(sim.url + path + "?wsdl", timeout=5)
        assert r.status_code == 200
        address = etree.fromstring(r.content).find(".//{http://schemas.xmlsoap.org/wsdl/soap/}address")
        assert address.get("location") == sim.url + path
    assert requests.get(sim.url + "/nada", timeout=5).status_code == 404


def test_knob_counters_and_stats(sim, client, certs):
    sim.set_knobs(http_500=2, drop=1, error_70=1)
    status = requests.get(sim.url + "/control", timeout=5).json()
    assert (status["http_500"], status["drop"], status["error_70"]) == (2, 1, 1)
    before = sim.stats()
    xml, key = samples.signed_factura(certs(), next(_seq))
    outcomes = [client.send(xml).outcome for _ in range(5)]
    # drop, 500, 500, then the reception answered 70, then 43
    assert outcomes == [Outcome.RETRY] * 4 + [Outcome.ALREADY_RECEIVED]
    after = sim.stats()
    assert after["dropped"] - before["dropped"] == 1 and after["http_500"] - before["http_500"] == 2
    assert after["requests"] - before["requests"] == 5
    knobs = requests.get(sim.url + "/control", timeout=5).json()
    assert (knobs["http_500"], knobs["drop"], knobs["error_70"]) == (0, 0, 0)
    with pytest.raises(ValueError):
        sim.set_knobs(reject_rule="importeTotal ~ 3")


# ------------------------------------------------------------------------- CLI

def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_cli_simulator_send_authorize(tmp_path, certs, test_ca_pem):
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(HERE)))
    other_ca = testing.new_ca("AC NO RECONOCIDA CLI", key=testing.rsa_key(2048, "other"))
    bundle = tmp_path / "cas.pem"  # one file, two CAs
    bundle.write_bytes(other_ca[1].public_bytes(serialization.Encoding.PEM) + test_ca_pem)
    demo_pem = subprocess.run([sys.executable, "-m", "sri", "demo-ca", "--dir", str(tmp_path / "demo")], env=env,
                              capture_output=True, text=True, check=True).stdout.strip()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sri", "simulator", "--port", str(port), "--db", str(tmp_path / "cli.sqlite3"),
         "--en-proceso-polls", "1", "--reject-rule", "importeTotal>1000", "--trust-ca", str(bundle),
         "--trust-ca", demo_pem],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                knobs = requests.get(url + "/control", timeout=1).json()
                break
            except requests.ConnectionError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read().decode()
                time.sleep(0.1)
        assert knobs["en_proceso_polls"] == 1 and knobs["reject_rule"] == ["importeTotal>1000"]
        assert knobs["db"] == str(tmp_path / "cli.sqlite3")
        cns = ["AC NO RECONOCIDA CLI", testing.CA_COMMON_NAME, testing.DEMO_CA_COMMON_NAME]
        assert len(knobs["trusted_cas"]) == 3
        assert all(f"CN={cn}," in subject for cn, subject in zip(cns, knobs["trusted_cas"]))

        xml, key = samples.signed_factura(certs(), 7)
        doc = tmp_path / "signed.xml"
        doc.write_bytes(xml)

        def run(*args):
            return subprocess.run([sys.executable, "-m", "sri", *args], env=env, capture_output=True, text=True,
                                  timeout=60)

        sent = run("send", str(doc), "--endpoint", url)
        assert sent.returncode == 0 and "outcome: received" in sent.stdout and "state: RECIBIDA" in sent.stdout
        again = run("send", str(doc), "--endpoint", url, "--json")
        data = json.loads(again.stdout)
        assert data["outcome"] == "already_received" and data["messages"][0]["identifier"] == "43"
        out = tmp_path / "autorizado.xml"
        first = run("authorize", key, "--endpoint", url, "-o", str(out))
        assert first.returncode == 3 and "EN PROCESO" in first.stdout and not out.exists()
        second = run("authorize", key, "--endpoint", url, "-o", str(out))
        assert second.returncode == 0 and "outcome: authorized" in second.stdout and key in second.stdout
        wrapper = etree.fromstring(out.read_bytes())
        assert wrapper.findtext("estado") == "AUTORIZADO" and wrapper.findtext("numeroAutorizacion") == key
        signing.verify(wrapper.findtext("comprobante").encode("utf-8"))
    finally:
        proc.terminate()
        proc.wait(10)


def _cli(*args):
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(HERE)))
    return subprocess.run([sys.executable, "-m", "sri", *args], env=env, capture_output=True, text=True, timeout=60)


def test_cli_demo_ca_created_once(tmp_path):
    folder = tmp_path / "run" / "demo-ca"
    first = _cli("demo-ca", "--dir", str(folder))
    assert first.returncode == 0, first.stderr
    pem = first.stdout.strip()
    assert pem == str(folder / "ca.pem") and (folder / "ca-key.pem").exists()
    content = (folder / "ca.pem").read_bytes()
    second = _cli("demo-ca", "--dir", str(folder))
    assert second.stdout.strip() == pem and (folder / "ca.pem").read_bytes() == content
    key, cert = testing.demo_ca(folder)
    assert cert.public_bytes(serialization.Encoding.PEM) == content
    assert testing.DEMO_CA_COMMON_NAME in cert.subject.rfc4514_string()


def test_cli_cert_info_shows_refused_certificates(tmp_path):
    pwd = tmp_path / "pwd"
    pwd.write_text("clave\n")
    cases = {
        "ok.p12": testing.make_p12(password="clave"),
        "cifrado.p12": testing.make_p12(password="clave", key_usage_digital_signature=False),
        "caducado.p12": testing.make_p12(password="clave", expired=True),
    }
    out = {}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        run = _cli("cert-info", "--p12", str(tmp_path / name), "--password-file", str(pwd))
        assert run.returncode == 0, run.stderr
        out[name] = json.loads(run.stdout)
    assert out["ok.p12"]["usable"] is True and out["ok.p12"]["refused"] is None
    assert "digitalSignature" in out["ok.p12"]["key_usage"] and out["ok.p12"]["ruc"] == RUC
    refused = out["cifrado.p12"]
    assert refused["usable"] is False and "digitalSignature" in refused["refused"]
    assert refused["key_usage"] == ["keyEncipherment", "dataEncipherment"] and refused["ruc"] == RUC
    assert "EMPRESA DE PRUEBAS" in refused["subject"] and testing.CA_COMMON_NAME in refused["issuer"]
    roles = sorted((c["private_key"], c["shown"]) for c in refused["certificates"])
    assert roles == [(False, False), (True, True)]  # the CA, and the certificate of the key (shown)
    expired = out["caducado.p12"]
    assert expired["usable"] is False and expired["expired"] is True and "caducado" in expired["refused"]
    (tmp_path / "bad").write_text("otra")
    run = _cli("cert-info", "--p12", str(tmp_path / "ok.p12"), "--password-file", str(tmp_path / "bad"))
    assert run.returncode == 2 and "contraseña" in run.stderr
