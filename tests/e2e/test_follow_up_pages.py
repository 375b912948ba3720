"""This session's new parts of pages, read as their users read them: a follow-up report (回头看) on the portal and on
the proposal page, on a phone and at 200 % zoom, passing axe-core; the office's paper evaluation of an organisation
whose proposal was merged."""

from tests.e2e.test_accessibility import axe, violations  # noqa: F401 - the axe fixture
from tests.e2e.test_day_phone import FITS
from tests.test_follow_up_outputs import MASKED, SAID, _report, disclosed, member_proposal  # noqa: F401 - fixtures


def test_a_follow_up_report_reads_on_a_phone_and_at_200_percent_zoom(world, open_as, disclosed, axe):  # noqa: F811
    p, follow_up = disclosed
    _report(world, follow_up)
    for user, path in ((None, f"/public/proposals/{p.pk}/"), (world.member, p.get_absolute_url())):
        for width, height in ((640, 450), (360, 740)):
            page = open_as(user, width=width, height=height, mobile=width == 360, bypass_csp=True)
            page.goto(page.base + path)
            text = page.content()
            assert "回头看" in text and SAID in text and MASKED in text, (path, width)
            assert page.evaluate(FITS), (path, width)
            assert not violations(page, axe), (path, width)


def test_the_office_records_a_merged_organisations_paper_rating(world, open_as):
    from tests.test_merged_collective_rating import _answered
    from tian.handling.models import Evaluation

    _mine, target = _answered(world)
    page = open_as(world.staff, width=390, height=844, mobile=True)
    page.goto(page.base + target.get_absolute_url())
    page.locator("#do-record_paper_evaluation summary").click()
    page.get_by_label("或提案被并案的集体提案单位").select_option(label=world.collective_org.name)
    page.locator("#do-record_paper_evaluation").get_by_label("基本满意").first.check()
    page.locator("#do-record_paper_evaluation").get_by_role("button", name="录入").click()
    page.wait_for_load_state()
    rating = Evaluation.objects.get(proposal=target)
    assert rating.collective_id == world.collective_org.pk and rating.on_paper and not rating.is_lead
    assert rating.result == "basically_satisfied"
