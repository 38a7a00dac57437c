"""Latency of a running `askalign serve` under N concurrent clients, over plain HTTP.

Each client asks /ask (the JSON API) in a closed loop, no pause between questions, for
the given seconds: the worst case for a small server. Start the server first:

    .venv/bin/askalign serve --port 7860 &
    .venv/bin/python benchmarks/load.py --url http://127.0.0.1:7860/ --clients 20 --seconds 60

Latency is from the POST to the last byte of the answer (Gradio's two-step call: the
POST queues the question, the GET streams its result). A refusal from a full queue
counts as "busy", not as a latency.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import threading
import time
from pathlib import Path

import httpx

QUESTIONS = Path(__file__).resolve().parents[1] / "tests" / "data" / "dev_questions.jsonl"


def questions() -> list[str]:
    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def ask(client: httpx.Client, url: str, question: str) -> str:
    """'ok', 'busy' or 'error', after the whole answer arrived."""
    posted = client.post(f"{url}gradio_api/call/ask", json={"data": [question, "", ""]})
    if posted.status_code != 200:
        return "busy" if "full" in posted.text.lower() else "error"
    event_id = posted.json()["event_id"]
    with client.stream("GET", f"{url}gradio_api/call/ask/{event_id}") as stream:
        events = [line for line in stream.iter_lines() if line.startswith("event:")]
    if "event: complete" in events:
        return "ok"
    return "busy" if any("full" in e.lower() for e in events) else "error"


def client_loop(url: str, asked: itertools.cycle, until: float, results: list) -> None:
    with httpx.Client(timeout=120) as client:
        while time.monotonic() < until:
            start = time.perf_counter()
            outcome = ask(client, url, next(asked))
            results.append((outcome, time.perf_counter() - start))


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:7860/")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    url = args.url.rstrip("/") + "/"
    asked = itertools.cycle(questions())
    with httpx.Client(timeout=120) as warm:  # the first answer loads the model
        ask(warm, url, next(asked))
    results: list[tuple[str, float]] = []
    until = time.monotonic() + args.seconds
    threads = [
        threading.Thread(target=client_loop, args=(url, asked, until, results))
        for _ in range(args.clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ok = [seconds * 1000 for outcome, seconds in results if outcome == "ok"]
    report = {
        "clients": args.clients,
        "seconds": args.seconds,
        "answers": len(ok),
        "busy": sum(outcome == "busy" for outcome, _ in results),
        "errors": sum(outcome == "error" for outcome, _ in results),
        "per_second": round(len(ok) / args.seconds, 1),
        "p50_ms": round(percentile(ok, 50)),
        "p95_ms": round(percentile(ok, 95)),
        "max_ms": round(max(ok, default=0)),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
