"""``bench_realtime`` runs end to end with tiny numbers. Figures are never asserted here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def test_bench_realtime_delivers_every_message_on_unkonf_and_the_baseline(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    # The command makes its own throwaway database and servers; nothing of the test run leaks in.
    env = {key: value for key, value in os.environ.items() if not key.startswith("UNKONF_")}
    env["DJANGO_SETTINGS_MODULE"] = "unkonf.settings.test"

    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "bench_realtime",
            "--clients=20",
            "--duration=2",
            "--warmup=0.3",
            "--wait-quiet=0",
            "--timeout=60",
            f"--json={out}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )

    assert finished.returncode == 0, finished.stderr[-3000:]
    results = json.loads(out.read_text())
    scenarios = {scenario["kind"]: scenario for scenario in results["scenarios"]}
    assert sorted(scenarios) == ["bare", "unkonf"]
    for scenario in scenarios.values():
        assert scenario["clients"] == 20
        assert scenario["messages"] == 20
        assert scenario["refused"] == 0
        assert scenario["expected"] == 20 * 20
        assert scenario["delivered"] == 20 * 20
        assert scenario["all_delivered"] is True
        assert scenario["connect_failures"] == {}
    assert "p99 ms" in finished.stdout
