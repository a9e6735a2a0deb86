from django.core.management import call_command

from protocols.models import Protocol


def test_demo_protocols_load_once(db):
    for _ in range(2):  # idempotent
        call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert sorted(Protocol.objects.values_list("annex", "status")) == [
        ("A", "draft"), ("D", "draft"), ("G", "returned"), ("G", "submitted"),
    ]  # fmt: skip
