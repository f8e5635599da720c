#!/usr/bin/env python3
"""Set up and run commons-abm with nothing but Python >= 3.11 (standard library only).

    python3 tasks.py demo   # virtual environment + the default scenario, end to end
    python3 tasks.py test   # virtual environment + lint, format and import-layer checks + the test suite

Each command creates ``.venv`` (once; again when ``pyproject.toml`` changes), installs
the package with its test extras, then runs. ``setup`` and ``test`` also make sure that
Debian's ``chromium`` is installed, which the browser tests drive: as root (or with a
password-less ``sudo``) they install it with ``apt-get``, else they say the command to run
(``test -m "not browser"`` runs without it). Extra arguments go to the command run:
``python3 tasks.py test -m "not slow"`` (pytest alone, with those arguments),
``python3 tasks.py demo --steps 30``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".commons-abm-installed"


def _fail(message: str) -> None:
    print(f"tasks.py: error: {message}", file=sys.stderr)
    sys.exit(2)


def _ensure_venv() -> Path:
    """Create the virtual environment and install the package, unless up to date."""
    if sys.version_info < (3, 11):  # noqa: UP036 - tasks.py must say so on an older Python
        _fail(f"Python >= 3.11 is needed (this is {sys.version.split()[0]})")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    python = BIN / ("python.exe" if os.name == "nt" else "python")
    if python.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        return python
    if not python.exists():
        print(f"creating {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    print("installing commons-abm and its dependencies ...", flush=True)
    pip = [str(python), "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "install", "--quiet", "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(wanted + "\n")
    return python


def _ensure_chromium() -> None:
    """Install Debian's ``chromium`` (the browser tests' browser) unless it is on the PATH."""
    if shutil.which("chromium"):
        return
    command = "apt-get install chromium"
    if os.name == "posix" and os.geteuid() == 0:
        prefix = []
    elif shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        prefix = ["sudo", "-n"]
    else:
        _fail(f"the browser tests need Debian's chromium: run `sudo {command}`, then this command again")
    if not shutil.which("apt-get"):
        _fail(f"the browser tests need Debian's chromium, and this system has no apt-get to run `{command}`")
    print("installing Debian's chromium for the browser tests ...", flush=True)
    quiet = ["env", "DEBIAN_FRONTEND=noninteractive"]  # no questions asked (sudo would drop the variable)
    for step in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]):
        print("$", *prefix, *step, flush=True)
        subprocess.run([*prefix, *quiet, *step], check=True)
    if not shutil.which("chromium"):
        _fail(f"`{command}` ran but no chromium is on the PATH")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "setup"}:
        _fail("usage: python3 tasks.py {demo|test|setup} [extra arguments]")
    command, extra = argv[0], argv[1:]
    python = _ensure_venv()
    os.chdir(ROOT)
    if command == "setup" or (command == "test" and not any("not browser" in arg for arg in extra)):
        _ensure_chromium()
    if command == "setup":
        return 0
    if command == "demo":
        cli = [
            str(python),
            "-m",
            "commons_abm",
            "run",
            "experiments/scenarios/default.toml",
            "--out",
            "results/default",
        ]
        return subprocess.call([*cli, *extra])
    if not extra:  # the whole check, as CI runs it: lint, format, import layers, then the tests
        for tool, *args in (("ruff", "check", "."), ("ruff", "format", "--check", "."), ("lint-imports", "--no-cache")):
            print("$", tool, *args, flush=True)
            status = subprocess.call([str(BIN / tool), *args])
            if status:
                return status
    return subprocess.call([str(python), "-m", "pytest", *extra])


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except subprocess.CalledProcessError as exc:
        _fail(f"setup step failed with status {exc.returncode}: {' '.join(map(str, exc.cmd))}")
