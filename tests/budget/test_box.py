"""The encrypted box's pure rules: sealing, padding, trackers, the seal, Shamir shares and
the printed share's format. No app, no database."""

from __future__ import annotations

import itertools

import pytest

from civic.budget import box


def test_a_sealed_ballot_opens_only_with_the_count_key() -> None:
    private, public = box.new_key()
    sealed = box.encrypt(public, {12: 1, 3: 1}, box.width([3, 12, 40], 1))
    assert box.decrypt(private, sealed) == {"3": 1, "12": 1}
    other, _ = box.new_key()
    with pytest.raises(Exception):  # noqa: B017, PT011  (libsodium's CryptoError)
        box.decrypt(other, sealed)
    assert b'"3"' not in sealed
    assert b'"12"' not in sealed


def test_sealing_the_same_choices_twice_gives_unrelated_ciphertexts() -> None:
    _, public = box.new_key()
    first, second = (box.encrypt(public, {5: 1}, 40) for _ in range(2))
    assert first != second
    assert box.tracker(first) != box.tracker(second)


@pytest.mark.parametrize("choices", [{1: 1}, {1: 1, 22: 1}, {1: 1, 22: 1, 333: 1},
                                     {1: 5, 22: 5, 333: 5}])
def test_every_ballot_of_a_round_is_padded_to_one_size(choices: dict[int, int]) -> None:
    _, public = box.new_key()
    width = box.width([1, 22, 333], 5)
    assert len(box.encrypt(public, choices, width)) == width + 48


def test_the_receipt_is_the_start_of_the_tracker_and_is_read_back_loosely() -> None:
    tracker = "3f2a91bc0d4e77a1" + "0" * 48
    assert box.receipt(tracker) == "3F2A-91BC-0D4E-77A1"
    assert box.receipt_prefix(" 3f2a-91BC 0d4e-77a1 ") == tracker[:16]
    assert box.receipt_prefix("3F2A-91BC") is None  # too short to name one ballot
    assert box.receipt_prefix("3F2A-91BC-0D4E-77AZ") is None


def test_the_seal_adds_trackers_in_any_order() -> None:
    trackers = [f"{n:064x}" for n in (1, 2**255, 2**255 + 7)]
    assert box.seal_of(trackers) == f"{8:064x}"  # modulo 2^256
    seal = box.EMPTY_SEAL
    for tracker in reversed(trackers):
        seal = box.add_to_seal(seal, tracker)
    assert seal == box.seal_of(trackers)


@pytest.mark.parametrize(("threshold", "count"), [(2, 3), (3, 5), (2, 2)])
def test_any_threshold_of_pieces_rebuilds_the_key_and_fewer_do_not(threshold: int,
                                                                   count: int) -> None:
    private, _ = box.new_key()
    pieces = box.split(private, threshold, count)
    assert len(pieces) == count
    assert all(len(p) == 32 for p in pieces)
    for chosen in itertools.combinations(range(count), threshold):
        assert box.combine({i + 1: pieces[i] for i in chosen}) == private
    if threshold > 1:
        assert box.combine({1: pieces[0]}) != private
    assert box.combine({1: pieces[0], 3: pieces[1]} if count > 2 else
                       {2: pieces[0], 1: pieces[1]}) != private  # wrong indices


def test_a_share_reads_back_from_its_text_and_from_a_file() -> None:
    private, _ = box.new_key()
    text = box.share_text(42, 2, private)
    assert text.startswith("FPH-42-G2-")
    assert len(text.split("-")) == 3 + 14
    assert box.parse_share(text) == box.Share(42, 2, private)
    assert box.parse_share(text.lower().replace("-", " ")) == box.Share(42, 2, private)
    typed = text.replace("O", "0").replace("I", "1").replace("B", "8")  # read off paper
    assert box.parse_share(typed).key == private
    sheet = f"Part de clé du garant 2 pour « Appel 2026 ».\nTapez-la.\n\n{text}\n"
    assert box.parse_share(sheet).key == private


@pytest.mark.parametrize(("damage", "code"), [
    (lambda t: t[:-6], "share_malformed"),  # cut short
    (lambda t: "Bonjour", "share_malformed"),
    (lambda t: "FPH-1-G1-", "share_malformed"),
    (lambda t: t[:20] + ("A" if t[20] != "A" else "C") + t[21:], "share_mistyped"),
    (lambda t: t.replace("FPH-42-", "FPH-43-"), "share_mistyped"),  # the round is checked too
])
def test_a_damaged_share_is_told_apart(damage: object, code: str) -> None:
    private, _ = box.new_key()
    text = box.share_text(42, 1, private)
    with pytest.raises(box.ShareError) as refused:
        box.parse_share(damage(text))  # type: ignore[operator]
    assert refused.value.code == code


def test_a_piece_sealed_to_a_share_opens_with_that_share_only() -> None:
    share, public = box.new_key()
    sealed = box.seal_to(public, b"piece")
    assert box.open_with(share, sealed) == b"piece"
    with pytest.raises(box.ShareError):
        box.open_with(box.new_key()[0], sealed)


def test_the_trackers_a_receipt_names_lie_in_one_index_range() -> None:
    low, high = box.tracker_range("3f2a91bc0d4e77a1")
    inside = ["3f2a91bc0d4e77a1" + tail for tail in ("0" * 48, "f" * 48, "9a" * 24)]
    outside = ["3f2a91bc0d4e77a0" + "f" * 48, "3f2a91bc0d4e77a2" + "0" * 48]
    assert all(low <= t < high for t in inside)
    assert not any(low <= t < high for t in outside)
