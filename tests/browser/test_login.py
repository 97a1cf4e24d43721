"""Logging in without a password, and an organiser turning on two-factor login (TOTP)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail
from django.utils import translation
from playwright.sync_api import Page, expect

from tests.factories.accounts import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = re.compile(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", re.M)


def t(text: str) -> str:
    with translation.override("de"):
        return str(translation.gettext(text))


def test_login_by_emailed_code(
    page: Page,
    assert_accessible: Callable[[Page], None],
    mail_outbox: list[mail.EmailMessage],
) -> None:
    user = UserFactory(email="petra.lindner@bund.example", name="Petra Lindner")

    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label(re.compile("E-Mail")).fill(user.email)
    page.get_by_role("button", name=t("Sign In"), exact=True).click()
    assert_accessible(page)
    assert len(mail_outbox) == 1
    assert mail_outbox[0].to == [user.email]
    code = CODE.search(str(mail_outbox[0].body))
    assert code, mail_outbox[0].body
    page.get_by_label(re.compile("Code")).fill(code.group(1))
    page.get_by_role("button", name=t("Confirm"), exact=True).click()

    expect(page).to_have_url("/")
    expect(page.get_by_role("link", name=t("My account"))).to_be_visible()
    assert_accessible(page)


def test_login_with_a_wrong_code_is_refused(
    page: Page,
    assert_accessible: Callable[[Page], None],
    mail_outbox: list[mail.EmailMessage],
) -> None:
    user = UserFactory(email="jonas.weber@kreis.example")
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label(re.compile("E-Mail")).fill(user.email)
    page.get_by_role("button", name=t("Sign In"), exact=True).click()
    assert_accessible(page)

    page.get_by_label(re.compile("Code")).fill("AAAA-AAAA")
    page.get_by_role("button", name=t("Confirm"), exact=True).click()

    expect(page.get_by_text(t("Incorrect code."))).to_be_visible()
    expect(page.get_by_role("link", name=t("My account"))).to_have_count(0)
    assert_accessible(page)


def test_organiser_turns_on_two_factor_login(
    page: Page,
    assert_accessible: Callable[[Page], None],
    login: Callable[[Page, object], None],
) -> None:
    user = UserFactory(email="orga@stadt.example")
    login(page, user)

    page.goto("/accounts/profile/")
    assert_accessible(page)
    page.get_by_role("link", name=t("Two-factor authentication")).click()
    assert_accessible(page)
    page.get_by_role("link", name=t("Activate")).first.click()
    assert_accessible(page)
    secret = page.locator("#authenticator_secret").input_value()
    counter = next(iter(yield_hotp_counters_from_time()))
    page.get_by_label(re.compile("code", re.I)).fill(format_hotp_value(hotp_value(secret, counter)))
    page.get_by_role("button", name=t("Activate")).click()
    assert_accessible(page)

    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).count() == 1
