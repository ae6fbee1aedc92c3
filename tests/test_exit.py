"""The console script leaves without the interpreter's teardown, and loses nothing for it:
exit codes, all the output, exit handlers, and threads still running."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def console(code: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `code`, then `watcher ARGS` through the console script's `main`."""
    call = f"from watcher.cli import main\nsys.argv = ['watcher', *{args!r}]\nmain()"
    script = f"import sys\n{code}\n{call}\nprint('returned')"
    return subprocess.run(
        [sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_exit_codes_and_the_whole_output(tmp_path):
    done = console("", "schema", cwd=tmp_path)
    assert done.returncode == 0 and "returned" not in done.stdout
    assert json.loads(done.stdout)["title"] == "watcher sites.yaml"  # 30 KB, all of it
    (tmp_path / "sites.yaml").write_text("sites:\n  - name: Acme\n    greenhouse: [\n")
    done = console("", "check", cwd=tmp_path)
    assert done.returncode == 2 and "sites.yaml:" in done.stderr


def test_exit_handlers_run_and_running_threads_finish(tmp_path):
    handler = "import atexit\natexit.register(lambda: print('handler ran', flush=True))"
    done = console(handler, "--version", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.endswith("handler ran\n")
    thread = (
        "import threading, time\n"
        "threading.Thread(target=lambda: (time.sleep(0.3), print('thread done'))).start()"
    )
    done = console(thread, "--version", cwd=tmp_path)
    assert done.returncode == 0 and "thread done" in done.stdout
