"""A real Prometheus server (Debian's package, installed by `make test` through
scripts/system-packages) scrapes the live product with a bearer token, answers a query with the
product's figure, and evaluates the example alert rules of docs/prometheus/alerts.yml, which
promtool also validates."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.utils import timezone

from hotline.cases.models import Case
from hotline.testing.base import load_demo_network

ROOT = Path(__file__).resolve().parents[3]
RULES = ROOT / "docs" / "prometheus" / "alerts.yml"
RULES_IN_FILE = RULES.read_text().count("- alert: ")
PROMETHEUS = "/usr/bin/prometheus"
PROMTOOL = "/usr/bin/promtool"
TOKEN = "prometheus-test-token-7c1f"

needs_prometheus = pytest.mark.skipif(
    not (Path(PROMETHEUS).exists() and Path(PROMTOOL).exists()),
    reason="Debian's prometheus package is not installed (make test installs it)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


@pytest.fixture
def prometheus(live_server: Any, transactional_db: None, settings: Any) -> Iterator[str]:
    """Prometheus on a free loopback port, scraping the live server every second with the
    bearer token only (no address is allowed), with the example rules; removed afterwards."""
    settings.METRICS_ALLOWED_ADDRESSES = []
    settings.METRICS_TOKEN = TOKEN
    target = urllib.parse.urlsplit(live_server.url)
    port = _free_port()
    data = Path(tempfile.mkdtemp(prefix="hotline-test-prometheus-"))
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(RULES)],
        "scrape_configs": [{
            "job_name": "hotline", "metrics_path": "/metrics",
            "authorization": {"type": "Bearer", "credentials": TOKEN},
            "static_configs": [{"targets": [f"127.0.0.1:{target.port}"]}],
        }],
    }
    (data / "prometheus.yml").write_text(yaml.safe_dump(config))
    log = (data / "prometheus.log").open("w")
    server = subprocess.Popen(
        [PROMETHEUS, f"--config.file={data / 'prometheus.yml'}",
         f"--storage.tsdb.path={data / 'tsdb'}", f"--web.listen-address=127.0.0.1:{port}"],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()
        shutil.rmtree(data, ignore_errors=True)
    assert not data.exists()


def _query(base: str, promql: str) -> list[dict[str, Any]]:
    answer = _get(f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": promql}))
    assert answer["status"] == "success", answer
    return list(answer["data"]["result"])


def _until(what: str, probe: Any, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = probe()
            if last:
                return last
        except OSError as e:  # not listening yet
            last = e
        time.sleep(0.3)
    raise AssertionError(f"{what}: still {last!r} after {timeout} s")


@needs_prometheus
def test_the_example_rules_are_valid() -> None:
    result = subprocess.run([PROMTOOL, "check", "rules", str(RULES)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


@needs_prometheus
def test_prometheus_scrapes_the_product_and_evaluates_the_rules(prometheus: str) -> None:
    load_demo_network()
    now = timezone.now()
    for i in range(3):
        Case.objects.create(url=f"https://p.example.test/{i}", url_sha256=f"{i:064x}",
                            host="p.example.test", registrable_domain="example.test",
                            first_reported=now, last_reported=now)
    _until("Prometheus ready", lambda: urllib.request.urlopen(
        f"{prometheus}/-/ready", timeout=5).status == 200)

    targets = _until("a successful scrape", lambda: [
        t for t in _get(f"{prometheus}/api/v1/targets")["data"]["activeTargets"]
        if t["health"] == "up"])
    assert targets[0]["labels"]["job"] == "hotline"

    result = _until("the figure read back", lambda: _query(
        prometheus, 'hotline_cases_waiting{status="open"}'))
    assert result[0]["value"][1] == "3"

    # The example rules run against the product's own metrics: no worker has ever beaten,
    # so HotlineWorkerMissing is pending (it fires after its 5 minutes).
    alerts = _until("an alert from the example rules", lambda: [
        a for a in _get(f"{prometheus}/api/v1/alerts")["data"]["alerts"]
        if a["labels"]["alertname"] == "HotlineWorkerMissing"])
    assert {a["labels"]["queue"] for a in alerts} == {"default", "capture"}
    groups = _get(f"{prometheus}/api/v1/rules")["data"]["groups"]
    rules = [r for g in groups for r in g["rules"]]
    assert len(rules) == RULES_IN_FILE
    _until("every rule evaluated without error", lambda: all(
        r["health"] == "ok" for g in _get(f"{prometheus}/api/v1/rules")["data"]["groups"]
        for r in g["rules"]))
