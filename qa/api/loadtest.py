"""A small load test for a running server: N clients at once, each asking a few questions.

    python -m qa.api.loadtest --clients 10 50 --url http://127.0.0.1:7860

prints, per client count: requests, answers (200), rejections (429), other errors, throughput,
latency p50/p95 of the answers, and the p95 of ``GET /api/health`` probed during the load.
Traffic goes only to ``--url`` (keep it on loopback); every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import math
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

QUESTIONS = (
    "How many anchor projects are idle?",
    "Which towns have the weakest performance indicators?",
    "What is the GDP of Kazakhstan?",
)


@dataclass(frozen=True)
class Result:
    clients: int
    requests: int
    ok: int
    rejected: int  # 429 with Retry-After
    errors: int  # anything else, timeouts included
    seconds: float
    p50_ms: float
    p95_ms: float
    health_p95_ms: float
    retry_after_missing: int = 0

    def line(self) -> str:
        return (
            f"{self.clients:4d} clients  {self.requests:4d} requests  {self.ok:4d} ok  {self.rejected:4d} x 429  "
            f"{self.errors:3d} errors  {self.ok / self.seconds:6.2f} answers/s  p50 {self.p50_ms:7.0f} ms  "
            f"p95 {self.p95_ms:7.0f} ms  health p95 {self.health_p95_ms:5.1f} ms"
        )


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile; 0 for no values.

    >>> percentile([1, 2, 3, 4], 0.5), percentile([], 0.95)
    (2, 0.0)
    """
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))]


def _ask(client: httpx.Client, url: str, question: str) -> tuple[int, float, bool]:
    t = time.perf_counter()
    try:
        r = client.post(f"{url}/api/answer", json={"question": question})
        status, has_retry = r.status_code, "retry-after" in r.headers
    except httpx.HTTPError:
        status, has_retry = 0, False
    return status, (time.perf_counter() - t) * 1000, has_retry


def _probe_health(url: str, stop: threading.Event, out: list[float], every: float = 0.02) -> None:
    with httpx.Client(timeout=5.0) as client:
        while not stop.is_set():
            t = time.perf_counter()
            try:
                client.get(f"{url}/api/health")
                out.append((time.perf_counter() - t) * 1000)
            except httpx.HTTPError:
                out.append(5000.0)
            stop.wait(every)


def run(url: str, clients: int, per_client: int = 2, timeout: float = 120.0, key: str | None = None) -> Result:
    """``clients`` threads, each asking ``per_client`` questions one after another."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    stop, health = threading.Event(), []
    probe = threading.Thread(target=_probe_health, args=(url, stop, health), daemon=True)
    probe.start()
    t0 = time.perf_counter()

    def client_loop(i: int) -> list[tuple[int, float, bool]]:
        with httpx.Client(timeout=timeout, headers=headers) as c:
            return [_ask(c, url, QUESTIONS[(i + j) % len(QUESTIONS)]) for j in range(per_client)]

    with ThreadPoolExecutor(clients) as pool:
        results = [r for rs in pool.map(client_loop, range(clients)) for r in rs]
    seconds = time.perf_counter() - t0
    stop.set()
    probe.join()
    ok_ms = [ms for status, ms, _ in results if status == 200]
    return Result(
        clients=clients,
        requests=len(results),
        ok=len(ok_ms),
        rejected=sum(status == 429 for status, _, _ in results),
        errors=sum(status not in (200, 429) for status, _, _ in results),
        seconds=seconds,
        p50_ms=statistics.median(ok_ms) if ok_ms else 0.0,
        p95_ms=percentile(ok_ms, 0.95),
        health_p95_ms=percentile(health, 0.95),
        retry_after_missing=sum(status == 429 and not has for status, _, has in results),
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m qa.api.loadtest", description=__doc__.split("\n\n")[0])
    p.add_argument("--url", default="http://127.0.0.1:7860", help="the server (loopback)")
    p.add_argument("--clients", type=int, nargs="+", default=[10, 50], help="client counts to try, in turn")
    p.add_argument("--requests", type=int, default=2, help="questions per client")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds before one request counts as failed")
    p.add_argument("--key", help="QA_API_KEY of the server, if set")
    args = p.parse_args(argv)
    for n in args.clients:
        print(run(args.url.rstrip("/"), n, args.requests, args.timeout, args.key).line(), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
