"""Golden XML files: every example of ``sri/examples`` built with a frozen emission date and a fixed
numeric code (so a fixed access key) is compared, as an XML tree, with ``tests/golden/<example>.xml``;
each golden document signed with a fixed signing time and the test certificate is, without its
``ds:Signature``, the golden tree again.

Regenerate the goldens after an intended change of the XML (then review the diff)::

    cd l10n_ec_sri
    SRI_UPDATE_GOLDEN=1 python -m pytest sri/tests/test_golden.py    # or:
    python sri/tests/test_golden.py
"""

import glob
import json
import os
import sys
from datetime import datetime

import pytest
from lxml import etree

HERE = os.path.dirname(os.path.abspath(__file__))
if __name__ == "__main__":  # python sri/tests/test_golden.py
    sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))

from sri import documents, signing, testing  # noqa: E402
from sri.constants import ECUADOR_TZ  # noqa: E402

EXAMPLES_DIR = os.path.join(os.path.dirname(HERE), "examples")
GOLDEN_DIR = os.path.join(HERE, "golden")
EXAMPLES = sorted(os.path.splitext(os.path.basename(p))[0]
                  for p in glob.glob(os.path.join(EXAMPLES_DIR, "*.json")))

#: What makes a build deterministic: the emission date (after every date of the examples) and the
#: 8-digit numeric code of the access key (so the key itself is fixed).
FROZEN_EMISSION_DATE = "2025-12-01"
FROZEN_NUMERIC_CODE = "12345678"
SIGNING_TIME = datetime(2025, 12, 1, 10, 30, 0, tzinfo=ECUADOR_TZ)
UPDATE = os.environ.get("SRI_UPDATE_GOLDEN", "") not in ("", "0")

DS_SIGNATURE = f"{{{signing.DS_NS}}}Signature"


def build(name) -> bytes:
    """The unsigned XML of example ``name`` with the frozen date and numeric code."""
    with open(os.path.join(EXAMPLES_DIR, name + ".json"), encoding="utf-8") as f:
        data = json.load(f)
    data.pop("access_key", None)
    data["emission_date"] = FROZEN_EMISSION_DATE
    data["numeric_code"] = FROZEN_NUMERIC_CODE
    return documents.from_dict(data).to_xml(check_date=False)


def golden_path(name):
    return os.path.join(GOLDEN_DIR, name + ".xml")


def write_golden(name, xml):
    """The golden file: the built document, indented for review (whitespace is not compared)."""
    root = etree.fromstring(xml)
    etree.indent(root, space="  ")
    os.makedirs(GOLDEN_DIR, exist_ok=True)
    with open(golden_path(name), "wb") as f:
        f.write(etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n")


def update_goldens():
    for name in EXAMPLES:
        write_golden(name, build(name))
    return [golden_path(n) for n in EXAMPLES]


# ----------------------------------------------------------------------- tree comparison helper

def _norm(text):
    return " ".join((text or "").split())


def _describe(el):
    return etree.QName(el).localname if isinstance(el.tag, str) else repr(el.tag)


def xml_tree_differences(a, b, strip_signature=True):
    """The differences between two XML documents (bytes or elements) as a list of messages
    (empty: equal), like Odoo's ``assertXmlTreeEqual``: tags, attributes, and texts/tails after
    normalising whitespace are compared; comments and PIs are ignored; ``ds:Signature`` elements
    are dropped first when ``strip_signature``."""
    def root_of(x):
        el = etree.fromstring(x) if isinstance(x, (bytes, str)) else x
        el = etree.fromstring(etree.tostring(el))  # a copy we may modify
        for junk in el.xpath("//comment() | //processing-instruction()"):
            parent = junk.getparent()
            if parent is not None:
                tail = junk.tail
                prev = junk.getprevious()
                parent.remove(junk)
                if tail:  # keep the text around the removed node
                    if prev is not None:
                        prev.tail = (prev.tail or "") + tail
                    else:
                        parent.text = (parent.text or "") + tail
        if strip_signature:
            for sig in el.iter(DS_SIGNATURE):
                sig.getparent().remove(sig)
        return el

    diffs = []

    def walk(x, y, here):
        if x.tag != y.tag:
            diffs.append(f"{here}: element {x.tag!r} != {y.tag!r}")
            return
        if dict(x.attrib) != dict(y.attrib):
            diffs.append(f"{here}: attributes {dict(x.attrib)} != {dict(y.attrib)}")
        if _norm(x.text) != _norm(y.text):
            diffs.append(f"{here}: text {_norm(x.text)!r} != {_norm(y.text)!r}")
        xs, ys = list(x), list(y)
        if [c.tag for c in xs] != [c.tag for c in ys]:
            diffs.append(f"{here}: children {[_describe(c) for c in xs]} != {[_describe(c) for c in ys]}")
        seen = {}
        for cx, cy in zip(xs, ys):
            i = seen[cx.tag] = seen.get(cx.tag, 0) + 1
            child = f"{here}/{_describe(cx)}[{i}]"
            walk(cx, cy, child)
            if _norm(cx.tail) != _norm(cy.tail):
                diffs.append(f"{child}: tail {_norm(cx.tail)!r} != {_norm(cy.tail)!r}")

    ra, rb = root_of(a), root_of(b)
    walk(ra, rb, "/" + _describe(ra))
    return diffs


def assert_xml_tree_equal(actual, expected, strip_signature=True):
    diffs = xml_tree_differences(actual, expected, strip_signature)
    assert not diffs, "XML trees differ:\n" + "\n".join(diffs[:20])


# ------------------------------------------------------------------------------------- tests

@pytest.fixture(scope="module")
def cert():
    return signing.load_p12(testing.make_p12(), "secret")


def test_there_is_one_golden_per_example_and_type():
    assert set(EXAMPLES) >= {"factura", "factura_v1.1.0", "nota_credito", "nota_debito", "retencion",
                             "liquidacion_compra", "guia_remision"}
    if not UPDATE:
        assert sorted(os.path.splitext(n)[0] for n in os.listdir(GOLDEN_DIR) if n.endswith(".xml")) == EXAMPLES


@pytest.mark.parametrize("name", EXAMPLES)
def test_build_is_deterministic_and_equals_its_golden(name):
    xml = build(name)
    assert build(name) == xml  # frozen date + numeric code: nothing random is left
    if UPDATE:
        write_golden(name, xml)
    with open(golden_path(name), "rb") as f:
        golden = f.read()
    assert_xml_tree_equal(xml, golden)


@pytest.mark.parametrize("name", EXAMPLES)
def test_signed_golden_without_its_signature_is_the_golden(name, cert):
    with open(golden_path(name), "rb") as f:
        golden = f.read()
    unsigned = build(name)
    for xml in (unsigned, golden):  # our bytes (fast path) and the indented golden file
        signed = signing.sign(xml, cert, signing_time=SIGNING_TIME)
        root = etree.fromstring(signed)
        assert root[-1].tag == DS_SIGNATURE
        assert root.findtext(".//etsi:SigningTime", namespaces=signing.NSMAP) == "2025-12-01T10:30:00-05:00"
        assert signing.verify(signed).ruc == testing.DEFAULT_RUC
        assert_xml_tree_equal(signed, golden)
        assert xml_tree_differences(signed, golden, strip_signature=False)  # the signature is there


def test_tree_comparison_helper():
    a = b'<a x="1" y="2"><b>  uno   dos </b><c/><!-- n --></a>'
    assert_xml_tree_equal(a, b'<a y="2" x="1">\n  <b>uno dos</b>\n  <c></c>\n</a>')
    assert xml_tree_differences(a, b'<a x="1" y="3"><b>uno dos</b><c/></a>')
    assert xml_tree_differences(a, b'<a x="1" y="2"><b>uno</b><c/></a>')
    assert xml_tree_differences(a, b'<a x="1" y="2"><b>uno dos</b><d/></a>')
    assert xml_tree_differences(a, b'<a x="1" y="2"><b>uno dos</b><c/>x</a>')


if __name__ == "__main__":
    for path in update_goldens():
        print("written", os.path.relpath(path))
