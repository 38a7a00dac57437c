"""A real `askalign serve` in a subprocess, for the tests that talk to it over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


@contextmanager
def serving(
    corpus: Path, index: Path, *args: str, env: dict[str, str] | None = None
) -> Iterator[dict]:
    """`askalign serve --port N *args`, up and answering; yields its url and process.
    Its output goes to a file, so a chatty server never blocks on a full pipe."""
    port = free_port("0.0.0.0" if "0.0.0.0" in args else "127.0.0.1")
    environment = os.environ | {
        "ASKALIGN_CORPUS_DIR": str(corpus),
        "ASKALIGN_INDEX_DIR": str(index),
    }
    log = index.parent / f"serve-{port}.log"
    with open(log, "w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "askalign", "serve", "--port", str(port), *args],
            env=environment | (env or {}),
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for(url, server, log)
        yield {"url": url, "corpus": corpus, "index": index, "process": server, "log": log}
    finally:
        server.terminate()
        server.wait(timeout=20)


def wait_for(url: str, server: subprocess.Popen, log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:  # up, but wants a login first
            return
        except OSError:
            if server.poll() is not None:
                pytest.fail(f"server exited: {log.read_text()}")
            time.sleep(0.5)
    server.kill()
    pytest.fail(f"server did not come up in {seconds:.0f} s: {log.read_text()}")
