"""Accounts: people who log in with an e-mailed code (no password)."""

from __future__ import annotations

from typing import Any

import factory
from allauth.account.models import EmailAddress
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from unkonf.accounts.models import User


def _email(user: Any, n: int) -> str:
    local = slugify(user.name).replace("-", ".") or "person"
    return f"{local}.{n}@musterstadt.example"


class UserFactory(DjangoModelFactory[User]):
    """A person with a verified primary address; ``verified_email=False`` for an unconfirmed one."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    name = factory.LazyAttribute(lambda o: f"{o.first_name} {o.last_name}")
    email = factory.LazyAttributeSequence(_email)
    language = "de"

    class Params:
        first_name = factory.Faker("first_name", locale="de_DE")
        last_name = factory.Faker("last_name", locale="de_DE")
        superuser = factory.Trait(is_staff=True, is_superuser=True)

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return model_class.objects.create_user(*args, **kwargs)

    @factory.post_generation
    def verified_email(self: User, create: bool, extracted: bool | None, **kwargs: Any) -> None:
        if create:
            verified = True if extracted is None else extracted
            EmailAddress.objects.create(
                user=self, email=self.email, primary=True, verified=verified
            )
