"""The complete export of a company: one ZIP with every electronic document (format
``l10n_ec_sri.export``, version 1).

Layout of the ZIP::

    xml/<access_key>.xml     the authorized XML (SRI's <autorizacion>) or the bare signed comprobante
    ride/<access_key>.pdf    the RIDE
    partners.jsonl           JSON Lines: one UTF-8 JSON object a line
    products.jsonl
    documents.jsonl          one line a document: access_key, kind, state, number, authorization_*,
                             xml/ride (member name or null) and their sha256, partner_vat, partner_name
    manifest.json            format, version, created (UTC), company, counts, streams (written last)

It is written in parts, so that a background job can stop and resume at the next part::

    with PartWriter("/tmp/part-0001.zip") as part:      # a complete small zip, or no file at all
        part.add("partners", {"vat": "0926531732", "name": "..."})
        part.add_document({"access_key": key, ...}, xml=xml_bytes, ride=pdf_bytes)
    assemble(["/tmp/part-0001.zip", ...], "/tmp/export.zip", {"ruc": "...", "name": "..."})

then read (:class:`Archive`), checked (:func:`verify`) and loaded into an Odoo database over
XML-RPC (:func:`restore`). Everything is streamed: memory stays bounded whatever the archive's size.
"""

import base64
import contextlib
import datetime
import hashlib
import json
import os
import re
import shutil
import tempfile
import xmlrpc.client
import zipfile
import zlib

from lxml import etree

from . import access_key
from .constants import safe_parser
from .errors import SriError, SriValidationError

FORMAT = "l10n_ec_sri.export"
VERSION = 1
STREAMS = ("partners", "products", "documents")
MANIFEST = "manifest.json"
#: what the counts of the manifest count: the streams' lines and the files by folder
COUNTS = STREAMS + ("xml", "ride")
#: the keys every line of documents.jsonl has
DOCUMENT_KEYS = ("access_key", "kind", "state", "number", "authorization_number", "authorization_date",
                 "xml", "xml_sha256", "ride", "ride_sha256", "partner_vat", "partner_name")

#: copy block size, and how much of a stream a part keeps in memory before spilling to disk
BLOCK = 1 << 20
_MAX_PROBLEMS = 1000
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


class ArchiveError(SriError):
    """An export archive that cannot be written, read or restored."""


def xml_member(key: str) -> str:
    """Member name of a document's XML."""
    return f"xml/{key}.xml"


def ride_member(key: str) -> str:
    """Member name of a document's RIDE."""
    return f"ride/{key}.pdf"


def stream_member(stream: str) -> str:
    """Member name of a stream (``partners`` → ``partners.jsonl``)."""
    return f"{stream}.jsonl"


def _check_stream(stream):
    if stream not in STREAMS:
        raise ArchiveError(f"unknown stream {stream!r}: use one of {', '.join(STREAMS)}")


def _folder_count(name):
    """``xml`` or ``ride`` for the members the manifest counts, else None."""
    folder = name.partition("/")[0]
    return folder if folder in ("xml", "ride") and "/" in name else None


def _now_tuple():
    return datetime.datetime.now(datetime.timezone.utc).timetuple()[:6]


def _fsync_replace(file, path):
    """Flush and sync ``file`` (open on ``path + ".tmp"``), close it and move it to ``path``."""
    file.flush()
    os.fsync(file.fileno())
    file.close()
    os.replace(file.name, path)


def _discard(file):
    file.close()
    try:
        os.remove(file.name)
    except FileNotFoundError:
        pass


# ------------------------------------------------------------------------------------ writing

class PartWriter:
    """One part of an export: a complete zip at ``path`` once closed, nothing there before.

    Stream lines are buffered in a spooled temporary file per stream (a zip cannot have two
    members open) and become ``<stream>.jsonl`` on close. Leaving the ``with`` block with an
    exception discards the part. ``counts`` (lines per stream, files under xml/ and ride/) is
    filled as the part is written."""

    def __init__(self, path):
        self.path = os.fspath(path)
        self.counts = dict.fromkeys(COUNTS, 0)
        self._file = self._zip = None
        self._state = None  # "closed" once written, "aborted" once discarded
        self._buffers = {}
        self._names = set()
        self._date_time = _now_tuple()

    def __enter__(self):
        return self.open()

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def open(self):
        """Start writing (``path + ".tmp"``); the ``with`` statement calls it."""
        if self._state:
            raise ArchiveError(f"the part {self.path} is already {self._state}")
        if self._zip is None:
            self._file = open(self.path + ".tmp", "wb")
            self._zip = zipfile.ZipFile(self._file, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        return self

    def add(self, stream: str, obj: dict):
        """Append ``obj`` as one JSON line of ``stream``."""
        _check_stream(stream)
        self.open()
        buffer = self._buffers.get(stream)
        if buffer is None:
            buffer = self._buffers[stream] = tempfile.SpooledTemporaryFile(max_size=BLOCK)
        buffer.write(json.dumps(obj, ensure_ascii=False).encode("utf-8") + b"\n")
        self.counts[stream] += 1

    def add_file(self, name: str, data: bytes):
        """Write the member ``name`` at once: stored for a PDF (already compressed), deflated otherwise."""
        self.open()
        if name in self._names:
            raise ArchiveError(f"{name} is already in the part {self.path}")
        reserved = name == MANIFEST or name in map(stream_member, STREAMS)
        if reserved or not name or name.startswith("/") or ".." in name.split("/"):
            raise ArchiveError(f"{name!r} cannot be the name of a file of the archive")
        if isinstance(data, str):
            data = data.encode("utf-8")
        info = zipfile.ZipInfo(name, self._date_time)
        info.compress_type = zipfile.ZIP_STORED if name.lower().endswith(".pdf") else zipfile.ZIP_DEFLATED
        self._zip.writestr(info, data)
        self._names.add(name)
        folder = _folder_count(name)
        if folder:
            self.counts[folder] += 1

    def add_document(self, obj: dict, xml: bytes = None, ride: bytes = None) -> dict:
        """Write a document's XML and RIDE (when given) and its line; sets ``xml``, ``xml_sha256``,
        ``ride`` and ``ride_sha256`` of ``obj`` (None for a file not given) and returns it."""
        key = str(obj.get("access_key") or "")
        if len(key) != 49 or not key.isdigit():
            raise ArchiveError(f"a document needs its access key (49 digits), not {key!r}")
        for field, data, member in (("xml", xml, xml_member(key)), ("ride", ride, ride_member(key))):
            if isinstance(data, str):
                data = data.encode("utf-8")
            if data is None:
                obj[field] = obj[f"{field}_sha256"] = None
                continue
            self.add_file(member, data)
            obj[field] = member
            obj[f"{field}_sha256"] = hashlib.sha256(data).hexdigest()
        self.add("documents", obj)
        return obj

    def close(self):
        """Write the streams, then move the complete part to ``path``."""
        if self._state == "closed":
            return
        self.open()
        try:
            for stream in STREAMS:
                info = zipfile.ZipInfo(stream_member(stream), self._date_time)
                info.compress_type = zipfile.ZIP_DEFLATED
                with self._zip.open(info, "w", force_zip64=True) as dst:
                    buffer = self._buffers.get(stream)
                    if buffer is not None:
                        buffer.seek(0)
                        shutil.copyfileobj(buffer, dst, BLOCK)
            self._zip.close()
            _fsync_replace(self._file, self.path)
        except BaseException:
            self.abort()
            raise
        self._state = "closed"
        self._close_buffers()

    def abort(self):
        """Discard the part: ``path + ".tmp"`` is removed, ``path`` is not touched."""
        if self._state == "closed":
            return
        if self._zip is not None:
            try:
                self._zip.close()
            except Exception:  # a half-written member: the file goes anyway
                pass
            _discard(self._file)
        self._state = "aborted"
        self._close_buffers()

    def _close_buffers(self):
        for buffer in self._buffers.values():
            buffer.close()
        self._buffers.clear()


def _copy_member(zin, info, zout):
    """Copy one member as it is (name, date, compression), in blocks."""
    target = zipfile.ZipInfo(info.filename, info.date_time)
    target.compress_type = info.compress_type
    target.external_attr = info.external_attr
    with zin.open(info) as src, zout.open(target, "w", force_zip64=True) as dst:
        shutil.copyfileobj(src, dst, BLOCK)


def _copy_lines(src, dst, part, keys):
    """Copy the lines of a part's stream; returns how many. ``keys`` collects the documents'
    access keys (a key twice is an error)."""
    count = 0
    for line in src:
        if not line.strip():
            continue
        if not line.endswith(b"\n"):
            line += b"\n"
        if keys is not None:
            key = _line_key(line, part)
            if key in keys:
                raise ArchiveError(f"the document {key} is twice in the export (again in {part})")
            keys.add(key)
        dst.write(line)
        count += 1
    return count


def _line_key(line, part):
    try:
        return json.loads(line)["access_key"]
    except (ValueError, TypeError, KeyError):
        raise ArchiveError(f"a line of documents.jsonl in {part} is not a document with an access_key") from None


def assemble(part_paths, out_path, company: dict, extra: dict = None) -> dict:
    """Join the parts into the export at ``out_path`` (written to ``out_path + ".tmp"`` first):
    every file of every part, then each stream (the parts' lines in order), then manifest.json.
    A file or a document in two parts raises :class:`ArchiveError`. Returns the manifest."""
    out_path = os.fspath(out_path)
    part_paths = [os.fspath(p) for p in part_paths]
    manifest = _new_manifest(company, extra)
    counts = manifest["counts"]
    file = open(out_path + ".tmp", "wb")
    try:
        with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zout:
            _copy_files(part_paths, zout, counts)
            date_time = _now_tuple()
            for stream in STREAMS:
                counts[stream] = _join_stream(part_paths, zout, stream, date_time)
            info = zipfile.ZipInfo(MANIFEST, date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(info, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
        _fsync_replace(file, out_path)
    except BaseException:
        _discard(file)
        raise
    return manifest


def _new_manifest(company, extra):
    company = dict(company or {})
    if not str(company.get("ruc") or "").strip():
        raise ArchiveError("the company of an export needs its RUC")
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "company": {"ruc": company.pop("ruc"), "name": company.pop("name", None), **company},
        "counts": dict.fromkeys(COUNTS, 0),
        "streams": {stream: stream_member(stream) for stream in STREAMS},
    }
    clash = sorted(set(extra or ()) & set(manifest))
    if clash:
        raise ArchiveError(f"extra manifest keys cannot replace {', '.join(clash)}")
    manifest.update(extra or {})
    return manifest


def _copy_files(part_paths, zout, counts):
    """Copy the members of the parts that are not streams; counts xml/ and ride/ files."""
    skip = {MANIFEST, *map(stream_member, STREAMS)}
    names = set()
    for part in part_paths:
        with zipfile.ZipFile(part) as zin:
            for info in zin.infolist():
                if info.filename in skip or info.is_dir():
                    continue
                if info.filename in names:
                    raise ArchiveError(f"{info.filename} is twice in the export (again in {part})")
                names.add(info.filename)
                _copy_member(zin, info, zout)
                folder = _folder_count(info.filename)
                if folder:
                    counts[folder] += 1


def _join_stream(part_paths, zout, stream, date_time):
    """Write ``<stream>.jsonl``: the lines of that member of every part, in order. Returns the count."""
    name = stream_member(stream)
    info = zipfile.ZipInfo(name, date_time)
    info.compress_type = zipfile.ZIP_DEFLATED
    keys = set() if stream == "documents" else None
    count = 0
    with zout.open(info, "w", force_zip64=True) as dst:
        for part in part_paths:
            with zipfile.ZipFile(part) as zin:
                try:
                    src = zin.open(name)
                except KeyError:
                    continue  # a part without this stream
                with src:
                    count += _copy_lines(src, dst, part, keys)
    return count


# ------------------------------------------------------------------------------------ reading

class Archive:
    """An export, open for reading: ``manifest``, ``iter(stream)``, ``read(name)``, ``open(name)``,
    ``members()``. Raises :class:`ArchiveError` for a file that is not an export of this format
    and version."""

    def __init__(self, path):
        self.path = os.fspath(path)
        try:
            self._zip = zipfile.ZipFile(self.path)
        except (OSError, zipfile.BadZipFile) as exc:
            raise ArchiveError(f"{self.path} cannot be opened as a ZIP archive: {exc}") from None
        try:
            self.manifest = self._read_manifest()
        except BaseException:
            self._zip.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()

    def close(self):
        self._zip.close()

    def _read_manifest(self):
        try:
            with _damaged(MANIFEST):
                manifest = json.loads(self._zip.read(MANIFEST))
        except KeyError:
            raise ArchiveError(f"{self.path} is not an export: it has no {MANIFEST}") from None
        except ValueError as exc:
            raise ArchiveError(f"{MANIFEST} is not valid JSON: {exc}") from None
        if not isinstance(manifest, dict):
            raise ArchiveError(f"{MANIFEST} is not a JSON object")
        if manifest.get("format") != FORMAT:
            raise ArchiveError(f"{MANIFEST} says format {manifest.get('format')!r}, not {FORMAT!r}")
        if manifest.get("version") != VERSION:
            raise ArchiveError(f"{MANIFEST} says version {manifest.get('version')!r}; "
                               f"this program reads version {VERSION}")
        return manifest

    def members(self) -> list:
        """Names of every member, in the archive's order."""
        return self._zip.namelist()

    def stream_name(self, stream: str) -> str:
        """The member of a stream, as the manifest names it."""
        _check_stream(stream)
        streams = self.manifest.get("streams")
        name = streams.get(stream) if isinstance(streams, dict) else None
        return name if isinstance(name, str) and name else stream_member(stream)

    def iter(self, stream: str):
        """The objects of a stream, one at a time."""
        name = self.stream_name(stream)
        with self.open(name) as src, _damaged(name):
            for number, line in enumerate(src, 1):
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except ValueError:
                    raise ArchiveError(f"{name} line {number} is not valid JSON") from None

    def open(self, name: str):
        """A member as a binary file object, for reading in blocks."""
        try:
            with _damaged(name):
                return self._zip.open(name)
        except KeyError:
            raise ArchiveError(f"the archive has no member {name}") from None

    def read(self, name: str) -> bytes:
        """A member's bytes (an XML, a RIDE: small files)."""
        with self.open(name) as src, _damaged(name):
            return src.read()

    def sha256(self, name: str) -> str:
        """Hex SHA-256 of a member, read in blocks."""
        digest = hashlib.sha256()
        with self.open(name) as src, _damaged(name):
            for block in iter(lambda: src.read(BLOCK), b""):
                digest.update(block)
        return digest.hexdigest()


@contextlib.contextmanager
def _damaged(name):
    """Reading errors of a member (bad CRC, bad compressed data) as :class:`ArchiveError`."""
    try:
        yield
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ArchiveError(f"{name} is damaged: {exc}") from None


# ------------------------------------------------------------------------------------ verifying

class _Problems(list):
    """The first problems found (a broken archive of a million documents must not fill memory)."""

    def __init__(self, limit=_MAX_PROBLEMS):
        super().__init__()
        self.limit = limit
        self.more = 0

    def add(self, message):
        if len(self) < self.limit:
            self.append(message)
        else:
            self.more += 1

    def result(self):
        return list(self) + ([f"... and {self.more} more problems"] if self.more else [])


def verify(path) -> list:
    """The problems of an export, in plain English; an empty list when the archive is sound.

    Checks the manifest (format, version, counts against the streams' lines and the files), and
    each document: its access key (49 digits, check digit, date), that its XML and RIDE exist and
    match their sha256, that the XML's claveAcceso is the document's access key and, for an
    <autorizacion>, that its numeroAutorizacion is the document's authorization_number; an
    authorized document comes with the SRI's <autorizacion>."""
    try:
        archive = Archive(path)
    except ArchiveError as exc:
        return [str(exc)]
    problems = _Problems()
    with archive:
        names = set(archive.members())
        found = dict.fromkeys(COUNTS, 0)
        for name in names:
            folder = _folder_count(name)
            if folder:
                found[folder] += 1
        referenced = set()
        for stream in STREAMS:
            found[stream] = _verify_stream(archive, stream, names, referenced, problems)
        _verify_counts(archive.manifest, found, problems)
        _verify_company(archive.manifest, problems)
        for name in sorted(n for n in names - referenced if _folder_count(n)):
            problems.add(f"{name} belongs to no document of documents.jsonl")
    return problems.result()


def _verify_stream(archive, stream, names, referenced, problems):
    """Count a stream's lines (checking each document); returns the count."""
    name = archive.stream_name(stream)
    if name not in names:
        problems.add(f"the stream {stream} ({name}) is missing")
        return 0
    count = 0
    keys = set()
    try:
        for obj in archive.iter(stream):
            count += 1
            if not isinstance(obj, dict):
                problems.add(f"{name} line {count} is not a JSON object")
            elif stream == "documents":
                _verify_document(archive, obj, count, names, keys, referenced, problems)
    except ArchiveError as exc:
        problems.add(f"{exc}; the rest of {name} was not read")
    return count


def _verify_company(manifest, problems):
    company = manifest.get("company")
    if not isinstance(company, dict) or not isinstance(company.get("ruc"), str) or not company["ruc"].strip():
        problems.add(f"{MANIFEST} does not give the company's RUC")


def _verify_counts(manifest, found, problems):
    counts = manifest.get("counts")
    if not isinstance(counts, dict):
        problems.add(f"{MANIFEST} has no counts")
        return
    what = {"xml": "files under xml/", "ride": "files under ride/"}
    for field in COUNTS:
        if counts.get(field) != found[field]:
            problems.add(f"{MANIFEST} counts {counts.get(field)!r} {field} but the archive has "
                         f"{found[field]} {what.get(field, 'lines in ' + stream_member(field))}")


def _verify_document(archive, doc, line, names, keys, referenced, problems):
    key = doc.get("access_key")
    label = f"document {key or '(no access key)'} (documents.jsonl line {line})"
    missing = [k for k in DOCUMENT_KEYS if k not in doc]
    if missing:
        problems.add(f"{label} lacks {', '.join(missing)}")
    key_problem = _key_problem(key)
    if key_problem:
        problems.add(f"{label}: the access key {key_problem}")
    elif key in keys:
        problems.add(f"{label} appears twice in documents.jsonl")
    else:
        keys.add(key)
    if doc.get("state") == "authorized" and not doc.get("xml"):
        problems.add(f"{label} is authorized but comes without its XML")
    for field in ("xml", "ride"):
        member = doc.get(field)
        if not member:
            continue
        if not isinstance(member, str):
            problems.add(f"{label}: its {field} is {member!r}, not the name of a file")
            continue
        referenced.add(member)
        if member not in names:
            problems.add(f"{label}: its {field} file {member} is missing")
            continue
        try:
            _verify_file(archive, field, member, doc, label, problems)
        except ArchiveError as exc:
            problems.add(f"{label}: {exc}")


def _verify_file(archive, field, member, doc, label, problems):
    if archive.sha256(member) != doc.get(f"{field}_sha256"):
        problems.add(f"{label}: the sha256 of {member} does not match {field}_sha256 "
                     "(the file was modified)")
    elif field == "xml":
        data = archive.read(member)
        _verify_xml(data, member, doc, label, problems)
        if doc.get("state") == "authorized" and not _authorization_number(data):
            problems.add(f"{label} is authorized but its XML {member} is not the SRI's <autorizacion>")
    else:
        _verify_ride(archive, member, label, problems)


def _key_problem(key):
    """Why ``key`` is not a valid access key, or None."""
    if not isinstance(key, str) or len(key) != 49 or not key.isdigit():
        return f"{key!r} is not 49 digits"
    expected = access_key.check_digit(key[:48])
    if expected != key[48]:
        return f"{key} has the check digit {key[48]}, it should be {expected}"
    try:
        access_key.parse(key)
    except SriValidationError:
        return f"{key} has an emission date {key[:8]} (ddmmyyyy) that does not exist"
    return None


def _local(element):
    return etree.QName(element).localname if isinstance(element.tag, str) else None


def _parse_xml(data):
    """Parse an XML document (bytes, or text without its declaration). Raises XMLSyntaxError."""
    if isinstance(data, str):
        data = _DECLARATION.sub("", data.lstrip("\ufeff"), count=1).strip().encode("utf-8")
    return etree.fromstring(data, safe_parser(huge_tree=False))


def _access_keys(root):
    """Every claveAcceso of an XML, also those of a comprobante carried as text (CDATA)."""
    keys = []
    for element in root.iter():
        name = _local(element)
        if name == "claveAcceso":
            keys.append((element.text or "").strip())
        elif name == "comprobante" and not len(element) and (element.text or "").strip().startswith("<"):
            keys.extend(_access_keys(_parse_xml(element.text)))
    return keys


def _verify_xml(data, member, doc, label, problems):
    try:
        root = _parse_xml(data)
        keys = _access_keys(root)
    except etree.XMLSyntaxError as exc:
        problems.add(f"{label}: {member} is not well-formed XML ({exc})")
        return
    key = doc.get("access_key")
    if not keys:
        problems.add(f"{label}: {member} has no claveAcceso")
    for other in sorted(set(keys) - {key}):
        problems.add(f"{label}: {member} has the claveAcceso {other}, not the document's access key")
    authorization = root if _local(root) == "autorizacion" else next(root.iter("{*}autorizacion"), None)
    if authorization is None:
        return
    number = next((e.text for e in authorization if _local(e) == "numeroAutorizacion"), None)
    number = (number or "").strip()
    if number and number != (doc.get("authorization_number") or ""):
        problems.add(f"{label}: {member} has the numeroAutorizacion {number}, but the document's "
                     f"authorization_number is {doc.get('authorization_number')!r}")


def _authorization_number(data):
    """The numeroAutorizacion of an XML that is (or holds) the SRI's <autorizacion>, or None."""
    try:
        root = _parse_xml(data)
    except etree.XMLSyntaxError:
        return None
    authorization = root if _local(root) == "autorizacion" else next(root.iter("{*}autorizacion"), None)
    if authorization is None:
        return None
    number = next((e.text for e in authorization if _local(e) == "numeroAutorizacion"), None)
    return (number or "").strip() or None


def check_document(doc: dict, xml: bytes = None, ride: bytes = None) -> list:
    """The problems of one document of an export, as a database restoring it sees it: the line
    (``doc``, as in documents.jsonl) with its XML and RIDE content (or None). Empty when sound.

    The access key is valid (49 digits, check digit, date); the environment, when given, is the
    key's; each file given has its sha256 (mandatory) and matches it; the XML's claveAcceso is the
    access key and an <autorizacion>'s numeroAutorizacion is the authorization_number; the RIDE is
    a PDF; an authorized document comes with its XML."""
    problems = _Problems()
    key = doc.get("access_key") if isinstance(doc, dict) else None
    label = f"document {key or '(no access key)'}"
    if not isinstance(doc, dict):
        return ["a document is not a JSON object"]
    key_problem = _key_problem(key)
    if key_problem:
        return [f"{label}: the access key {key_problem}"]
    environment = doc.get("environment")
    if environment not in (None, "", False) and str(environment) != key[23]:
        problems.add(f"{label}: its environment is {environment!r}, the access key's is {key[23]}")
    if doc.get("state") == "authorized" and xml is None:
        problems.add(f"{label} is authorized but comes without its XML")
    for field, data in (("xml", xml), ("ride", ride)):
        if data is None:
            continue
        expected = doc.get(f"{field}_sha256")
        if not expected:
            problems.add(f"{label}: its {field} comes without {field}_sha256")
        elif hashlib.sha256(data).hexdigest() != expected:
            problems.add(f"{label}: its {field} does not match {field}_sha256 (the file was modified)")
        elif field == "xml":
            _verify_xml(data, field, doc, label, problems)
            if doc.get("state") == "authorized" and not _authorization_number(data):
                problems.add(f"{label} is authorized but its XML is not the SRI's <autorizacion>")
        elif not data.startswith(b"%PDF-"):
            problems.add(f"{label}: its ride is not a PDF")
    return problems.result()


def _verify_ride(archive, member, label, problems):
    with archive.open(member) as src:
        if src.read(5) != b"%PDF-":
            problems.add(f"{label}: {member} is not a PDF")


# ------------------------------------------------------------------------------------ restoring

def restore(path, url, db, login, password, batch_size=100, company_ruc=None, out=print) -> dict:
    """Load an export into an Odoo database over XML-RPC: the partners, the products, then the documents (with
    their XML and RIDE in base64), ``batch_size`` at a time, through
    ``l10n_ec_sri.export.restore_batch``. The server skips what it already has, so a restore that
    stopped can be run again. ``company_ruc``, when given, must be the archive's company.

    The archive is verified first: an unsound archive raises :class:`ArchiveError` before any
    call. Returns the totals ``partners_created``, ``partners_skipped``, ``products_created``,
    ``products_skipped``, ``documents_created``, ``documents_skipped``."""
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ArchiveError(f"the batch size must be a positive number, not {batch_size!r}")
    problems = verify(path)
    if problems:
        shown = "\n".join(f"- {p}" for p in problems[:10])
        more = f"\n(and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise ArchiveError(f"{os.fspath(path)} is not sound, nothing was restored:\n{shown}{more}")
    with Archive(path) as archive:
        ruc = archive.manifest["company"]["ruc"]
        if company_ruc and str(company_ruc).strip() != ruc:
            raise ArchiveError(f"the archive is the export of the company {ruc}, not of {company_ruc}")
        call = _connect(url.rstrip("/"), db, login, password)
        head = {"format": FORMAT, "version": VERSION, "company_ruc": ruc}
        totals = {}
        counts = archive.manifest["counts"]
        for stream, objects in (("partners", archive.iter("partners")), ("products", archive.iter("products")),
                                ("documents", _with_files(archive, archive.iter("documents")))):
            created, skipped = _send(call, head, stream, objects, batch_size, counts[stream], out)
            totals[f"{stream}_created"], totals[f"{stream}_skipped"] = created, skipped
    return totals


def _connect(url, db, login, password):
    """Log in; returns ``call(payload) -> answer`` of ``restore_batch``."""
    try:
        with xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common", allow_none=True) as common:
            uid = common.authenticate(db, login, password, {})
    except (OSError, xmlrpc.client.Error) as exc:
        raise ArchiveError(f"cannot log in to {url}: {exc}") from None
    if not uid:
        raise ArchiveError(f"login refused by {url} (database {db}, login {login})")

    def call(payload):
        try:
            with xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True) as models:
                return models.execute_kw(db, uid, password, "l10n_ec_sri.export", "restore_batch", [payload])
        except xmlrpc.client.Fault as exc:
            raise ArchiveError(f"the server refused a batch: {exc.faultString}") from None
        except (OSError, xmlrpc.client.Error) as exc:
            raise ArchiveError(f"cannot reach {url}: {exc}") from None
    return call


def _with_files(archive, documents):
    """Each document with ``xml_b64`` and ``ride_b64`` (base64 text, or None)."""
    for doc in documents:
        for field in ("xml", "ride"):
            member = doc.get(field)
            doc[f"{field}_b64"] = base64.b64encode(archive.read(member)).decode("ascii") if member else None
        yield doc


def _batches(objects, size):
    batch = []
    for obj in objects:
        batch.append(obj)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _send(call, head, stream, objects, batch_size, total, out):
    """Send a stream in batches; returns (created, skipped)."""
    created = skipped = sent = 0
    for batch in _batches(objects, batch_size):
        answer = call({**head, stream: batch})
        if not isinstance(answer, dict) or not all(isinstance(answer.get(k), int) for k in ("created", "skipped")):
            raise ArchiveError(f"unexpected answer of restore_batch: {answer!r}")
        created += answer["created"]
        skipped += answer["skipped"]
        sent += len(batch)
        out(f"{stream}: {sent}/{total} sent, {created} created, {skipped} skipped")
    return created, skipped
