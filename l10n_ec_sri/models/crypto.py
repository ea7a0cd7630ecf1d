# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Encryption at rest of the secrets this module keeps in the database.

Values are encrypted with AES-256-GCM (``cryptography``'s AESGCM) under a key that never
enters the database:

1. the ``l10n_ec_sri_key`` option of the Odoo configuration file (base64 of 32 bytes), or
2. the key file ``<data_dir>/l10n_ec_sri.key`` (base64 of 32 bytes), created with mode
   0600 on first use when the option is not set.

Each value gets a fresh random 12-byte nonce; the stored text is
``base64(nonce + ciphertext_and_tag)``. A ``purpose`` string (for example ``"p12"`` or
``"password"``) is bound to the ciphertext as associated data, so a value cannot be moved
from one column to another and still decrypt.

Losing the key means losing the secrets: back up the key file (or the option) together
with the database.
"""

import base64
import binascii
import logging
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from odoo.exceptions import UserError
from odoo.tools import config
from odoo.tools.translate import LazyTranslate

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__, default_lang="en_US")

KEY_OPTION = "l10n_ec_sri_key"
KEY_FILENAME = "l10n_ec_sri.key"
KEY_SIZE = 32
NONCE_SIZE = 12
_AAD_PREFIX = b"l10n_ec_sri:"


def _t(env, lazy):
    """Translate a lazy message in the language of ``env`` (English without env): these
    helpers have no ``self.env`` of their own for ``_()`` to find."""
    return env._(lazy) if env is not None else lazy._translate("en_US")


def key_file_path():
    """Path of the key file used when the configuration option is not set."""
    return os.path.join(config["data_dir"], KEY_FILENAME)


def _decode_key(text, origin, env=None):
    try:
        key = base64.b64decode((text or "").strip(), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_SIZE:
        raise UserError(
            _t(
                env,
                _lt(
                    "The SRI encryption key in %(origin)s is not valid: it must be the "
                    "base64 encoding of %(size)s random bytes.",
                    origin=origin,
                    size=KEY_SIZE,
                ),
            )
        )
    return key


def _create_key_file(path):
    """Create the key file atomically with mode 0600; return None if it already exists."""
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    key = AESGCM.generate_key(bit_length=KEY_SIZE * 8)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another worker created it first: use theirs.
        return None
    with os.fdopen(fd, "w") as handle:
        handle.write(base64.b64encode(key).decode() + "\n")
    os.chmod(path, 0o600)  # umask-proof
    _logger.warning(
        "Created the SRI encryption key file %s. Back it up together with the database: "
        "without it the stored certificates cannot be decrypted.",
        path,
    )
    return key


def get_key(env=None):
    """Return the 32-byte key: configuration option first, else the key file (created if absent)."""
    option = config.get(KEY_OPTION)
    if option:
        return _decode_key(option, f"odoo.conf [options] {KEY_OPTION}", env=env)
    path = key_file_path()
    try:
        if not os.path.exists(path):
            key = _create_key_file(path)
            if key is not None:
                return key
        with open(path) as handle:
            if os.fstat(handle.fileno()).st_mode & 0o077:
                _logger.warning("The SRI encryption key file %s is readable by other users: chmod 600 it.", path)
            text = handle.read()
    except OSError as exc:
        raise UserError(
            _t(
                env,
                _lt(
                    "Cannot read or create the SRI encryption key file %(path)s (%(error)s). "
                    "Set the '%(option)s' option in the Odoo configuration file or make the "
                    "data directory writable.",
                    path=path,
                    error=str(exc.strerror or exc),
                    option=KEY_OPTION,
                ),
            )
        ) from exc
    return _decode_key(text, path, env=env)


def _aad(purpose):
    return _AAD_PREFIX + purpose.encode()


def encrypt(data, purpose, key=None, env=None):
    """Encrypt ``data`` (bytes or str) and return ``base64(nonce + ciphertext)`` as text."""
    if isinstance(data, str):
        data = data.encode()
    nonce = os.urandom(NONCE_SIZE)
    ciphertext = AESGCM(key or get_key(env)).encrypt(nonce, data, _aad(purpose))
    return base64.b64encode(nonce + ciphertext).decode()


def decrypt(token, purpose, key=None, env=None):
    """Decrypt a value made by :func:`encrypt`; return bytes."""
    try:
        raw = base64.b64decode(token, validate=True)
        if len(raw) <= NONCE_SIZE:
            raise ValueError("too short")
        return AESGCM(key or get_key(env)).decrypt(raw[:NONCE_SIZE], raw[NONCE_SIZE:], _aad(purpose))
    except (InvalidTag, binascii.Error, ValueError) as exc:
        raise UserError(
            _t(
                env,
                _lt(
                    "The stored SRI secret cannot be decrypted: the encryption key has changed "
                    "or the data is damaged. Restore the original key (option '%(option)s' or "
                    "file %(path)s) or upload the certificate again.",
                    option=KEY_OPTION,
                    path=key_file_path(),
                ),
            )
        ) from exc
