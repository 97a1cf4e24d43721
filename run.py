#!/usr/bin/env python3
"""unkonf's two commands. They need nothing but Python 3.11+ and Git.

    python3 run.py demo [ARGS]   the demo on http://localhost:8000 (ARGS go to `unkonf demo`)
    python3 run.py test          every check CI runs, in order, stopping at the first failure
        --fast                   only the test suites: no formatting, lint, types, import
                                 contracts, migrations or deployment checks
        --keep-going             run every step even after one failed
        -- ARGS                  only `pytest ARGS` (SQLite unless UNKONF_TEST_DATABASE_URL
                                 is set), e.g. `python3 run.py test -- tests/events -x`

Both create `.venv` when it is missing and install the project into it; they reinstall when
pyproject.toml has changed since the last install. `test` reads UNKONF_TEST_DATABASE_URL and
UNKONF_TEST_REDIS_URL (`.ci/run` sets them) for the PostgreSQL/Redis run of the suite, and
installs Debian's Chromium for the browser tests when it is missing and it runs as root.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

if sys.version_info < (3, 11):  # noqa: UP036 - say so clearly instead of failing somewhere
    sys.exit(f"unkonf needs Python 3.11 or newer; this is {sys.version.split()[0]}.")

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
STAMP = VENV / ".unkonf-installed"
CHROMIUM = Path("/usr/bin/chromium")
PYTEST_WORKERS = "2"
SERVICES_HINT = (
    "PostgreSQL/Redis not configured: service tests skipped "
    "(set UNKONF_TEST_DATABASE_URL=postgres://… and UNKONF_TEST_REDIS_URL=redis://…)"
)
USAGE = __doc__ or ""


def say(text: str) -> None:
    print(text, flush=True)


# --- Installing ---------------------------------------------------------------------------------


def _install_fingerprint() -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def ensure_installed() -> None:
    """Create .venv if needed; (re)install the project when pyproject.toml changed."""
    if not (BIN / "python").exists():
        say(f"==> creating {VENV.relative_to(ROOT)} with {sys.executable}")
        if subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=False).returncode:
            sys.exit(
                "Could not create the virtual environment. On Debian/Ubuntu install the venv "
                "module first: apt-get install python3-venv"
            )
    fingerprint = _install_fingerprint()
    installed = STAMP.read_text().strip() if STAMP.exists() else ""
    if installed == fingerprint and (BIN / "unkonf").exists():
        return
    say('==> installing unkonf and its development tools (pip install -e ".[dev]")')
    started = time.monotonic()
    pip = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check"]
    result = subprocess.run([*pip, "install", "--quiet", "-e", ".[dev]"], cwd=ROOT, check=False)
    if result.returncode:
        sys.exit("Installing failed (see pip's output above).")
    STAMP.write_text(fingerprint + "\n")
    say(f"<== installed in {time.monotonic() - started:.1f} s")


def tool(name: str) -> str:
    return str(BIN / name)


def base_env(**extra: str) -> dict[str, str]:
    """The environment for checks: none of the caller's UNKONF_* or Django settings leak in."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("UNKONF_")
        and key not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def test_env(*, services: bool) -> dict[str, str]:
    env = base_env(DJANGO_SETTINGS_MODULE="unkonf.settings.test")
    if services:
        for key in ("UNKONF_TEST_DATABASE_URL", "UNKONF_TEST_REDIS_URL"):
            if os.environ.get(key):
                env[key] = os.environ[key]
    return env


# --- Steps --------------------------------------------------------------------------------------


@dataclass
class Step:
    name: str
    argv: list[str]
    env: dict[str, str]


@dataclass
class Report:
    rows: list[tuple[str, str, float | None]] = field(default_factory=list)
    failed: bool = False

    def run(self, step: Step) -> bool:
        say(f"\n==> {step.name}\n    $ {shlex.join(step.argv)}")
        started = time.monotonic()
        code = subprocess.run(step.argv, cwd=ROOT, env=step.env, check=False).returncode
        seconds = time.monotonic() - started
        status = "ok" if code == 0 else f"FAILED (exit code {code})"
        say(f"<== {step.name}: {status} in {seconds:.1f} s")
        self.rows.append((step.name, status, seconds))
        self.failed = self.failed or code != 0
        return code == 0

    def skip(self, name: str, reason: str) -> None:
        say(f"\n==> {name}\n    SKIPPED: {reason}")
        self.rows.append((name, f"skipped: {reason}", None))

    def not_run(self, names: list[str]) -> None:
        self.rows.extend((name, "not run (an earlier step failed)", None) for name in names)

    def print_summary(self, total: float) -> None:
        width = max(len(name) for name, _, _ in self.rows) if self.rows else 0
        say("\n" + "=" * 78 + "\nSummary")
        for name, status, seconds in self.rows:
            duration = f"{seconds:7.1f} s" if seconds is not None else " " * 9
            say(f"  {name.ljust(width)}  {duration}  {status}")
        verdict = "FAILED" if self.failed else "all passed"
        say(f"{verdict} in {total:.1f} s\n" + "=" * 78)


def ensure_chromium(report: Report) -> str | None:
    """Install Debian's Chromium if it is missing and we may; otherwise say why not."""
    if CHROMIUM.exists():
        return None
    if not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get")):
        return (
            f"Chromium not found at {CHROMIUM} and cannot be installed (not root): "
            "browser tests skipped"
        )
    name = "install Chromium (apt-get)"
    command = "apt-get update && apt-get install -y chromium"
    say(f"\n==> {name}\n    $ {command}")
    started = time.monotonic()
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    code = subprocess.run(["sh", "-c", command], env=env, check=False).returncode
    seconds = time.monotonic() - started
    if code == 0 and CHROMIUM.exists():
        report.rows.append((name, "ok", seconds))
        return None
    problem = f"exit code {code}" if code else f"still no {CHROMIUM}"
    report.rows.append((name, f"could not install ({problem})", seconds))
    return f"Chromium could not be installed at {CHROMIUM} ({problem}): browser tests skipped"


def check_steps() -> list[Step]:
    production = base_env(
        DJANGO_SETTINGS_MODULE="unkonf.settings.base",
        UNKONF_SECRET_KEY=secrets.token_urlsafe(50),
        UNKONF_ALLOWED_HOSTS="unkonf.example.org",
        UNKONF_SITE_URL="https://unkonf.example.org",
        UNKONF_SMTP_HOST="smtp.example.org",
        UNKONF_DEBUG="0",
    )
    no_database = {**test_env(services=False), "UNKONF_DATABASE_URL": "sqlite:///:memory:"}
    return [
        Step("ruff format --check", [tool("ruff"), "format", "--check", "."], base_env()),
        Step("ruff check", [tool("ruff"), "check", "."], base_env()),
        Step("mypy src", [tool("mypy"), "src"], base_env()),
        Step("lint-imports", [tool("lint-imports")], base_env()),
        Step(
            "makemigrations --check",
            [tool("unkonf"), "makemigrations", "--check", "--dry-run"],
            no_database,
        ),
        Step(
            "check --deploy (production settings)",
            [tool("unkonf"), "check", "--deploy", "--fail-level", "WARNING"],
            production,
        ),
    ]


def pytest_argv(*args: str) -> list[str]:
    return [tool("pytest"), *args]


def run_tests(*, fast: bool, keep_going: bool) -> int:
    started = time.monotonic()
    report = Report()
    compile_step = Step(
        "compile translations",
        [tool("unkonf"), "compile_translations"],
        test_env(services=False),
    )
    steps = [compile_step] + ([] if fast else check_steps())
    sqlite_suite = Step(
        "pytest: suite on SQLite",
        pytest_argv("-m", "not browser", "-n", PYTEST_WORKERS),
        test_env(services=False),
    )
    services_suite = Step(
        "pytest: suite on PostgreSQL + Redis",
        pytest_argv("-m", "not browser", "-n", PYTEST_WORKERS),
        test_env(services=True),
    )
    browser_suite = Step(
        "pytest: browser tests (Chromium)",
        pytest_argv("-m", "browser"),
        test_env(services=False),
    )

    def run_services_suite() -> bool:
        if not os.environ.get("UNKONF_TEST_DATABASE_URL"):
            report.skip(services_suite.name, SERVICES_HINT)
            return True
        return report.run(services_suite)

    def run_browser_suite() -> bool:
        missing = ensure_chromium(report)
        if missing:
            report.skip(browser_suite.name, missing)
            return True
        return report.run(browser_suite)

    plan: list[tuple[str, Callable[[], bool]]] = [
        (step.name, partial(report.run, step)) for step in [*steps, sqlite_suite]
    ]
    plan += [(services_suite.name, run_services_suite), (browser_suite.name, run_browser_suite)]
    try:
        for index, (_, action) in enumerate(plan):
            if not action() and not keep_going:
                report.not_run([name for name, _ in plan[index + 1 :]])
                break
    except KeyboardInterrupt:
        say("\ninterrupted")
        report.failed = True
    return finish(report, started)


def finish(report: Report, started: float) -> int:
    report.print_summary(time.monotonic() - started)
    return 1 if report.failed else 0


def compile_translations(env: dict[str, str]) -> None:
    argv = [tool("unkonf"), "compile_translations"]
    if subprocess.run(argv, cwd=ROOT, env=env, check=False).returncode:
        sys.exit("Compiling the translations failed.")


def main(argv: list[str]) -> int:
    os.chdir(ROOT)
    command, rest = (argv[0], argv[1:]) if argv else ("help", [])
    if command == "demo":
        ensure_installed()
        env = {**os.environ, "UNKONF_DEMO": os.environ.get("UNKONF_DEMO", "1")}
        compile_translations(env)
        unkonf = tool("unkonf")
        os.execve(unkonf, [unkonf, "demo", *rest], env)  # noqa: S606 - our own console script
    if command == "test":
        if "--" in rest:
            options, pytest_args = rest[: rest.index("--")], rest[rest.index("--") + 1 :]
        else:
            options, pytest_args = rest, None
        unknown = [option for option in options if option not in {"--fast", "--keep-going"}]
        if unknown:
            say(f"unknown option(s) for test: {' '.join(unknown)}\n{USAGE}")
            return 2
        ensure_installed()
        if pytest_args is not None:
            env = test_env(services=True)
            compile_translations(env)
            return subprocess.run(pytest_argv(*pytest_args), env=env, check=False).returncode
        return run_tests(fast="--fast" in options, keep_going="--keep-going" in options)
    say(USAGE)
    return 0 if command in {"help", "-h", "--help"} else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
