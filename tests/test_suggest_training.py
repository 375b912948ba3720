"""Training reads the search index's stored tokens (issue #23 point 4: 100,000 proposals in minutes): a proposal
with a search document is learned by the document's words, never cut again; one without is cut here; and the
words read from a document are the words a proposal being suggested for is cut into."""

import pytest

from tian.proposals.models import Proposal
from tian.search.index import index_proposal
from tian.search.models import SearchDocument
from tian.search.text import index_text, tokens
from tian.suggest import features, training
from tian.suggest.selectors import suggest_units
from tian.suggest.services import unit_model_train

from .test_suggest import SCHOOL, history, registered

TEXTS = ["关于普惠托育服务体系建设的建议", "COVID-19 疫情后 3.5% 的增长，App 适老化改造", "留守儿童关爱保护：a-b c_d 乡村振兴示范区",
         "  ", ""]


@pytest.mark.parametrize("text", TEXTS)
def test_the_stored_index_text_gives_back_the_tokens(text):
    assert features.stored_tokens(index_text(text)) == tokens(text)


def test_a_search_document_gives_the_words_a_fresh_cut_gives(world):
    p = registered(world, "关于进一步加强困境儿童和留守儿童关爱的建议",
                   "留守儿童监护缺失，儿童督导员队伍不足。为此，建议健全普惠托育和关爱保护机制。")
    index_proposal(p.pk)
    document = SearchDocument.objects.get(proposal=p)
    stored = features.document_tokens(title_tokens=document.title_tokens, keywords=document.keywords,
                                      category_id=p.category_id, intended=(7,))
    fresh = features.proposal_tokens(title=p.title, body=p.full_body, category_id=p.category_id, intended=(7,))
    assert sorted(stored) == sorted(fresh)  # a bag of words: PostgreSQL's jsonb keeps the keywords in its own order
    assert "留守儿童" in stored and f"#c{p.category_id}" in stored and "#u7" in stored


def test_training_learns_an_indexed_proposal_by_its_stored_words_without_cutting_it(world, monkeypatch):
    past = history(world)
    for p in past:
        index_proposal(p.pk)
    # The school proposals' documents hold words their text lacks (as if indexed from another wording): the
    # model must learn those, not the text's.
    school = [p for p in past if p.title == SCHOOL[0]]
    SearchDocument.objects.filter(proposal__in=school).update(
        title_tokens=index_text("关于殡葬改革和公墓管理的建议"), keywords={"殡葬": 3.0, "公墓": 2.5, "墓": 1.0})

    def refuse(*args, **kwargs):
        raise AssertionError("an indexed proposal was segmented again")

    monkeypatch.setattr(features, "tokens", refuse)
    monkeypatch.setattr(features, "keywords", refuse)
    items = training.examples(world.committee)
    assert {e.proposal_id for e in items} == {p.pk for p in past}
    assert all("殡葬" in e.words and "校园" not in e.words for e in items if e.proposal_id in {p.pk for p in school})
    assert unit_model_train(committee=world.committee, evaluate=False) is not None
    monkeypatch.undo()
    s = suggest_units(registered(world, "关于规范殡葬服务和公墓建设的建议", "殡葬服务收费不规范，公墓建设滞后。"))
    assert s.lead[0].unit == world.units["区公安分局"]  # who handled the school proposals
    assert "殡葬" in s.lead[0].terms


def test_a_proposal_without_a_search_document_is_cut_for_training(world):
    past = history(world)
    index_proposal(past[0].pk)
    SearchDocument.objects.filter(proposal=past[0]).update(keywords={"殡葬": 3.0})
    items = {e.proposal_id: e for e in training.examples(world.committee)}
    assert "殡葬" in items[past[0].pk].words  # read from its document
    unindexed = past[1]
    assert not SearchDocument.objects.filter(proposal=unindexed).exists()
    assert items[unindexed.pk].words == features.proposal_tokens(
        title=unindexed.title, body=Proposal.objects.get(pk=unindexed.pk).full_body, category_id=None)
