"""API token keys: how they are made, stored and tied to a password (no database access here)."""

from __future__ import annotations

import hashlib
import secrets

from .models import User

KEY_BYTES = 32  # 256 bits of randomness: 43 URL-safe characters
PREFIX_LENGTH = 8


def new_key() -> str:
    return secrets.token_urlsafe(KEY_BYTES)


def key_digest(key: str) -> str:
    """What is stored instead of the key. A plain hash is enough: the key is random, not a password."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def password_fingerprint(user: User) -> str:
    """Changes whenever the password does (a new salt each time, or an unusable password).

    Derived from the stored password hash, which the database holds anyway, so the fingerprint
    tells nothing more about the password; it lets a token die with the password on every path,
    as Django's session auth hash does for sessions.
    """
    return hashlib.sha256(user.password.encode("utf-8")).hexdigest()
