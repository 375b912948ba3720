"""Importing legacy pages writes the whole history through the services, once."""

from pathlib import Path

import pytest

from tian.handling.models import Evaluation, Reply
from tian.importers.legacy import parse
from tian.importers.legacy_import import import_record
from tian.proposals.models import Event, Proposal, State

SEED = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds" / "000_e27d693f035c4dc2.txt"


@pytest.fixture
def record():
    if not SEED.exists():
        pytest.skip("the seed page is not beside the repository")
    return parse(SEED.read_text(encoding="utf-8"))


def test_the_seed_page_becomes_proposal_15_with_its_history(world, client_for, record):
    report = import_record(record, by=world.staff, committee=world.committee)
    assert report.startswith("已创建 2023年度第15号")
    proposal = Proposal.objects.get(year=2023, number=15)
    assert proposal.number_session == "七届三次全会第15号委员提案"
    assert proposal.state == State.REPLIED and proposal.is_public
    assert [c.member.name for c in proposal.cosignatures.filter(status="accepted")] == ["徐丽娟"]
    reply = Reply.objects.get(proposal=proposal)
    assert (reply.unit.name, reply.outcome, reply.contact_name, reply.contact_phone) == (
        "区民政局", "A", "贺威", "13795952836")
    assert reply.status == Reply.Status.RELEASED and str(reply.reply_date) == "2023-10-11"
    assert str(reply.cosigned_on) == "2023-10-20"
    evaluation = Evaluation.objects.get(proposal=proposal)
    assert (evaluation.result, evaluation.feedback) == ("satisfied", "非常满意")
    assigned = Event.objects.get(proposal=proposal, action="proposal.assigned")
    assert assigned.at.date().isoformat() == "2023-03-16"
    page = client_for(world.staff).get(proposal.get_absolute_url()).content.decode()
    for text in ("第〔15〕号", "关于政协广元市朝天区七届三次全会第15号委员提案的回复", "尊敬的刘安泽、徐丽娟委员:",
                 "广元市朝天区教育和科学技术局", "2023年10月20日", "全部或主要问题已解决(A)", "已通过", "非常满意"):
        assert text in page, text


def test_importing_the_same_page_twice_changes_nothing(world, record):
    import_record(record, by=world.staff, committee=world.committee)
    counts = (Proposal.objects.count(), Event.objects.count(), Reply.objects.count(), Evaluation.objects.count())
    report = import_record(record, by=world.staff, committee=world.committee)
    assert report.startswith("未变更")
    assert (Proposal.objects.count(), Event.objects.count(), Reply.objects.count(),
            Evaluation.objects.count()) == counts


def test_a_page_imported_before_its_reply_is_completed_later(world, record, client_for):
    import dataclasses

    early = dataclasses.replace(record, replies=[], outcome=None, outcome_text=None, supervision_review=None,
                                satisfaction=None, feedback=None)
    import_record(early, by=world.staff, committee=world.committee)
    proposal = Proposal.objects.get(year=2023, number=15)
    assert proposal.state == State.ASSIGNED
    report = import_record(record, by=world.staff, committee=world.committee)
    assert report.startswith("已更新")
    proposal.refresh_from_db()
    assert proposal.state == State.REPLIED and Reply.objects.filter(proposal=proposal).count() == 1


def test_unknown_people_and_units_are_created_and_reported(world, record):
    import dataclasses

    other = dataclasses.replace(record, number=16, proposer="新委员", cosigners=["另一委员"],
                                assisting_units=["区档案馆"], replies=[])
    report = import_record(other, by=world.staff, committee=world.committee)
    assert "新委员" in report and "另一委员" in report and "区档案馆" in report


def test_a_failing_page_writes_nothing(world, record):
    import dataclasses

    from tian.importers.legacy_import import ImportProblem

    broken = dataclasses.replace(record, outcome=None)  # a reply without an outcome class cannot be entered
    with pytest.raises(ImportProblem):
        import_record(broken, by=world.staff, committee=world.committee)
    assert not Proposal.objects.filter(number=15).exists()
    assert not Event.objects.exists()


def test_staff_upload_pages_in_the_browser(world, client_for, record):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    good = SimpleUploadedFile("seed.txt", SEED.read_bytes(), content_type="text/plain")
    bad = SimpleUploadedFile("bad.txt", "随便写的\n".encode(), content_type="text/plain")
    response = client_for(world.staff).post(reverse("importers:legacy"), {"files": [good, bad]})
    page = response.content.decode()
    assert "2023年度第15号" in page and "bad.txt" in page and "line 1" not in page
    assert Proposal.objects.filter(number=15, year=2023).exists()
    assert client_for(world.member).get(reverse("importers:legacy")).status_code == 403


def test_the_command_imports_and_reimports(world, tmp_path):
    import io

    from django.core.management import call_command

    if not SEED.exists():
        pytest.skip("the seed page is not beside the repository")
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "15.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    out = io.StringIO()
    call_command("import_legacy", str(folder), stdout=out)
    assert "2023年度第15号" in out.getvalue()
    proposal = Proposal.objects.get(year=2023, number=15)
    assert proposal.created_by.username == "system-import"
    events = Event.objects.count()
    call_command("import_legacy", str(folder), stdout=io.StringIO())
    assert Event.objects.count() == events


@pytest.mark.django_db(transaction=True)  # each step commits, so that the filter's choices are kept between pages
def test_a_unit_an_import_creates_is_offered_at_once_by_the_filters(world, record, client_for):
    import dataclasses

    from django.urls import reverse

    staff = client_for(world.staff)
    assert "区档案馆" not in staff.get(reverse("search:search")).content.decode()  # the filter's units, kept
    other = dataclasses.replace(record, number=16, assisting_units=["区档案馆"], replies=[])
    import_record(other, by=world.staff, committee=world.committee)
    assert "区档案馆" in staff.get(reverse("search:search")).content.decode()
    assert "区档案馆" in staff.get(reverse("proposals:list")).content.decode()


def test_a_record_of_a_member_who_has_left_since_is_still_imported(world, record):
    """A new proposal is refused in the name of a member who left the committee, but the records of another system
    are history: a page whose proposer left since is imported all the same."""
    lead = world.member.member
    lead.is_active = False
    lead.save()
    report = import_record(record, by=world.staff, committee=world.committee)
    assert report.startswith("已创建 2023年度第15号")
    assert Proposal.objects.get(year=2023, number=15).lead_member == lead
