from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_start_page_is_german_by_default(
    page: Page, assert_accessible: Callable[[Page], None]
) -> None:
    page.goto("/")

    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)


def test_start_page_is_english_under_en_prefix(
    new_page: Callable[..., Page], assert_accessible: Callable[[Page], None]
) -> None:
    page = new_page(locale="en-GB")

    page.goto("/en/")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
