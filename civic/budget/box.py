"""The encrypted ballot box: sealed ballots, trackers, and the count key split among
trustees. Pure: no Flask, no database.

A ballot is encrypted to the round's public count key (a libsodium sealed box through
PyNaCl: X25519 and XSalsa20-Poly1305, with a fresh key of its own for each ballot) as
soon as its choices are valid. Its plaintext is padded to one length for the whole
round, so the size of a ciphertext says nothing of how many projects it holds.

A ballot's tracker is the SHA-256 of its ciphertext. The voter's receipt is the start of
it; the seal of the box is the sum of the trackers modulo 2^256, which does not depend
on the order of casting. Both depend on the encryption's randomness, so neither can be
computed from the plaintext ballots published after the count.

The private count key is split with Shamir's scheme (pycryptodome, over GF(2^128): its
two 16-byte halves are shared with the same indices), one piece per trustee, and each
piece is sealed to that trustee's own key pair. The trustee's private key is their
*share*: printed or downloaded once, never kept by the server. Any ``threshold`` shares
open their pieces and rebuild the count key; fewer tell nothing about it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from Crypto.Protocol.SecretSharing import Shamir
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

SEAL_MODULUS = 2**256
EMPTY_SEAL = "0" * 64
KEY_BYTES = 32
_HALF = 16


class ShareError(ValueError):
    """A share that cannot be used; ``code`` says why (malformed, mistyped, wrong…)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# --- Keys -----------------------------------------------------------------------------


def new_key() -> tuple[bytes, bytes]:
    """A fresh X25519 key pair: (private, public)."""
    key = PrivateKey.generate()
    return bytes(key), bytes(key.public_key)


def public_of(private: bytes) -> bytes:
    return bytes(PrivateKey(private).public_key)


def seal_to(public: bytes, data: bytes) -> bytes:
    return bytes(SealedBox(PublicKey(public)).encrypt(data))


def open_with(private: bytes, data: bytes) -> bytes:
    """The plaintext of a sealed box; ShareError("share_wrong") if this key cannot open it."""
    try:
        return bytes(SealedBox(PrivateKey(private)).decrypt(data))
    except CryptoError as error:
        raise ShareError("share_wrong") from error


# --- Ballots --------------------------------------------------------------------------


def width(projects: Iterable[int], max_points: int) -> int:
    """The padded length of a round's plaintext ballots: that of the longest ballot the
    round allows (every project with the most points one may give it)."""
    return len(_plain(dict.fromkeys(projects, max(max_points, 1))))


def _plain(choices: Mapping[int, int]) -> bytes:
    return json.dumps({str(k): v for k, v in sorted(choices.items())},
                      separators=(",", ":")).encode()


def encrypt(public: bytes, choices: Mapping[int, int], padded_to: int) -> bytes:
    """The ballot sealed to the count key, its JSON padded with spaces to ``padded_to``."""
    plain = _plain(choices)
    return seal_to(public, plain + b" " * max(0, padded_to - len(plain)))


def decrypt(private: bytes, ciphertext: bytes) -> dict[str, int]:
    """The choices of a sealed ballot, as {"project id": points}."""
    return decrypt_all(private, [ciphertext])[0]


def decrypt_all(private: bytes, ciphertexts: Iterable[bytes]) -> list[dict[str, int]]:
    """The choices of many sealed ballots, in their order (the key is loaded once: that
    is a third of the time of one ballot)."""
    opener = SealedBox(PrivateKey(private))
    return [{str(k): int(v) for k, v in json.loads(opener.decrypt(c)).items()}
            for c in ciphertexts]


def tracker(ciphertext: bytes) -> str:
    return hashlib.sha256(ciphertext).hexdigest()


RECEIPT_DIGITS = 16


def receipt(tracker_hex: str) -> str:
    """What the voter keeps: the tracker's first 16 hex digits, in groups of four."""
    head = tracker_hex[:RECEIPT_DIGITS].upper()
    return "-".join(head[i:i + 4] for i in range(0, RECEIPT_DIGITS, 4))


def tracker_range(prefix: str) -> tuple[str, str]:
    """The trackers that start with ``prefix`` lie in [low, high): a range an index can
    read, where LIKE 'prefix%' scans the table under most collations."""
    return prefix, prefix + "g"  # "g" sorts after every hex digit


def receipt_prefix(typed: str) -> str | None:
    """The lower-case hex digits of a typed receipt or tracker; None if it cannot be one."""
    digits = "".join(c for c in typed.lower() if c not in " -\t")
    if not RECEIPT_DIGITS <= len(digits) <= 64 or any(c not in "0123456789abcdef"
                                                       for c in digits):
        return None
    return digits


def add_to_seal(seal: str, tracker_hex: str) -> str:
    return f"{(int(seal, 16) + int(tracker_hex, 16)) % SEAL_MODULUS:064x}"


def remove_from_seal(seal: str, tracker_hex: str) -> str:
    """The seal once a ballot is taken out of the box (a paper ballot voided)."""
    return f"{(int(seal, 16) - int(tracker_hex, 16)) % SEAL_MODULUS:064x}"


def seal_of(trackers: Iterable[str]) -> str:
    return f"{sum(int(t, 16) for t in trackers) % SEAL_MODULUS:064x}"


def seal_holds(sealed: Iterable[tuple[str, bytes | None]], seal: str) -> bool:
    """Every (tracker, ciphertext) matches (a destroyed ciphertext is skipped) and the
    trackers add up to ``seal``."""
    trackers = []
    for tracker_hex, ciphertext in sealed:
        if ciphertext is not None and tracker(ciphertext) != tracker_hex:
            return False
        trackers.append(tracker_hex)
    return seal_of(trackers) == seal


# --- Splitting the count key ----------------------------------------------------------


def split(private: bytes, threshold: int, count: int) -> list[bytes]:
    """``count`` pieces of the key, the i-th for Shamir's index i + 1; any ``threshold``
    of them rebuild it."""
    low = Shamir.split(threshold, count, private[:_HALF])
    high = Shamir.split(threshold, count, private[_HALF:])
    return [a + b for (_, a), (_, b) in zip(low, high, strict=True)]


def combine(pieces: Mapping[int, bytes]) -> bytes:
    """The key from pieces by Shamir index. Wrong pieces give a wrong key, never an
    error: the caller checks it against the public count key."""
    low = Shamir.combine([(i, p[:_HALF]) for i, p in sorted(pieces.items())])
    high = Shamir.combine([(i, p[_HALF:]) for i, p in sorted(pieces.items())])
    return bytes(low + high)


# --- A trustee's share, as printed ----------------------------------------------------

_BODY = 52  # base32 of 32 bytes, without padding
_CHECK = 4
_SHARE = re.compile(r"FPH[\s\-]*(\d{1,9})[\s\-]*G[\s\-]*(\d{1,2})[\s\-]+([A-Z0-9][A-Z0-9\s\-]*)")
_LOOK_ALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})


@dataclass(frozen=True)
class Share:
    round_id: int
    position: int
    key: bytes


def _check(round_id: int, position: int, key: bytes) -> str:
    digest = hashlib.sha256(f"{round_id}:{position}:".encode() + key).digest()
    return base64.b32encode(digest).decode()[:_CHECK]


def share_text(round_id: int, position: int, key: bytes) -> str:
    """``FPH-12-G1-ABCD-…-WXYZ``: the round, the trustee's place, the key in base32 and four
    check characters, grouped by four to be copied by hand."""
    body = base64.b32encode(key).decode().rstrip("=") + _check(round_id, position, key)
    groups = "-".join(body[i:i + 4] for i in range(0, len(body), 4))
    return f"FPH-{round_id}-G{position}-{groups}"


def parse_share(text: str) -> Share:
    """The share in a typed text or a downloaded file. ShareError("share_malformed") when
    no whole share is there (cut short, or not a share), "share_mistyped" when a
    character is wrong."""
    found = _SHARE.search(text.upper())
    if found is None:
        raise ShareError("share_malformed")
    body = re.sub(r"[\s\-]", "", found.group(3)).translate(_LOOK_ALIKES)[:_BODY + _CHECK]
    if len(body) != _BODY + _CHECK or re.fullmatch(r"[A-Z2-7]+", body) is None:
        raise ShareError("share_malformed")
    key = base64.b32decode(body[:_BODY] + "====")
    round_id, position = int(found.group(1)), int(found.group(2))
    if len(key) != KEY_BYTES or _check(round_id, position, key) != body[_BODY:]:
        raise ShareError("share_mistyped")
    return Share(round_id, position, key)
