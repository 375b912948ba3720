"""Registration numbers: unique and gapless per year, also when a registration fails half-way and when
staff register at the same moment (PostgreSQL, real threads); two staff acting on one proposal at once."""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from tian.proposals import services
from tian.proposals.models import DeclineGround, Event, NumberSequence, Proposal, TopicCategory
from tian.proposals.workflow import WorkflowError

TZ = ZoneInfo("Asia/Shanghai")
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="real concurrency needs PostgreSQL")


def submitted(world, n: int, *, when=None) -> Proposal:
    when = when or datetime.datetime(2023, 2, 15, 10, tzinfo=TZ)
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=world.member, committee=world.committee,
                                       lead_member=world.member.member, title=f"关于第{n}件事的建议",
                                       body="具体建议。", category=category, at=when)
    return services.proposal_submit(proposal=p, by=world.member, at=when)


def numbers(year: int) -> list[int]:
    return list(Proposal.objects.filter(year=year, number__isnull=False).order_by("number")
                .values_list("number", flat=True))


def test_numbers_are_unique_and_gapless_per_year(world):
    ground = DeclineGround.objects.filter(committee=world.committee).first()
    for n in range(1, 13):
        p = submitted(world, n)
        if n % 4 == 0:  # a declined proposal takes no number
            services.proposal_decline(proposal=p, by=world.staff, ground=ground, forward="opinion")
        else:
            services.proposal_register(proposal=p, by=world.staff)
    assert numbers(2023) == list(range(1, 10))

    this_year = datetime.date.today().year
    for n in range(1, 4):
        services.proposal_register(proposal=submitted(world, 100 + n, when=datetime.datetime.now(TZ)),
                                   by=world.staff)
    assert numbers(this_year) == [1, 2, 3]
    assert numbers(2023) == list(range(1, 10))
    assert dict(NumberSequence.objects.values_list("year", "last_number")) == {2023: 9, this_year: 3}


def test_a_registration_that_fails_after_taking_a_number_leaves_no_gap(world, monkeypatch):
    first, failing, third = (submitted(world, n) for n in (1, 2, 3))
    services.proposal_register(proposal=first, by=world.staff)
    real_record = services.record

    def record_fails_on_registration(proposal, actor, action, **kwargs):
        if action == "proposal.registered":
            raise RuntimeError("the database went away")
        return real_record(proposal, actor, action, **kwargs)

    monkeypatch.setattr(services, "record", record_fails_on_registration)
    with pytest.raises(RuntimeError):
        services.proposal_register(proposal=failing, by=world.staff)
    monkeypatch.undo()

    failing.refresh_from_db()
    assert (failing.state, failing.number, failing.registered_at) == ("submitted", None, None)
    assert NumberSequence.objects.get(year=2023).last_number == 1
    assert services.proposal_register(proposal=third, by=world.staff).number == 2
    assert services.proposal_register(proposal=failing, by=world.staff).number == 3
    assert numbers(2023) == [1, 2, 3]


def test_the_second_of_two_staff_acting_on_a_stale_page_gets_a_conflict(world):
    p = submitted(world, 1)
    first_page, second_page = Proposal.objects.get(pk=p.pk), Proposal.objects.get(pk=p.pk)
    services.proposal_register(proposal=first_page, by=world.staff)
    ground = DeclineGround.objects.filter(committee=world.committee).first()
    events = Event.objects.count()
    with pytest.raises(WorkflowError) as caught:
        services.proposal_decline(proposal=second_page, by=world.staff, ground=ground, forward="opinion")
    assert caught.value.code == "conflict"
    p.refresh_from_db()
    assert (p.state, p.number, p.decline_ground) == ("registered", 1, None)
    assert Event.objects.count() == events


def run_at_once(calls) -> list:
    """Run each call in its own thread (its own database connection), released together; returns each
    call's result or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as e:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_numbers_one_to_eight(world):
    proposals = [submitted(world, n) for n in range(1, 9)]
    results = run_at_once([lambda p=p: services.proposal_register(proposal=p, by=world.staff)
                           for p in proposals])
    assert [r for r in results if not isinstance(r, Proposal)] == []
    assert sorted(r.number for r in results) == list(range(1, 9))
    assert numbers(2023) == list(range(1, 9))
    assert NumberSequence.objects.get(year=2023).last_number == 8
    assert Event.objects.filter(action="proposal.registered").count() == 8


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_staff_at_once_one_wins_the_other_gets_a_conflict(world):
    p = submitted(world, 1)
    ground = DeclineGround.objects.filter(committee=world.committee).first()
    first_page, second_page = Proposal.objects.get(pk=p.pk), Proposal.objects.get(pk=p.pk)
    results = run_at_once([
        lambda: services.proposal_register(proposal=first_page, by=world.staff),
        lambda: services.proposal_decline(proposal=second_page, by=world.staff, ground=ground,
                                          forward="opinion"),
    ])
    won = [r for r in results if isinstance(r, Proposal)]
    lost = [r for r in results if isinstance(r, WorkflowError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert lost[0].code == "conflict"
    p.refresh_from_db()
    assert p.state == won[0].state
    decisions = Event.objects.filter(proposal=p, action__in=["proposal.registered", "proposal.declined"])
    assert decisions.count() == 1
