"""Complete export of a company (format l10n_ec_sri.export v1): parts, assembly, reading, verify,
restore over XML-RPC, ``python -m sri export``."""

import base64
import datetime
import hashlib
import json
import os
import threading
import tracemalloc
import zipfile
from xmlrpc.server import MultiPathXMLRPCServer, SimpleXMLRPCDispatcher, SimpleXMLRPCRequestHandler

import pytest

from sri import access_key, archive
from sri.__main__ import main
from sri.archive import Archive, ArchiveError, PartWriter, assemble, restore, verify
from sri.errors import SriError

RUC = "1790016919001"
COMPANY = {"ruc": RUC, "name": "Compañía Ñandú S.A."}
AUTH_DATE = "2024-05-02T10:00:00-05:00"


def make_key(sequential, day=2):
    return access_key.build(datetime.date(2024, 5, day), "01", RUC, "1", "001", "001", sequential,
                            numeric_code=f"{sequential:08d}")


def comprobante(key):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<factura id="comprobante" version="1.1.0">'
            f"<infoTributaria><ambiente>1</ambiente><razonSocial>Compañía Ñandú</razonSocial>"
            f"<claveAcceso>{key}</claveAcceso></infoTributaria></factura>")


def authorized(key, number=None, inner_key=None):
    """SRI's <autorizacion> envelope with the comprobante as CDATA."""
    return ("<autorizacion><estado>AUTORIZADO</estado>"
            f"<numeroAutorizacion>{number or key}</numeroAutorizacion>"
            f"<fechaAutorizacion>{AUTH_DATE}</fechaAutorizacion><ambiente>PRUEBAS</ambiente>"
            f"<comprobante><![CDATA[{comprobante(inner_key or key)}]]></comprobante>"
            "</autorizacion>").encode("utf-8")


def pdf(size=2000):
    return b"%PDF-1.4\n" + os.urandom(size)


def document(key, authorized_number=True):
    return {"access_key": key, "kind": "out_invoice", "state": "authorized" if authorized_number else "signed",
            "number": access_key.parse(key).document_number,
            "authorization_number": key if authorized_number else None,
            "authorization_date": AUTH_DATE if authorized_number else None,
            "partner_vat": "0926531732", "partner_name": "José Ñáñez"}


@pytest.fixture
def built(tmp_path):
    """Two parts assembled: what was written (objects, files) and the archive's path."""
    k1, k2, k3, k4 = (make_key(n) for n in (1, 2, 3, 4))
    files = {archive.xml_member(k1): authorized(k1), archive.ride_member(k1): pdf(),
             archive.xml_member(k2): comprobante(k2).encode(), archive.xml_member(k3): authorized(k3)}
    partners = [{"vat": "0926531732", "name": "José Ñáñez"}, {"vat": "1790016919001", "name": "B"},
                {"vat": "9999999999999", "name": "Consumidor final"}]
    products = [{"default_code": "P1", "name": "Café"}]
    part1, part2 = tmp_path / "part-1.zip", tmp_path / "part-2.zip"
    with PartWriter(part1) as w:
        w.add("partners", partners[0])
        w.add("products", products[0])
        w.add("partners", partners[1])
        w.add_document(document(k1), xml=files[archive.xml_member(k1)], ride=files[archive.ride_member(k1)])
        w.add_document(document(k2, False), xml=files[archive.xml_member(k2)])
    assert w.counts == {"partners": 2, "products": 1, "documents": 2, "xml": 2, "ride": 1}
    with PartWriter(part2) as w:
        w.add("partners", partners[2])
        w.add_document(document(k3), xml=files[archive.xml_member(k3)])
        w.add_document(document(k4, False))  # signed, never sent: no XML kept
    out = tmp_path / "export.zip"
    manifest = assemble([part1, part2], out, COMPANY, extra={"odoo_version": "18.0"})
    return {"path": out, "parts": [part1, part2], "manifest": manifest, "files": files, "keys": [k1, k2, k3, k4],
            "partners": partners, "products": products}


def rewrite(src, dst, replace=None, drop=(), manifest=None):
    """A copy of an archive with members replaced, dropped or the manifest changed (test data only)."""
    replace = dict(replace or {})
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            if name in drop:
                continue
            data = replace.pop(name, None) or zin.read(name)
            if name == "manifest.json" and manifest:
                data = json.dumps(manifest(json.loads(data))).encode()
            zout.writestr(name, data)
        for name, data in replace.items():
            zout.writestr(name, data)
    return dst


# ------------------------------------------------------------------------------------ writing and reading

def test_assembled_archive_reads_back_what_was_written(built):
    k1, k2, k3, k4 = built["keys"]
    with Archive(built["path"]) as a:
        m = a.manifest
        assert m["format"] == "l10n_ec_sri.export" and m["version"] == 1
        assert m["company"] == COMPANY
        assert m["counts"] == {"partners": 3, "products": 1, "documents": 4, "xml": 3, "ride": 1}
        assert m["streams"] == {"partners": "partners.jsonl", "products": "products.jsonl",
                                "documents": "documents.jsonl"}
        assert m["odoo_version"] == "18.0"
        created = datetime.datetime.fromisoformat(m["created"].replace("Z", "+00:00"))
        assert created.utcoffset() == datetime.timedelta(0)
        assert m == built["manifest"]
        assert list(a.iter("partners")) == built["partners"]  # part order, then line order
        assert list(a.iter("products")) == built["products"]
        docs = list(a.iter("documents"))
        assert [d["access_key"] for d in docs] == [k1, k2, k3, k4]
        for name, data in built["files"].items():
            assert a.read(name) == data
        assert docs[0]["xml"] == archive.xml_member(k1) and docs[0]["ride"] == archive.ride_member(k1)
        assert docs[0]["xml_sha256"] == hashlib.sha256(built["files"][docs[0]["xml"]]).hexdigest()
        assert docs[0]["ride_sha256"] == hashlib.sha256(built["files"][docs[0]["ride"]]).hexdigest()
        assert docs[2]["ride"] is None and docs[2]["ride_sha256"] is None
        assert docs[3]["xml"] is None and docs[3]["xml_sha256"] is None
        assert docs[0]["partner_name"] == "José Ñáñez"
        members = a.members()
        assert members[-1] == "manifest.json"
        assert members[-4:-1] == ["partners.jsonl", "products.jsonl", "documents.jsonl"]
        assert set(members[:-4]) == set(built["files"])
    with zipfile.ZipFile(built["path"]) as z:
        assert z.getinfo(archive.ride_member(k1)).compress_type == zipfile.ZIP_STORED
        assert z.getinfo(archive.xml_member(k1)).compress_type == zipfile.ZIP_DEFLATED
        assert "José Ñáñez" in z.read("documents.jsonl").decode("utf-8")  # ensure_ascii=False
        assert z.read("partners.jsonl").count(b"\n") == 3
    assert verify(built["path"]) == []
    assert not os.path.exists(str(built["path"]) + ".tmp")


def test_archive_refuses_what_is_not_an_export(tmp_path):
    with pytest.raises(ArchiveError, match="ZIP"):
        Archive(tmp_path / "missing.zip")
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as z:
        z.writestr("a.txt", "x")
    with pytest.raises(ArchiveError, match="no manifest.json"):
        Archive(plain)
    with pytest.raises(ArchiveError, match="unknown stream"):
        PartWriter(tmp_path / "p.zip").add("invoices", {})


def test_a_part_is_atomic(tmp_path):
    part = tmp_path / "part.zip"
    with pytest.raises(RuntimeError):
        with PartWriter(part) as w:
            w.add("partners", {"vat": "1"})
            w.add_document(document(make_key(1)), xml=authorized(make_key(1)), ride=pdf())
            assert os.path.exists(str(part) + ".tmp") and not part.exists()
            raise RuntimeError("the job was killed")
    assert not part.exists() and not os.path.exists(str(part) + ".tmp")
    with PartWriter(part) as w:
        w.add("partners", {"vat": "1"})
    assert part.exists() and not os.path.exists(str(part) + ".tmp")
    with zipfile.ZipFile(part) as z:
        assert z.read("partners.jsonl") == b'{"vat": "1"}\n'
        assert z.read("documents.jsonl") == b""
    with pytest.raises(ArchiveError, match="already closed"):
        w.add("partners", {})


def test_a_part_refuses_a_file_twice_and_reserved_names(tmp_path):
    key = make_key(1)
    with PartWriter(tmp_path / "p.zip") as w:
        w.add_document(document(key), xml=authorized(key))
        with pytest.raises(ArchiveError, match="already in the part"):
            w.add_file(archive.xml_member(key), b"<x/>")
        for name in ("manifest.json", "documents.jsonl", "../evil", "/abs"):
            with pytest.raises(ArchiveError, match="cannot be the name"):
                w.add_file(name, b"x")
        with pytest.raises(ArchiveError, match="49 digits"):
            w.add_document({"access_key": "123"})


def test_assemble_refuses_a_key_twice(tmp_path):
    key = make_key(7)
    parts = []
    for n in (1, 2):
        parts.append(tmp_path / f"p{n}.zip")
        with PartWriter(parts[-1]) as w:
            w.add_document(document(key), xml=authorized(key))
    out = tmp_path / "export.zip"
    with pytest.raises(ArchiveError, match=f"{archive.xml_member(key)} is twice"):
        assemble(parts, out, COMPANY)
    assert not out.exists() and not os.path.exists(str(out) + ".tmp")
    for n, part in enumerate(parts):  # the same document without files: caught on its line
        with PartWriter(part) as w:
            w.add_document(document(key))
    with pytest.raises(ArchiveError, match=f"document {key} is twice"):
        assemble(parts, out, COMPANY)
    assert not out.exists() and not os.path.exists(str(out) + ".tmp")


def test_assemble_needs_the_company_ruc_and_keeps_reserved_keys(tmp_path):
    with pytest.raises(ArchiveError, match="RUC"):
        assemble([], tmp_path / "e.zip", {"name": "X"})
    with pytest.raises(ArchiveError, match="counts"):
        assemble([], tmp_path / "e.zip", COMPANY, extra={"counts": {}})
    manifest = assemble([], tmp_path / "e.zip", COMPANY)
    assert manifest["counts"] == dict.fromkeys(("partners", "products", "documents", "xml", "ride"), 0)
    assert verify(tmp_path / "e.zip") == []


def test_assembling_big_parts_keeps_memory_bounded(tmp_path):
    """30 MB of RIDEs (random bytes: incompressible) go through in blocks."""
    parts, n = [], 0
    for p in range(3):
        parts.append(tmp_path / f"part-{p}.zip")
        with PartWriter(parts[-1]) as w:
            for _ in range(10):
                n += 1
                key = make_key(n)
                w.add("partners", {"vat": f"{n:010d}", "name": "x" * 200})
                w.add_document(document(key), xml=authorized(key), ride=pdf(1 << 20))
    out = tmp_path / "export.zip"
    tracemalloc.start()
    try:
        manifest = assemble(parts, out, COMPANY)
        assembling = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        problems = verify(out)
        verifying = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert manifest["counts"] == {"partners": 30, "products": 0, "documents": 30, "xml": 30, "ride": 30}
    assert problems == []
    assert out.stat().st_size > 30 << 20
    assert assembling < 6 << 20, f"assemble peaked at {assembling / 2**20:.1f} MiB"
    assert verifying < 6 << 20, f"verify peaked at {verifying / 2**20:.1f} MiB"


# ------------------------------------------------------------------------------------ verify

def _only(problems, *words):
    assert problems, "the archive should not be sound"
    assert any(all(w in p for w in words) for p in problems), problems


def test_verify_finds_a_tampered_xml(built, tmp_path):
    k1 = built["keys"][0]
    name = archive.xml_member(k1)
    tampered = built["files"][name].replace(b"AUTORIZADO", b"NO AUTORIZADO")
    problems = verify(rewrite(built["path"], tmp_path / "t.zip", replace={name: tampered}))
    _only(problems, k1, name, "sha256")
    assert len(problems) == 1


def test_verify_finds_a_claveacceso_of_another_document(tmp_path):
    key, other = make_key(1), make_key(2)
    part = tmp_path / "p.zip"
    with PartWriter(part) as w:
        w.add_document(document(key), xml=authorized(key, inner_key=other))  # consistent sha256
    assemble([part], tmp_path / "e.zip", COMPANY)
    problems = verify(tmp_path / "e.zip")
    _only(problems, "claveAcceso", other)
    assert len(problems) == 1


def test_verify_reads_the_claveacceso_of_a_bare_or_escaped_comprobante(tmp_path):
    key, other = make_key(1), make_key(2)
    escaped = (f"<autorizacion><numeroAutorizacion>{key}</numeroAutorizacion><comprobante>"
               + comprobante(other).replace("&", "&amp;").replace("<", "&lt;") + "</comprobante></autorizacion>")
    part = tmp_path / "p.zip"
    with PartWriter(part) as w:
        w.add_document(document(key), xml=escaped.encode())
        w.add_document(document(other, False), xml=comprobante(key))
        w.add_document(document(make_key(3), False), xml=comprobante(make_key(3)))
    assemble([part], tmp_path / "e.zip", COMPANY)
    problems = verify(tmp_path / "e.zip")
    assert len(problems) == 2, problems
    _only(problems, "xml/" + key, "claveAcceso " + other)
    _only(problems, "xml/" + other, "claveAcceso " + key)


def test_verify_finds_an_authorization_number_of_another_document(tmp_path):
    key = make_key(1)
    part = tmp_path / "p.zip"
    with PartWriter(part) as w:
        w.add_document(document(key), xml=authorized(key, number="1" * 49))
    assemble([part], tmp_path / "e.zip", COMPANY)
    problems = verify(tmp_path / "e.zip")
    _only(problems, "numeroAutorizacion", "1" * 49, "authorization_number")
    assert len(problems) == 1


def test_verify_finds_a_missing_member(built, tmp_path):
    name = archive.ride_member(built["keys"][0])
    problems = verify(rewrite(built["path"], tmp_path / "t.zip", drop={name}))
    _only(problems, name, "missing")
    _only(problems, "counts 1 ride", "has 0 files under ride/")


def test_verify_finds_a_wrong_count(built, tmp_path):
    def more_partners(m):
        m["counts"]["partners"] += 1
        return m
    problems = verify(rewrite(built["path"], tmp_path / "t.zip", manifest=more_partners))
    assert problems == ["manifest.json counts 4 partners but the archive has 3 lines in partners.jsonl"]


def test_verify_finds_a_bad_check_digit(tmp_path):
    good = make_key(5)
    bad = good[:48] + str((int(good[48]) + 1) % 10)
    part = tmp_path / "p.zip"
    with PartWriter(part) as w:
        w.add_document(document(good) | {"access_key": bad, "authorization_number": bad}, xml=authorized(bad))
    assemble([part], tmp_path / "e.zip", COMPANY)
    problems = verify(tmp_path / "e.zip")
    _only(problems, bad, "check digit", good[48])
    assert len(problems) == 1


def test_verify_finds_other_problems(built, tmp_path):
    _only(verify(tmp_path / "nothing.zip"), "nothing.zip cannot be opened as a ZIP archive", "No such file")
    other = rewrite(built["path"], tmp_path / "f.zip", manifest=lambda m: m | {"format": "other"})
    assert verify(other) == ["manifest.json says format 'other', not 'l10n_ec_sri.export'"]
    newer = rewrite(built["path"], tmp_path / "v.zip", manifest=lambda m: m | {"version": 2})
    _only(verify(newer), "version 2")
    k1 = built["keys"][0]
    orphan = rewrite(built["path"], tmp_path / "o.zip", replace={archive.xml_member("9" * 49): b"<x/>"})
    _only(verify(orphan), "xml/" + "9" * 49, "belongs to no document")
    with PartWriter(tmp_path / "p.zip") as w:
        w.add_document(document(k1), xml=authorized(k1), ride=b"<html/>")
    assemble([tmp_path / "p.zip"], tmp_path / "r.zip", COMPANY)
    ride = archive.ride_member(k1)
    assert verify(tmp_path / "r.zip") == [f"document {k1} (documents.jsonl line 1): {ride} is not a PDF"]
    broken = rewrite(built["path"], tmp_path / "b.zip", replace={"documents.jsonl": b'{"access_key": 1}\n{oops\n'})
    problems = verify(broken)
    _only(problems, "lacks kind")
    _only(problems, "line 2 is not valid JSON")


def test_verify_finds_a_damaged_member(built, tmp_path):
    name = archive.ride_member(built["keys"][0])
    data = bytearray(built["path"].read_bytes())
    at = data.find(built["files"][name][100:200])  # stored: the RIDE's bytes are in the file as they are
    data[at] ^= 0xFF
    damaged = tmp_path / "d.zip"
    damaged.write_bytes(bytes(data))
    problems = verify(damaged)
    _only(problems, name, "is damaged", "CRC")
    assert len(problems) == 1


# ------------------------------------------------------------------------------------ command line

def test_cli_verify(built, tmp_path, capsys):
    assert main(["export", "verify", str(built["path"])]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["sound"] is True and summary["problems"] == []
    assert summary["counts"] == built["manifest"]["counts"]
    assert summary["company"]["ruc"] == RUC
    name = archive.ride_member(built["keys"][0])
    broken = rewrite(built["path"], tmp_path / "t.zip", drop={name})
    assert main(["export", "verify", str(broken)]) == 1
    summary = json.loads(capsys.readouterr().out)
    assert summary["sound"] is False and any(name in p for p in summary["problems"])
    assert main(["export", "verify", str(tmp_path / "none.zip")]) == 1
    assert "counts" not in json.loads(capsys.readouterr().out)


# ------------------------------------------------------------------------------------ restore

class _Handler(SimpleXMLRPCRequestHandler):
    rpc_paths = ()  # every path: the dispatchers tell /xmlrpc/2/common from /xmlrpc/2/object


class FakeOdoo:
    """An Odoo-like XML-RPC server on 127.0.0.1: records the restore_batch payloads and skips
    what it already has."""

    def __init__(self):
        self.calls = []
        self.logins = []
        self.seen = set()
        self.server = MultiPathXMLRPCServer(("127.0.0.1", 0), _Handler, logRequests=False, allow_none=True)
        for path, name, func in (("/xmlrpc/2/common", "authenticate", self.authenticate),
                                 ("/xmlrpc/2/object", "execute_kw", self.execute_kw)):
            dispatcher = SimpleXMLRPCDispatcher(allow_none=True)
            dispatcher.register_function(func, name)
            self.server.add_dispatcher(path, dispatcher)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def authenticate(self, db, login, password, context):
        self.logins.append((db, login))
        return 7 if (db, login, password) == ("db1", "admin", "secret") else False

    def execute_kw(self, db, uid, password, model, method, args):
        assert (db, uid, password, model, method) == ("db1", 7, "secret", "l10n_ec_sri.export", "restore_batch")
        (payload,) = args
        self.calls.append(payload)
        stream = next(s for s in ("partners", "products", "documents") if s in payload)
        created = 0
        for obj in payload[stream]:
            ident = (stream, obj.get("vat") or obj.get("default_code") or obj.get("access_key"))
            if ident not in self.seen:
                self.seen.add(ident)
                created += 1
        return {"created": created, "skipped": len(payload[stream]) - created}


@pytest.fixture
def odoo():
    fake = FakeOdoo()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()
    fake.thread.join(5)


def test_restore_sends_partners_then_documents_in_batches(built, odoo):
    lines = []
    totals = restore(built["path"], odoo.url + "/", "db1", "admin", "secret", batch_size=2, out=lines.append)
    assert totals == {"partners_created": 3, "partners_skipped": 0, "products_created": 1, "products_skipped": 0,
                      "documents_created": 4, "documents_skipped": 0}
    kinds = [next(s for s in ("partners", "products", "documents") if s in c) for c in odoo.calls]
    assert kinds == ["partners", "partners", "products", "documents", "documents"]
    assert [len(c[k]) for c, k in zip(odoo.calls, kinds)] == [2, 1, 1, 2, 2]
    for call, kind in zip(odoo.calls, kinds):
        assert set(call) == {"format", "version", "company_ruc", kind}
        assert (call["format"], call["version"], call["company_ruc"]) == ("l10n_ec_sri.export", 1, RUC)
    assert [p for c in odoo.calls[:2] for p in c["partners"]] == built["partners"]
    assert odoo.calls[2]["products"] == built["products"]
    docs = [d for c in odoo.calls[3:] for d in c["documents"]]
    assert [d["access_key"] for d in docs] == built["keys"]
    for doc in docs:
        for field in ("xml", "ride"):
            if doc[field]:
                assert base64.b64decode(doc[f"{field}_b64"]) == built["files"][doc[field]]
            else:
                assert doc[f"{field}_b64"] is None
    assert docs[0]["ride_b64"] and docs[3]["xml_b64"] is None
    assert lines == ["partners: 2/3 sent, 2 created, 0 skipped", "partners: 3/3 sent, 3 created, 0 skipped",
                     "products: 1/1 sent, 1 created, 0 skipped",
                     "documents: 2/4 sent, 2 created, 0 skipped", "documents: 4/4 sent, 4 created, 0 skipped"]
    # run again (a restore that stopped half-way): the server skips what it has
    again = restore(built["path"], odoo.url, "db1", "admin", "secret", batch_size=100, out=lines.append)
    assert again == {"partners_created": 0, "partners_skipped": 3, "products_created": 0, "products_skipped": 1,
                     "documents_created": 0, "documents_skipped": 4}
    assert [len(c.get("partners") or c.get("products") or c.get("documents")) for c in odoo.calls[5:]] == [3, 1, 4]


def test_restore_refuses_a_wrong_login_or_company(built, odoo):
    with pytest.raises(SriError, match="login refused"):
        restore(built["path"], odoo.url, "db1", "admin", "wrong", out=lambda line: None)
    with pytest.raises(SriError, match="not of 0999999999001"):
        restore(built["path"], odoo.url, "db1", "admin", "secret", company_ruc="0999999999001")
    assert odoo.calls == []
    assert odoo.logins == [("db1", "admin")]


def test_restore_refuses_an_unsound_archive_before_any_call(built, odoo, tmp_path):
    broken = rewrite(built["path"], tmp_path / "t.zip", drop={archive.ride_member(built["keys"][0])})
    with pytest.raises(SriError, match="not sound, nothing was restored") as info:
        restore(broken, odoo.url, "db1", "admin", "secret")
    assert "missing" in str(info.value)
    assert odoo.logins == [] and odoo.calls == []


def test_restore_reports_an_unreachable_server(built, odoo):
    url = odoo.url
    odoo.server.shutdown()
    odoo.server.server_close()
    with pytest.raises(SriError, match="cannot log in"):
        restore(built["path"], url, "db1", "admin", "secret")


def test_cli_restore(built, odoo, capsys, monkeypatch):
    monkeypatch.setenv("SRI_ODOO_PASSWORD", "secret")
    argv = ["export", "restore", str(built["path"]), "--url", odoo.url, "--db", "db1", "--login", "admin"]
    assert main(argv + ["--batch", "3"]) == 0
    out = capsys.readouterr().out
    assert "documents: 3/4 sent" in out and "partners: 3/3 sent" in out
    assert json.loads(out[out.index("{"):]) == {"partners_created": 3, "partners_skipped": 0, "products_created": 1,
                                                "products_skipped": 0, "documents_created": 4, "documents_skipped": 0}
    assert main(argv + ["--password", "wrong"]) == 2
    assert "login refused" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(argv + ["--batch", "0"])


# ------------------------------------------------------------------------------------ one document, restoring

def _line(key, xml=None, ride=None, **values):
    doc = {**document(key), "environment": "1", **values}
    for field, data in (("xml", xml), ("ride", ride)):
        doc[f"{field}_sha256"] = hashlib.sha256(data).hexdigest() if data is not None else None
    return doc


def test_check_document_accepts_a_sound_document():
    key = make_key(1)
    xml, ride = authorized(key), pdf()
    assert archive.check_document(_line(key, xml, ride), xml=xml, ride=ride) == []
    signed = comprobante(key).encode()
    assert archive.check_document(_line(key, signed, state="signed", authorization_number=None), xml=signed) == []


@pytest.mark.parametrize("case, words", [
    ("bad key", ["check digit"]),
    ("other environment", ["environment is '2'", "key's is 1"]),
    ("no sha256", ["without xml_sha256"]),
    ("wrong sha256", ["does not match xml_sha256"]),
    ("other claveAcceso", ["claveAcceso"]),
    ("other authorization", ["numeroAutorizacion", "1" * 49]),
    ("ride not a pdf", ["ride is not a PDF"]),
    ("authorized without xml", ["authorized but comes without its XML"]),
])
def test_check_document_finds_each_problem(case, words):
    key = make_key(1)
    xml, ride = authorized(key), pdf()
    doc = _line(key, xml, ride)
    if case == "bad key":
        doc["access_key"] = key[:48] + str((int(key[48]) + 1) % 10)
    elif case == "other environment":
        doc["environment"] = "2"
    elif case == "no sha256":
        doc["xml_sha256"] = None
    elif case == "wrong sha256":
        xml = xml.replace(b"AUTORIZADO", b"NO AUTORIZADO")
    elif case == "other claveAcceso":
        xml = authorized(key, inner_key=make_key(2))
        doc["xml_sha256"] = hashlib.sha256(xml).hexdigest()
    elif case == "other authorization":
        xml = authorized(key, number="1" * 49)
        doc["xml_sha256"] = hashlib.sha256(xml).hexdigest()
    elif case == "ride not a pdf":
        ride = b"<html>not a pdf</html>"
        doc["ride_sha256"] = hashlib.sha256(ride).hexdigest()
    elif case == "authorized without xml":
        xml = None
    problems = archive.check_document(doc, xml=xml, ride=ride)
    assert len(problems) == 1, problems
    _only(problems, *words)


def test_check_document_wants_the_authorization_of_an_authorized_document():
    key = make_key(1)
    bare = comprobante(key).encode()
    problems = archive.check_document(_line(key, bare), xml=bare)
    assert len(problems) == 1, problems
    _only(problems, "not the SRI's <autorizacion>")


def test_verify_wants_the_authorization_of_authorized_documents(tmp_path):
    key, bare = make_key(1), make_key(2)
    part = tmp_path / "p.zip"
    with PartWriter(part) as w:
        w.add_document(document(key))  # authorized, no XML
        w.add_document(document(bare), xml=comprobante(bare))  # authorized, bare comprobante
    assemble([part], tmp_path / "e.zip", COMPANY)
    problems = verify(tmp_path / "e.zip")
    assert len(problems) == 2, problems
    _only(problems, key, "authorized but comes without its XML")
    _only(problems, bare, "not the SRI's <autorizacion>")
