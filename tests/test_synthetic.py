"""generate_data: a realistic committee at scale, every state, gapless numbers, deterministic."""

import datetime

from django.core.management import call_command

from tian.demo.synthetic import generate
from tian.proposals.models import Event, Proposal, State


def fingerprint():
    return list(Proposal.objects.order_by("year", "number", "title").values_list("year", "number", "state", "title"))


def test_generate_data_covers_every_state_with_gapless_numbers(db):
    result = generate(proposals=600, seed=5, today=datetime.date(2026, 11, 28))
    assert result["proposals"] == 600 and result["members"] == 2000 and result["units"] == 200
    states = set(Proposal.objects.values_list("state", flat=True))
    assert states >= {State.CLOSED, State.HANDLING, State.SUBMITTED, State.DECLINED, State.REPLIED}
    for year in set(Proposal.objects.values_list("year", flat=True)):
        numbers = sorted(Proposal.objects.filter(year=year, number__isnull=False).values_list("number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1))
    assert Event.objects.count() > 600


def test_the_same_seed_gives_the_same_data(db):
    from django.db import transaction

    prints = []
    for _run in range(2):
        with transaction.atomic():
            generate(proposals=200, seed=7, today=datetime.date(2026, 11, 28))
            prints.append(fingerprint())
            transaction.set_rollback(True)
    assert prints[0] == prints[1] and len(prints[0]) == 200


def test_the_command(db):
    call_command("generate_data", "--proposals", "50", "--seed", "2", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Proposal.objects.count() == 50
