"""``bench_pitch`` runs end to end with tiny numbers. Only exactness is asserted, no timings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def test_bench_pitch_counts_every_tap_exactly_once(tmp_path: Path) -> None:
    out = tmp_path / "pitch.json"
    # The command makes its own throwaway database and server; nothing of the test run leaks in.
    env = {key: value for key, value in os.environ.items() if not key.startswith("UNKONF_")}
    env["DJANGO_SETTINGS_MODULE"] = "unkonf.settings.test"

    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "bench_pitch",
            "--phones=20",
            "--screens=2",
            "--window=2",
            "--double=0.2",
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
    assert "every tap counted exactly once: OK" in finished.stdout
    results = json.loads(out.read_text())
    assert results["connect"]["connected"] == 22
    assert results["summary"]["exact"] is True
    (pitch,) = results["rounds"]
    assert pitch["tappers"] == 20
    assert pitch["taps_sent"] > 20  # some tapped twice
    assert pitch["accepted"] == pitch["taps_sent"]
    assert pitch["database"]["interest_count"] == 20
    assert pitch["database"]["rows"] == pitch["database"]["people"] == 20
    assert pitch["refused"] == {}
    assert pitch["errors"] == {}
    assert pitch["unanswered"] == 0
    assert pitch["closed_phones"] == 0
    assert pitch["fetch_errors"] == {}
    for screen in pitch["screens"]:
        assert screen["final_count"] == 20
        assert screen["messages"] >= 1
        assert screen["final_after_last_ack_ms"] is not None
    for key in (
        "accepted_per_s",
        "tap_p50_ms",
        "tap_p99_ms",
        "screen_final_p50_ms",
        "screen_final_p99_ms",
        "ping_p99_ms",
        "stalled_phones",
        "server_cpu_pct",
    ):
        assert key in pitch
