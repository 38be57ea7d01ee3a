"""Personal data at rest: SM4-GCM encryption with rotatable keys and a keyed SM3 blind index.

Settings:
* FIELD_ENCRYPTION_KEYS: ["<key id>:<32 hex digits>", ...], newest first. New values are encrypted
  with the first key; any listed key decrypts, so a key is rotated by prepending a new one and
  re-saving the rows (`reencrypt_personal_data`).
* BLIND_INDEX_KEY: the HMAC-SM3 key for exact look-ups and uniqueness checks.

A stored value is "sm4g:<key id>:<base64(nonce || ciphertext || tag)>". A database dump alone
reveals no ID number or phone number.
"""

import base64
import hmac
import os
from functools import cache
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "sm4g"
NONCE_BYTES = 12
TAG_BYTES = 16


@cache
def _keys(raw: tuple[str, ...]) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for item in raw:
        key_id, sep, hex_key = item.partition(":")
        try:
            key = bytes.fromhex(hex_key)
        except ValueError:
            key = b""
        if not sep or not key_id or len(key) != 16:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS 的每一项须为“编号:32位十六进制密钥”。")
        keys[key_id] = key
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS 未配置。")
    return keys


def _key_ring() -> tuple[str, dict[str, bytes]]:
    raw = tuple(settings.FIELD_ENCRYPTION_KEYS)
    keys = _keys(raw)
    return raw[0].partition(":")[0], keys


def encrypt(plaintext: str) -> str:
    key_id, keys = _key_ring()
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(keys[key_id]), modes.GCM(nonce)).encryptor()
    body = encryptor.update(plaintext.encode()) + encryptor.finalize()
    token = base64.b64encode(nonce + body + encryptor.tag).decode()
    return f"{PREFIX}:{key_id}:{token}"


def decrypt(stored: str) -> str:
    prefix, key_id, token = stored.split(":", 2)
    if prefix != PREFIX:
        raise ValueError("not an encrypted value")
    _, keys = _key_ring()
    if key_id not in keys:
        raise ImproperlyConfigured(f"缺少编号为 {key_id} 的数据加密密钥。")
    blob = base64.b64decode(token)
    nonce, body, tag = blob[:NONCE_BYTES], blob[NONCE_BYTES:-TAG_BYTES], blob[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(keys[key_id]), modes.GCM(nonce, tag)).decryptor()
    return (decryptor.update(body) + decryptor.finalize()).decode()


def key_id_of(stored: str) -> str:
    return stored.split(":", 2)[1]


def current_key_id() -> str:
    return _key_ring()[0]


def blind_index(value: str) -> str:
    """Keyed SM3 digest (HMAC-SM3) of a normalized value, for exact look-up without decrypting."""
    mac = hmac.HMAC(settings.BLIND_INDEX_KEY.encode(), value.strip().upper().encode(), digestmod=_sm3_factory)
    return mac.hexdigest()


def _sm3_factory() -> Any:
    return _SM3Hashlib()


class _SM3Hashlib:
    """A hashlib-shaped wrapper around cryptography's SM3, for the standard-library `hmac`."""

    digest_size = 32
    block_size = 64
    name = "sm3"

    def __init__(self, data: bytes = b"") -> None:
        self._h = hashes.Hash(hashes.SM3())
        if data:
            self._h.update(data)

    def update(self, data: bytes) -> None:
        self._h.update(data)

    def copy(self) -> "_SM3Hashlib":
        clone = _SM3Hashlib.__new__(_SM3Hashlib)
        clone._h = self._h.copy()
        return clone

    def digest(self) -> bytes:
        return self._h.copy().finalize()

    def hexdigest(self) -> str:
        return self.digest().hex()


class EncryptedCharField(models.TextField):
    """A text column holding SM4-GCM ciphertext; Python code sees the plaintext."""

    description = "SM4 encrypted text"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))


def _mask_middle(value: str | None) -> str:
    """Keep the first three and last four characters."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_id_number(value: str | None) -> str:
    """410***********1234."""
    return _mask_middle(value)


def mask_phone(value: str | None) -> str:
    """138****5678."""
    return _mask_middle(value)


def mask_address(value: str | None) -> str:
    """The first six characters (province, city, county), the rest hidden."""
    if not value:
        return ""
    return value[:6] + "****" if len(value) > 6 else "****"
