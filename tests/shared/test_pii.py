"""Personal data at rest: AES-256-GCM (``v2:``) for new values, every Fernet value still readable,
rotation moving both to the current key, and the keyed hash unchanged."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from cryptography.fernet import Fernet

from shared.pii import PiiCipher

KEY = "the-original-key-of-this-province"
NEXT = "the-key-of-the-next-year-0000000"
NUMBER = "440783197005170011"


def fernet_token(secret: str, value: str) -> str:
    """A value as the previous scheme stored it (Fernet under the same key derivation)."""
    key = base64.urlsafe_b64encode(hashlib.sha256(b"jingzhun-pii-encrypt|" + secret.encode()).digest())
    return Fernet(key).encrypt(value.encode()).decode()


def test_new_values_are_v2_and_each_has_its_own_nonce() -> None:
    cipher = PiiCipher(KEY)
    tokens = cipher.encrypt_many([NUMBER, NUMBER, "张小明"])
    assert all(t.startswith("v2:") for t in tokens)
    assert NUMBER not in tokens[0]
    assert tokens[0] != tokens[1]  # a fresh nonce each time
    assert [cipher.decrypt(t) for t in tokens] == [NUMBER, NUMBER, "张小明"]
    assert cipher.decrypt(cipher.encrypt(NUMBER)) == NUMBER
    assert cipher.encrypt_many([]) == []


def test_a_sealer_encrypts_each_value_as_encrypt_does_with_its_own_nonce() -> None:
    """A bulk import encrypts each ID as it checks it (PiiCipher.sealer) and blind-indexes its bytes
    (keyed_hash_of): the same tokens and hashes the one-value calls give."""
    cipher = PiiCipher(KEY)
    seal = cipher.sealer(3)
    tokens = [seal(NUMBER.encode()), seal(NUMBER.encode()), seal("张小明".encode())]
    assert all(t.startswith("v2:") and cipher.is_current(t) for t in tokens)
    assert tokens[0] != tokens[1]  # a fresh nonce each time
    assert [cipher.decrypt(t) for t in tokens] == [NUMBER, NUMBER, "张小明"]
    assert cipher.keyed_hash_of(NUMBER.encode()) == cipher.keyed_hash(NUMBER.lower() + " ")


def test_values_stored_with_fernet_still_decrypt_and_rotate_to_v2() -> None:
    old = fernet_token(KEY, NUMBER)
    same_key = PiiCipher(KEY)
    assert same_key.decrypt(old) == NUMBER
    assert not same_key.is_current(old)  # rotation moves it to the current scheme
    moved = same_key.rotate(old)
    assert moved.startswith("v2:")
    assert same_key.is_current(moved)
    assert same_key.decrypt(moved) == NUMBER

    during = PiiCipher(NEXT, previous=[KEY])
    assert during.decrypt(old) == NUMBER
    assert during.decrypt(moved) == NUMBER  # a v2 value under the previous key
    assert not during.is_current(moved)
    rotated = during.rotate(moved)
    assert during.is_current(rotated)
    assert PiiCipher(NEXT).decrypt(rotated) == NUMBER


def test_a_value_under_an_unknown_key_or_tampered_with_is_refused() -> None:
    token = PiiCipher(KEY).encrypt(NUMBER)
    for bad in (
        token,  # another key
        fernet_token(KEY, NUMBER),
        "v2:" + base64.urlsafe_b64encode(b"short").decode(),
        "v2:not base64!",
    ):
        with pytest.raises(ValueError, match="configured keys"):
            PiiCipher(NEXT).decrypt(bad)
        with pytest.raises(ValueError, match="configured keys"):
            PiiCipher(NEXT).rotate(bad)
    raw = bytearray(base64.urlsafe_b64decode(token[3:]))
    raw[-1] ^= 1  # one bit of the tag
    with pytest.raises(ValueError, match="configured keys"):
        PiiCipher(KEY).decrypt("v2:" + base64.urlsafe_b64encode(bytes(raw)).decode())


def test_the_keyed_hash_is_the_one_stored_before() -> None:
    """Stored hashes are looked up by value: HMAC-SHA256 under the same derived key, as ever."""
    key = hashlib.sha256(b"jingzhun-pii-hash|" + KEY.encode()).digest()
    expected = hmac.new(key, NUMBER.encode(), hashlib.sha256).hexdigest()
    assert PiiCipher(KEY).keyed_hash(NUMBER.lower() + " ") == expected
    assert PiiCipher(NEXT, hash_secret=KEY).keyed_hash(NUMBER) == expected
    cipher = PiiCipher(NEXT, hash_secret=KEY)
    for value in ("", "张小明", "44078319700517001X", "x" * 200):  # empty, multibyte, past one block
        assert cipher.keyed_hash(value) == hmac.new(key, value.upper().encode(), hashlib.sha256).hexdigest()
