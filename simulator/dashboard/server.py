"""Serving the dashboard: `solara run` on the app file, in its own process, on 127.0.0.1 unless
another host is asked for.

The server makes no outbound request: Solara's start-up check for a newer release on PyPI is
turned off (`--no-check-version`) and so is its usage telemetry (`SOLARA_TELEMETRY_MIXPANEL_ENABLE`,
which otherwise posts to api.mixpanel.com and asks api.ipify.org for the machine's address at
start); the page's assets ship with the package. A training room may have no internet, and a tool
should not phone out unasked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from simulator.dashboard.catalog import ENV_PRESENTER, ENV_SCENARIO, FIRST, catalog, resolve
from simulator.scenario import load_scenario

APP = Path(__file__).with_name("app.py")
OFFLINE = {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}  # Solara's settings read it at import
DEFAULT_PORT = 8765


def command(host: str = "127.0.0.1", port: int = DEFAULT_PORT) -> list[str]:
    """The solara command line that serves the app."""
    return [sys.executable, "-m", "solara", "run", str(APP), "--host", host, "--port", str(port),
            "--production", "--no-open", "--no-check-version", "--log-level", "warning"]


def environment(scenario: str | None, presenter: bool = False) -> dict[str, str]:
    """The server's environment: the chosen scenario (its picker name, or the file's absolute path
    when it is not in the picker), checked before anything starts, and whether the page opens on
    the presenter's view."""
    name, path = resolve(scenario or FIRST[0])
    load_scenario(path)  # a bad file is refused here, with the field and what is allowed
    return {**os.environ, **OFFLINE, ENV_SCENARIO: name if name in catalog() else str(path.resolve()),
            ENV_PRESENTER: "1" if presenter else "0"}


def serve(scenario: str | None = None, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
          presenter: bool = False) -> int:
    """Become the server (the process is replaced, so stopping it stops the server); where exec
    is not available, run it as a child until interrupted and return its exit status."""
    env = environment(scenario, presenter)
    print(f"salesim dashboard: http://{host}:{port}  (Ctrl-C stops it)", flush=True)
    argv = command(host, port)
    if hasattr(os, "execve") and os.name == "posix":
        os.execve(argv[0], argv, env)
    try:
        return subprocess.call(argv, env=env)
    except KeyboardInterrupt:
        return 0
