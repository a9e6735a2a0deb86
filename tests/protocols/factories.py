"""Protocol factories (this branch's; the lead may merge them with protocols-core's)."""

import factory
from factory.django import DjangoModelFactory

from protocols.models import Protocol, ProtocolVersion


class ProtocolFactory(DjangoModelFactory):
    class Meta:
        model = Protocol

    annex = "A"
    window_key = "A:september"
    status = "draft"
    data = factory.LazyFunction(dict)
    updated_by = factory.SelfAttribute("author")

    @factory.lazy_attribute
    def year(self):
        return self.student.school.years.get()


class ProtocolVersionFactory(DjangoModelFactory):
    class Meta:
        model = ProtocolVersion

    protocol = factory.SubFactory(ProtocolFactory)
    number = factory.Sequence(lambda n: n + 1)
    status = "draft"
    data = factory.LazyFunction(dict)
    saved_by = factory.SelfAttribute("protocol.author")
