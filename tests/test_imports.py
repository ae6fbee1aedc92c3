"""Each command imports what it needs: its help needs no config, store or HTTP client; a
config without channels needs no Apprise; matching builds its place regex when used."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("watcher.config", "watcher.cycle", "watcher.store", "httpx", "pydantic", "apprise")


def loaded_after(code: str, cwd: Path) -> set[str]:
    """The modules a fresh interpreter holds after running `code`."""
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_help_loads_neither_the_config_nor_the_cycle(tmp_path):
    for args in (["check", "--help"], ["status", "--help"], ["outbox", "--help"]):
        code = (
            "from watcher.cli import cli\n"
            "try:\n"
            f"    cli.main({args!r}, prog_name='watcher')\n"
            "except SystemExit:\n"
            "    pass"
        )
        loaded = loaded_after(code, tmp_path)
        assert "watcher.cli.app" in loaded
        assert not [m for m in HEAVY if m in loaded], args


def test_apprise_is_loaded_only_for_a_config_with_channels(tmp_path):
    site = "sites:\n  - name: Acme\n    greenhouse: acme\n"
    load = "from watcher import config\nconfig.parse({text!r}, 'sites.yaml', {{}})"
    assert "apprise" not in loaded_after(load.format(text=site), tmp_path)
    channel = "channels:\n  phone: json://127.0.0.1:9/n\n" + site
    assert "apprise" in loaded_after(load.format(text=channel), tmp_path)


def test_the_place_names_regex_is_built_on_first_use(tmp_path):
    code = """
import importlib
import watcher.config
places = importlib.import_module("watcher.match.places")
before = places._name_lookup.cache_info().currsize
found = places.places("Remote - Germany")
after = places._name_lookup.cache_info().currsize
assert (before, found, after) == (0, [frozenset({"DE"})], 1), (before, found, after)
"""
    loaded_after(code, tmp_path)


def test_httpcore_finds_sniffio_once_instead_of_searching_for_it_on_every_request(tmp_path):
    """httpcore 1.0 imports sniffio in every lock and event it sets up, and a failed
    import is searched for again each time: it is a dependency for that reason."""
    code = """
import asyncio
import httpcore._synchronization as sync
asyncio.run(asyncio.sleep(0))
async def main():
    return sync.current_async_library()
assert asyncio.run(main()) == "asyncio"
"""
    assert "sniffio" in loaded_after(code, tmp_path)
