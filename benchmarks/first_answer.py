"""Seconds from starting `askalign serve` to its first answer over HTTP: a user's wait.

    .venv/bin/python benchmarks/first_answer.py --runs 3

Run from the repository root: it serves ./index (run `askalign ingest` first), a fresh
server process each run.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import time

import httpx
from load import ask


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def first_answer_s() -> float:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "askalign", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(timeout=60) as client:
            while True:
                try:
                    if ask(client, url, "What is corrigibility?") == "ok":
                        return time.perf_counter() - started
                except httpx.TransportError:
                    if server.poll() is not None:
                        raise SystemExit("the server exited: run from the repo root") from None
                    time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = [round(first_answer_s(), 2) for _ in range(parser.parse_args().runs)]
    print(json.dumps({"first_answer_s": runs}))


if __name__ == "__main__":
    main()
