"""Places are scarce: simultaneous registrations and cancellations, from real threads.

Each test starts its workers together (a barrier), lets them take work from a shared queue
and closes each thread's database connection at the end. The barcamp's row lock must decide
everything one after another, in arrival order.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from tests.factories import EventFactory, RegistrationFactory, UserFactory
from unkonf.accounts.models import User
from unkonf.core.models import AuditLogEntry
from unkonf.events.enums import OrganisationType, RegistrationStatus
from unkonf.events.exceptions import AlreadyRegistered
from unkonf.events.models import Event, Registration
from unkonf.events.services import RegistrationData, cancel_registration, register

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

WORKERS = 30
CONFIRMED = RegistrationStatus.CONFIRMED
WAITING = RegistrationStatus.WAITING
CANCELLED = RegistrationStatus.CANCELLED


def run_together(
    work: Callable[[Any], Any], items: Sequence[Any], *, workers: int = WORKERS
) -> list[Any]:
    """Call ``work(item)`` for every item from ``workers`` threads that start at the same moment.

    Returns, per item in the given order, what ``work`` returned or the exception it raised.
    """
    todo: queue.SimpleQueue[tuple[int, Any]] = queue.SimpleQueue()
    for index, item in enumerate(items):
        todo.put((index, item))
    results: list[Any] = [None] * len(items)
    workers = min(workers, len(items))
    barrier = threading.Barrier(workers)

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            while True:
                try:
                    index, item = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    results[index] = work(item)
                except Exception as exc:
                    results[index] = exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(worker) for _ in range(workers)]
    for future in futures:
        future.result()
    return results


def data(event: Event, email: str) -> RegistrationData:
    return RegistrationData(
        name="Teilnehmende Person",
        email=email,
        organisation="Stadtverwaltung Musterstadt",
        organisation_type=OrganisationType.MUNICIPAL,
        privacy_consent=True,
        days=tuple(event.days.all()),
        language="en",
    )


def test_register_300_at_once_for_100_places_fills_in_arrival_order(mailoutbox):
    event = EventFactory(capacity=100)
    emails = [f"person{i:03d}@musterstadt.example" for i in range(300)]

    results = run_together(
        lambda email: register(event, data=data(event, email), actor=None), emails
    )

    assert [r for r in results if not isinstance(r, Registration)] == []
    rows = list(
        Registration.objects.filter(event=event).values_list("email", "status", "queue_number")
    )
    assert sorted(email for email, _status, _number in rows) == emails
    confirmed = sorted(number for _email, status, number in rows if status == CONFIRMED)
    waiting = sorted(number for _email, status, number in rows if status == WAITING)
    assert (len(confirmed), len(waiting)) == (100, 200)
    assert sorted(confirmed + waiting) == list(range(1, 301))
    assert max(confirmed) < min(waiting)
    assert confirmed == list(range(1, 101))
    assert Event.objects.get(pk=event.pk).registration_counter == 300
    assert User.objects.filter(email__in=emails).count() == 300
    confirmed_emails = {email for email, status, _number in rows if status == CONFIRMED}
    confirmed_mails = {m.to[0] for m in mailoutbox if m.subject.startswith("Your place at")}
    waiting_mails = {
        m.to[0] for m in mailoutbox if m.subject.startswith("You are on the waiting list")
    }
    assert confirmed_mails == confirmed_emails
    assert waiting_mails == set(emails) - confirmed_emails


def test_cancel_10_at_once_moves_up_exactly_the_10_first_waiting():
    event = EventFactory(capacity=100)
    confirmed = RegistrationFactory.create_batch(100, event=event)
    waiting = RegistrationFactory.create_batch(40, event=event, waiting=True)
    leaving = confirmed[5::10]
    assert len(leaving) == 10

    results = run_together(lambda r: cancel_registration(r, actor=r.user), leaving, workers=10)

    assert [r.status for r in results] == [CANCELLED] * 10
    statuses = dict(Registration.objects.filter(event=event).values_list("pk", "status"))
    assert [statuses[r.pk] for r in leaving] == [CANCELLED] * 10
    assert [statuses[r.pk] for r in waiting] == [CONFIRMED] * 10 + [WAITING] * 30
    assert list(statuses.values()).count(CONFIRMED) == 100
    moved_up = AuditLogEntry.objects.filter(action="registration.moved_up", event_id=event.pk)
    assert sorted(int(pk) for pk in moved_up.values_list("object_id", flat=True)) == [
        r.pk for r in waiting[:10]
    ]


def test_register_same_user_from_10_threads_gives_one_registration():
    event = EventFactory(capacity=100)
    user = UserFactory()

    results = run_together(
        lambda _i: register(event, data=data(event, user.email), actor=user), range(10), workers=10
    )

    assert sum(isinstance(r, Registration) for r in results) == 1
    assert sum(isinstance(r, AlreadyRegistered) for r in results) == 9
    assert list(
        Registration.objects.filter(event=event).values_list("user_id", "status", "queue_number")
    ) == [(user.pk, CONFIRMED, 1)]


def test_register_same_new_email_from_10_threads_gives_one_account_and_registration():
    event = EventFactory(capacity=100)

    results = run_together(
        lambda _i: register(event, data=data(event, "Neu.Hier@Musterstadt.example"), actor=None),
        range(10),
        workers=10,
    )

    assert sum(isinstance(r, Registration) for r in results) == 1
    assert sum(isinstance(r, AlreadyRegistered) for r in results) == 9
    assert User.objects.filter(email__iexact="neu.hier@musterstadt.example").count() == 1
    assert Registration.objects.filter(event=event).count() == 1
