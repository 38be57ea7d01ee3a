"""SM3 (GB/T 32905) digests of audit events."""

import json
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import hashes

GENESIS = "0" * 64


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def canonical(fields: dict[str, Any]) -> bytes:
    def default(value: Any) -> str:
        if isinstance(value, datetime):
            return value.isoformat()
        return str(value)

    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=default).encode()


def event_hash(*, prev_hash: str, fields: dict[str, Any]) -> str:
    return sm3_hex(prev_hash.encode() + canonical(fields))
