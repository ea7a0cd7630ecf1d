"""Constants shared by the whole SRI core: Ecuador's time zone and the XML parser for documents
that come from outside (no network, no entity expansion)."""
import datetime
import threading

from lxml import etree

#: Ecuador (continental) has no daylight saving time: America/Guayaquil is UTC−05:00 all year.
ECUADOR_TZ_NAME = "America/Guayaquil"
ECUADOR_TZ = datetime.timezone(datetime.timedelta(hours=-5), ECUADOR_TZ_NAME)

_local = threading.local()


def safe_parser(huge_tree=True) -> etree.XMLParser:
    """This thread's XML parser for untrusted input: no network access, no entity expansion
    (an lxml parser must not be shared between threads). ``huge_tree=False`` keeps libxml2's
    limits on depth and text size."""
    parsers = getattr(_local, "parsers", None)
    if parsers is None:
        parsers = _local.parsers = {}
    parser = parsers.get(huge_tree)
    if parser is None:
        parser = parsers[huge_tree] = etree.XMLParser(
            resolve_entities=False, no_network=True, huge_tree=huge_tree, remove_blank_text=False)
    return parser
