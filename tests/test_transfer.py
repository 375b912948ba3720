"""A whole committee moves out and back in unchanged."""

import json

import pytest
from django.core.management import call_command

from tests.test_proposal_pages import run_seed_story_through_pages
from tian.importers.transfer import TransferError, dumps, export_committee, import_committee
from tian.organisations.models import Committee
from tian.proposals.models import Event, Proposal
from tian.search.query import search_proposals


def _wipe():
    from django.apps import apps

    from tian.importers.transfer import MODELS

    for label, _path in reversed(MODELS):
        apps.get_model(label).objects.all().delete()


def test_export_import_export_gives_the_same_file(world, client_for, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    proposal = run_seed_story_through_pages(world, client_for)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tian.proposals.models import Attachment

    Attachment.objects.create(proposal=proposal, file=SimpleUploadedFile("附件.pdf", b"%PDF-1.4 test"),
                              name="附件.pdf", size=13, uploaded_by=world.member)
    first = dumps(export_committee(world.committee))
    events = Event.objects.count()
    _wipe()
    assert not Proposal.objects.exists()
    import_committee(json.loads(first))
    again = dumps(export_committee(Committee.objects.get()))
    assert again == first
    assert Event.objects.count() == events
    attachment = Attachment.objects.get()
    with attachment.file.open("rb") as f:
        assert f.read() == b"%PDF-1.4 test"


def test_import_refuses_a_committee_that_exists_and_writes_nothing(world):
    data = export_committee(world.committee)
    with pytest.raises(TransferError):
        import_committee(data)


def test_commands_round_trip_and_rebuild_the_index(world, client_for, tmp_path):
    run_seed_story_through_pages(world, client_for)
    out = tmp_path / "committee.json"
    call_command("export_committee", str(out), stdout=open("/dev/null", "w"))  # noqa: SIM115
    _wipe()
    call_command("import_committee", str(out), stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Proposal.objects.count() == 1
    assert search_proposals(Proposal.objects.all(), "未成年人").total == 1
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "tian-committee-export" and data["models"]["proposals.Proposal"]
