"""Photos that would cost the server too much memory are refused from their header,
before decoding; a large phone photo still goes through, decoded at a fraction of its
size."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from PIL import Image, ImageFile

from civic.core.uploads import MAX_DECODED_BYTES, MAX_SIDE, NotAPhoto, reencode


def encoded(image: Image.Image, fmt: str, **options: Any) -> BytesIO:
    out = BytesIO()
    image.save(out, fmt, **options)
    out.seek(0)
    return out


@pytest.fixture
def decodes(monkeypatch: Any) -> list[tuple[int, int]]:
    """The sizes of the images actually decoded."""
    seen: list[tuple[int, int]] = []
    load = ImageFile.ImageFile.load

    def spy(self: ImageFile.ImageFile) -> Any:
        seen.append(self.size)
        return load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    return seen


def test_a_small_file_announcing_a_huge_rgba_image_is_refused_before_decoding(
        decodes: list[tuple[int, int]]) -> None:
    # The audit's file: a 6 300 × 6 300 RGBA PNG, a few hundred KB, 160 MB once decoded.
    bomb = encoded(Image.new("RGBA", (6300, 6300), (200, 30, 30, 255)), "PNG",
                   optimize=True)
    assert len(bomb.getvalue()) < 300_000
    with pytest.raises(NotAPhoto):
        reencode(bomb)
    assert decodes == []


def test_the_budget_counts_bytes_not_pixels() -> None:
    side = int((MAX_DECODED_BYTES / 4) ** 0.5) + 10  # fits in RGB, not in RGBA
    assert side * side * 3 <= MAX_DECODED_BYTES
    with pytest.raises(NotAPhoto):
        reencode(encoded(Image.new("RGBA", (side, side)), "PNG"))
    assert max(Image.open(BytesIO(reencode(encoded(Image.new("RGB", (side, side)), "PNG"))))
               .size) == MAX_SIDE


def test_a_large_phone_photo_is_decoded_at_a_fraction_of_its_size(
        decodes: list[tuple[int, int]]) -> None:
    photo = encoded(Image.new("RGB", (5200, 3900), (10, 120, 200)), "JPEG", quality=70)
    assert MAX_DECODED_BYTES < 5200 * 3900 * 3  # too big to decode whole
    clean = Image.open(BytesIO(reencode(photo)))
    assert clean.format == "JPEG"
    assert max(clean.size) == MAX_SIDE
    assert decodes
    assert all(w * h * 3 <= MAX_DECODED_BYTES for w, h in decodes)


def test_formats_a_phone_does_not_send_are_not_even_parsed() -> None:
    icon = encoded(Image.new("RGB", (64, 64)), "ICO")
    with pytest.raises(NotAPhoto):
        reencode(icon)
