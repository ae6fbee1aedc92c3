"""The floor: a plain download of the same boards, and nothing else.

    python -m benchmarks.download URLS LEVEL VALIDATORS_IN VALIDATORS_OUT

One `httpx.AsyncClient` with LEVEL requests in flight over the URLs listed in the file
URLS (one a line), sending the ETag and Last-Modified of VALIDATORS_IN (a JSON object
url -> [etag, last_modified], or `-` for none) and decoding each 200 body with
`orjson.loads`; then it writes the validators it got to VALIDATORS_OUT and prints one
JSON line: the wall time of the downloads and the statuses counted.

`benchmarks.run` runs it as a whole process, beside the whole `watcher check`, so that
both pay for the interpreter, their imports and their files. This module imports only
what the download needs, for that reason.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter

Validators = dict[str, tuple[str | None, str | None]]


async def download(
    urls: list[str], level: int, validators: Validators
) -> tuple[float, Validators, Counter[int]]:
    """Download every URL once with `level` requests in flight; decode each 200 body."""
    import httpx
    import orjson

    seen: Validators = {}
    statuses: Counter[int] = Counter()
    limits = httpx.Limits(max_connections=level, max_keepalive_connections=level)
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:
        gate = asyncio.Semaphore(level)

        async def one(url: str) -> None:
            headers = {}
            etag, modified = validators.get(url, (None, None))
            if etag:
                headers["If-None-Match"] = etag
            if modified:
                headers["If-Modified-Since"] = modified
            async with gate:
                reply = await client.get(url, headers=headers)
            statuses[reply.status_code] += 1
            if reply.status_code == 200:
                orjson.loads(reply.content)
            seen[url] = (reply.headers.get("etag"), reply.headers.get("last-modified"))

        started = time.perf_counter()
        await asyncio.gather(*(one(url) for url in urls))
        took = time.perf_counter() - started
    return took, seen, statuses


def main(argv: list[str]) -> None:
    urls_path, level, validators_in, validators_out = argv
    with open(urls_path, encoding="utf-8") as file:
        urls = file.read().split()
    validators: Validators = {}
    if validators_in != "-":
        with open(validators_in, encoding="utf-8") as file:
            validators = {
                url: (etag, modified) for url, (etag, modified) in json.load(file).items()
            }
    took, seen, statuses = asyncio.run(download(urls, int(level), validators))
    with open(validators_out, "w", encoding="utf-8") as file:
        json.dump(seen, file)
    print(json.dumps({"wall_s": round(took, 3), "statuses": dict(statuses)}))


if __name__ == "__main__":
    main(sys.argv[1:])
