"""The exports whose number of queries grew with the rows they show (N+1), against the rule "queries
per page constant and ≤ 15". Each test builds the same output on a small and on a larger synthetic dataset
(``tian.demo.synthetic.generate``, as tests/test_query_counts.py does) and asserts the count does not change."""

import datetime

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tian.demo.synthetic import generate
from tian.proposals.models import Proposal

TODAY = datetime.date(2026, 11, 28)
SIZES = (40, 160)


def _count(user, url, post=None) -> int:
    client = Client()
    client.force_login(user)
    call = (lambda: client.post(url, post)) if post is not None else (lambda: client.get(url))
    call()
    call()
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def _small_and_large(make) -> tuple[int, int]:
    """``make(size)`` (after generating ``size`` proposals) gives (user, url, post); its queries at each size."""
    measured = []
    for size in SIZES:
        with transaction.atomic():
            generate(proposals=size, seed=11, today=TODAY)
            measured.append(_count(*make(size)))
            transaction.set_rollback(True)
    return tuple(measured)


def _numbered_session():
    return Proposal.objects.filter(number__isnull=False).order_by("pk").first().session_id


@pytest.mark.django_db
def test_office_list_excel_export_is_flat(world):
    """/proposals/?format=xlsx (office list's Excel file): one ``organisations_unit WHERE id = %s`` per assignment
    (stats/exports.py ``_units``: the list's ``PROPOSAL_DUE_PREFETCH`` already fills ``assignments`` without their
    unit, so ``with_handling``'s Prefetch("assignments", select_related unit) is skipped) and one
    ``proposals_proposal WHERE merged_into_id = %s`` per row (Co-signers column → ``cosigner_members`` →
    ``proposer_members.credit`` reads ``merged_proposals``, never prefetched)."""
    small, large = _small_and_large(lambda size: (world.staff, "/proposals/?format=xlsx", None))
    assert small == large, f"office list xlsx queries grew with the rows: {small} -> {large}"


@pytest.mark.django_db
def test_bulk_excel_export_is_flat(world):
    """POST /proposals/bulk/ action=export (every matching proposal): one ``proposals_proposal WHERE
    merged_into_id = %s`` per proposal (Co-signers column → selectors.proposer_members reads ``merged_proposals``;
    neither ``_chosen`` nor ``with_handling`` prefetch it)."""
    small, large = _small_and_large(lambda size: (world.staff, "/proposals/bulk/",
                                                  {"action": "export", "everything": "1", "query": ""}))
    assert small == large, f"bulk export queries grew with the rows: {small} -> {large}"


@pytest.mark.django_db
def test_stats_behind_excel_export_is_flat(world):
    """/stats/proposals/?measure=received&format=xlsx (the proposals behind a figure, as Excel): the same two N+1
    as the office list's file: a unit per assignment (``_units``; ``kpis.proposals_behind`` prefetches
    ``assignments`` without the unit, so ``with_handling``'s Prefetch is skipped) and ``merged_proposals`` per row."""
    small, large = _small_and_large(lambda size: (
        world.staff, f"/stats/proposals/?session={_numbered_session()}&measure=received&format=xlsx", None))
    assert small == large, f"stats 'behind' xlsx queries grew with the rows: {small} -> {large}"


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_session_compilation_is_flat(world, fmt):
    """/documents/sessions/<pk>/compilation.<fmt> (汇编 of a session): per proposal ``merged_proposals``
    (documents/content.py proposal_blocks → cosigner_members), released replies (disclosure/policy.py replies, not
    prefetched), and per reply letter (handling/letters.py build_letter): the lead member and co-signatures again
    (``salutation`` → proposer_members), ``handling_replycosignature``, ``handling_outcomeclass`` label
    (``outcome_text``), assignments, and ``supervision_supervisionreview`` (``review_passed``)."""
    small, large = _small_and_large(lambda size: (
        world.staff, f"/documents/sessions/{_numbered_session()}/compilation.{fmt}", None))
    assert small == large, f"compilation queries grew with the proposals: {small} -> {large}"
