"""Every realtime test starts with a fresh hub and presence (see ``tests.realtime.support``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.realtime.support import camp, realtime

__all__ = ["camp", "realtime"]


@pytest.fixture(autouse=True)
def _fresh_realtime(realtime: Callable[[float], None]) -> None:
    """Apply ``realtime`` to every test in this folder."""
