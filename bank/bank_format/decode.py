"""Bytes of a bank file to text: the encoding it was saved in, one kind of newline."""

from __future__ import annotations

from .types import BankFormatError


def decode_bank_bytes(data: bytes) -> str:
    """Decode an uploaded bank: UTF-8 (BOM allowed), any newline convention, never binary."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    if not data:
        raise BankFormatError("file is empty")
    control = sum(1 for b in data if b < 32 and b not in b"\t\n\r\f\v\x1b")
    if b"\x00" in data or control > 0.05 * len(data):
        raise BankFormatError("file looks binary, not a text bank")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise BankFormatError(f"invalid UTF-8 (byte 0x{data[exc.start]:02x}); save the bank as UTF-8", line) from None
    return _normalise_newlines(text)


def _normalise_newlines(text: str) -> str:
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
