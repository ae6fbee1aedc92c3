"""The unit files in systemd/ pass `systemd-analyze verify` without a word, and the system
services' `systemd-analyze security` exposure stays at most 2.0.

`verify` checks that each Exec*= binary exists, and the installed paths (/usr/local/bin/watcher,
%h/.local/bin/watcher) need not exist here. So the units are verified as copies in a temporary
folder: the system units with ExecStart='s program replaced by a stub executable (ExecReload=
/bin/kill and the rest stay as they are and are checked for real); the user units unchanged,
under a temporary $HOME whose .local/bin/watcher is that stub, so %h is expanded and checked as
systemd would. Every unit of a folder is copied, so a timer has its service beside it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
pytestmark = pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")

UNITS = Path(__file__).resolve().parents[1] / "systemd"
SYSTEM_UNITS = sorted(p for p in UNITS.iterdir() if p.suffix in (".service", ".timer"))
USER_UNITS = sorted(p for p in (UNITS / "user").iterdir() if p.suffix in (".service", ".timer"))
MAX_EXPOSURE = 2.0
# Settings about running the program rather than sandboxing it: these may differ between the
# daemon and the one-shot check, everything else in [Service] must not.
PROCESS_KEYS = {
    "Type",
    "NotifyAccess",
    "ExecStart",
    "ExecReload",
    "WatchdogSec",
    "Restart",
    "RestartSec",
    "RestartPreventExitStatus",
    "SuccessExitStatus",
    "TimeoutStartSec",
    "TimeoutStopSec",
}
# Settings a per-user manager cannot apply at all, or only through PrivateUsers=yes (user
# namespaces, not available everywhere): none of them may be active in systemd/user/.
NOT_FOR_USER_UNITS = {
    "User",
    "DynamicUser",
    "CapabilityBoundingSet",
    "AmbientCapabilities",
    "ProtectProc",
    "ProcSubset",
    "ProtectControlGroups",
    "RemoveIPC",
    "PrivateUsers",
    "PrivateTmp",
    "PrivateDevices",
    "PrivateMounts",
    "ProtectSystem",
    "ProtectHome",
    "ProtectKernelTunables",
    "ProtectKernelModules",
    "ProtectKernelLogs",
    "ProtectClock",
    "ProtectHostname",
}


def _settings(path: Path) -> dict[str, list[tuple[str, str]]]:
    """The unit's sections, each as its (key, value) lines in order (keys may repeat)."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] = []
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        else:
            key, _, value = line.partition("=")
            current.append((key.strip(), value.strip()))
    return sections


def _stub(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


def _stage_system_units(folder: Path) -> Path:
    """Copy the system units into `folder`, each ExecStart= program replaced by a stub."""
    stub = _stub(folder / "bin" / "watcher")
    for unit in SYSTEM_UNITS:
        text = unit.read_text()
        for match in re.finditer(r"^ExecStart=[-@:+!]*(\S+)", text, flags=re.MULTILINE):
            assert match[1] == "/usr/local/bin/watcher", f"{unit.name}: unexpected {match[0]}"
        text = re.sub(r"^(ExecStart=[-@:+!]*)\S+", rf"\g<1>{stub}", text, flags=re.MULTILINE)
        (folder / unit.name).write_text(text)
    return folder


def _user_env(tmp_path: Path) -> dict[str, str]:
    """An environment for `systemd-analyze --user` with a fresh $HOME holding the stub."""
    home = tmp_path / "home"
    _stub(home / ".local" / "bin" / "watcher")
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env.update(HOME=str(home), XDG_RUNTIME_DIR=str(runtime), SYSTEMD_LOG_COLOR="0")
    return env


def _analyze(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    assert SYSTEMD_ANALYZE is not None
    return subprocess.run(
        [SYSTEMD_ANALYZE, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


def test_there_are_units_to_check() -> None:
    names = {p.name for p in SYSTEM_UNITS}
    assert {"watcher.service", "watcher-check.service", "watcher-check.timer"} <= names
    assert names == {p.name for p in USER_UNITS}


@pytest.mark.parametrize("unit", SYSTEM_UNITS, ids=lambda p: p.name)
def test_system_unit_verifies_cleanly(unit: Path, tmp_path: Path) -> None:
    staged = _stage_system_units(tmp_path) / unit.name
    result = _analyze("verify", str(staged))
    # verify exits 0 on unknown keys and bad values: any message at all is a failure.
    assert result.stderr == "" and result.returncode == 0, result.stderr


@pytest.mark.parametrize("unit", USER_UNITS, ids=lambda p: p.name)
def test_user_unit_verifies_cleanly(unit: Path, tmp_path: Path) -> None:
    folder = tmp_path / "units"
    folder.mkdir()
    for other in USER_UNITS:
        shutil.copy(other, folder / other.name)
    result = _analyze("--user", "verify", str(folder / unit.name), env=_user_env(tmp_path))
    assert result.stderr == "" and result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "unit", [p for p in SYSTEM_UNITS if p.suffix == ".service"], ids=lambda p: p.name
)
def test_system_service_exposure_is_low(unit: Path, tmp_path: Path) -> None:
    staged = _stage_system_units(tmp_path) / unit.name
    result = _analyze("security", "--offline=true", "--no-pager", str(staged))
    assert result.returncode == 0 and result.stderr == "", result.stderr
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout)
    assert found, result.stdout
    exposure = float(found[1])
    assert exposure <= MAX_EXPOSURE, result.stdout


@pytest.mark.parametrize("folder", [UNITS, UNITS / "user"], ids=["system", "user"])
def test_each_timer_has_its_service(folder: Path) -> None:
    for timer in folder.glob("*.timer"):
        assert (folder / f"{timer.stem}.service").is_file()
        assert "WantedBy=timers.target" in timer.read_text()


@pytest.mark.parametrize("folder", [UNITS, UNITS / "user"], ids=["system", "user"])
def test_check_service_is_sandboxed_like_the_daemon(folder: Path) -> None:
    def sandbox(name: str) -> list[tuple[str, str]]:
        lines = _settings(folder / name)["Service"]
        return sorted(line for line in lines if line[0] not in PROCESS_KEYS)

    assert sandbox("watcher-check.service") == sandbox("watcher.service")


@pytest.mark.parametrize("unit", USER_UNITS, ids=lambda p: p.name)
def test_user_units_use_only_what_an_unprivileged_manager_can_apply(unit: Path) -> None:
    keys = {key for lines in _settings(unit).values() for key, _ in lines}
    assert not keys & NOT_FOR_USER_UNITS
    for key, value in _settings(unit).get("Service", []):
        if key == "ExecStart":
            assert value.startswith("%h/.local/bin/watcher ")
