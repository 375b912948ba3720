"""Words of proposal work that jieba cuts wrongly, found by the words a clerk types."""

import pytest

from tests.test_search_review import search, submitted


@pytest.fixture
def online(world, django_capture_on_commit_callbacks):
    """A proposal on 线上线下 services beside one on a road, both submitted and indexed."""
    with django_capture_on_commit_callbacks(execute=True):
        submitted(world, "关于推进政务服务线上线下融合的建议", "建议整合窗口,推动一网通办。")
        submitted(world, "关于加快农村公路建设的建议", "建议加快通村公路硬化,完善农村客运网络。", by=world.cosigner)


@pytest.mark.parametrize("query", ["线上线下", "线上", "线下"])
def test_online_and_offline_is_found_by_the_whole_phrase_and_by_each_half(world, client_for, online, query):
    """jieba cut 线上线下 as 线 / 上线 / 下: a search for 线上 or 线下 found nothing, 线上线下 asked for 线 and 下."""
    page = search(client_for(world.staff), q=query)
    assert "政务服务" in page
    assert "农村公路" not in page
