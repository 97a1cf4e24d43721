"""Personal data export and erasure across apps.

accounts sits below every domain app, so it cannot import them. Each app that stores personal
data registers a provider in its ``AppConfig.ready``: ``export(user)`` returns JSON-ready data,
``erase(user)`` removes or anonymises it (and raises a DomainError if it must not yet).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from unkonf.accounts.models import User

ExportFn = Callable[[User], Any]
EraseFn = Callable[[User], None]


@dataclass(frozen=True)
class Provider:
    name: str
    export: ExportFn
    erase: EraseFn


_providers: dict[str, Provider] = {}


def register_provider(name: str, *, export: ExportFn, erase: EraseFn) -> None:
    _providers[name] = Provider(name=name, export=export, erase=erase)


def providers() -> list[Provider]:
    return list(_providers.values())
