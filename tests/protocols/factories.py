"""Factories for protocols: a protocol of a pupil's window, authored by an assistant."""

from datetime import date

import factory
from factory.django import DjangoModelFactory

from protocols.models import Protocol, ProtocolVersion


class ProtocolFactory(DjangoModelFactory):
    class Meta:
        model = Protocol

    annex = "A"
    window_key = factory.LazyAttribute(lambda o: f"{o.annex}:september")
    year = factory.LazyAttribute(lambda o: o.student.school.years.get())
    due = date(2026, 9, 7)
    data = factory.LazyFunction(dict)
    author = None
    updated_by = factory.SelfAttribute("author")


def protocol_of(cast, **kwargs) -> Protocol:
    """A protocol of the cast's pupil, authored by the cast's assistant."""
    return ProtocolFactory(**{"student": cast.pupil, "author": cast.assistant, **kwargs})


class ProtocolVersionFactory(DjangoModelFactory):
    class Meta:
        model = ProtocolVersion

    protocol = factory.SubFactory(ProtocolFactory)
    number = factory.Sequence(lambda n: n + 1)
    status = "draft"
    data = factory.LazyFunction(dict)
    saved_by = factory.SelfAttribute("protocol.author")
