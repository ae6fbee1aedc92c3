"""How descriptions are stored: zstd frames, with a dictionary once there is one.

A job description of a few KB compresses about 3x on its own; most of what it
holds (markup, the company's boilerplate, the words of job ads) recurs across
postings, which a small input cannot exploit. So once a database has stored
`TRAIN_AFTER` descriptions, a 64 KB dictionary is trained from them, kept in the
database, and used for every description written after it: about 4.7x on the
benchmark's boards, and faster to compress (17 us against 26 here). Rows written
before keep dictionary 0 (none) and stay readable.

Pure: no SQLite here. `Packer` holds the dictionaries it was given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import zstandard

LEVEL = 1
TRAIN_AFTER = 2000  # descriptions stored without a dictionary before one is trained
DICTIONARY_SIZE = 64 * 1024
NO_DICTIONARY = 0


class Packer:
    """Compresses with the newest dictionary; decompresses with any, loading each
    dictionary once (`load(id)` returns its bytes)."""

    def __init__(self, load: Callable[[int], bytes | None]):
        self._load = load
        self._compressor = zstandard.ZstdCompressor(level=LEVEL)
        self.dictionary = NO_DICTIONARY  # the id `pack` writes with
        self._decompressors: dict[int, zstandard.ZstdDecompressor] = {
            NO_DICTIONARY: zstandard.ZstdDecompressor()
        }

    def use(self, dictionary: int, data: bytes) -> None:
        """Compress with this dictionary from now on."""
        shared = self._remember(dictionary, data)
        self._compressor = zstandard.ZstdCompressor(level=LEVEL, dict_data=shared)
        self.dictionary = dictionary

    def _remember(self, dictionary: int, data: bytes) -> zstandard.ZstdCompressionDict:
        shared = zstandard.ZstdCompressionDict(data)
        self._decompressors[dictionary] = zstandard.ZstdDecompressor(dict_data=shared)
        return shared

    def pack(self, text: str) -> bytes:
        """Text as stored (UTF-8, compressed), for dictionary `self.dictionary`."""
        return self._compressor.compress(text.encode("utf-8", "surrogatepass"))

    def unpack(self, body: bytes | None, dictionary: int | None) -> str | None:
        if body is None:
            return None
        key = dictionary or NO_DICTIONARY
        if key not in self._decompressors:
            data = self._load(key)
            if data is None:
                raise ValueError(f"description dictionary {key} is missing")
            self._remember(key, data)
        return self._decompressors[key].decompress(body).decode("utf-8", "surrogatepass")


def train(samples: Sequence[str]) -> bytes | None:
    """A dictionary trained from sample descriptions; None when zstd cannot make one
    (too few or too uniform samples)."""
    data: list[bytes | bytearray | memoryview] = [
        s.encode("utf-8", "surrogatepass") for s in samples if s
    ]
    try:
        return zstandard.train_dictionary(DICTIONARY_SIZE, data, level=LEVEL).as_bytes()
    except zstandard.ZstdError:
        return None
