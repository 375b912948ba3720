"""Searching and finding similar proposals, always within a queryset the caller has already scoped to
what the user may see (``visible_proposals`` or the public's disclosed proposals)."""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import QuerySet

from tian.handling.models import Reply
from tian.organisations.models import CollectiveProposer, Member
from tian.proposals.models import Proposal
from tian.search import text
from tian.search.backends import engine
from tian.search.filters import by_proposer
from tian.search.models import SearchDocument, SearchKeyword


@dataclass
class SearchHit:
    proposal: Proposal
    score: float
    title_html: str = ""
    snippet_html: str = ""


@dataclass
class SearchPage:
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    more: bool = False  # more than ``total`` match (only the newest RANKED_MATCHES are ranked and counted)
    terms: list[str] = field(default_factory=list)


# At most this many matches are ranked and counted: the newest ones. A word found in most proposals (建设)
# would otherwise have the database check and score tens of thousands of documents for every page; past this
# many, the newest are the ones worth showing first anyway, and the page says "more than 1,000" (docs/search.md).
RANKED_MATCHES = 1000


def ranked_page(base_qs: QuerySet, terms: list[str], *, limit: int = 20, offset: int = 0,
                disclosed: bool = False) -> SearchPage:
    """One page of the proposals of ``base_qs`` matching every term, most relevant first, without highlights.

    Matching, scoping, ranking, counting and cutting the page are done by the database in one query, so that
    a word found in most of 100,000 proposals costs Python twenty rows. Only the newest ``RANKED_MATCHES``
    matches are ranked and counted; when more match, ``total`` is ``RANKED_MATCHES`` and ``more`` is set.
    ``disclosed``: ``base_qs`` holds disclosed proposals only (the public's), so that the engine may look among
    the disclosed documents alone; each match is still looked up in ``base_qs``."""
    if not terms or base_qs.query.is_empty():  # nothing to look for, or nowhere to look (a filter chose nothing)
        return SearchPage(terms=terms)
    with connection.cursor() as cursor:
        rows = engine().page(cursor, terms, base_qs, ranked=RANKED_MATCHES, limit=limit, offset=offset,
                             disclosed=disclosed)
        if rows:
            matches = rows[0][2]
        elif offset:  # a page past the last: count them to say how many there are
            matches = engine().count(cursor, terms, base_qs, at_most=RANKED_MATCHES + 1)
        else:
            matches = 0
    proposals = Proposal.objects.select_related("lead_member", "collective", "committee").in_bulk([row[0] for row in rows])
    return SearchPage(hits=[SearchHit(proposal=proposals[pk], score=float(score)) for pk, score, _n in rows
                            if pk in proposals], total=min(matches, RANKED_MATCHES), more=matches > RANKED_MATCHES,
                      terms=terms)


def search_proposals(base_qs: QuerySet, query: str, *, limit: int = 20, offset: int = 0,
                     policy_for: Callable | None = None, disclosed: bool = False) -> SearchPage:
    """Proposals of ``base_qs`` matching every term of ``query``, most relevant first, with highlights.
    ``policy_for(proposals)`` gives the reader's disclosure policy for the page (an object whose
    ``text(proposal, value)`` is what the reader may read of ``value``, ``others_text`` the same of a reply):
    highlights are cut from that text, so that no excerpt shows what the policy masks. ``disclosed``: as for ``ranked_page``."""
    page = ranked_page(base_qs, text.query_terms(query), limit=limit, offset=offset, disclosed=disclosed)
    return _highlighted(page, policy_for)


def _highlighted(page: SearchPage, policy_for: Callable | None) -> SearchPage:
    """``page`` with each hit's title and excerpt cut from what the reader may read (``policy_for``, as for
    ``search_proposals``), its terms marked. A hit whose body holds none of the terms has its excerpt cut from its
    released replies, where the words were found."""
    terms = page.terms
    policy = policy_for([hit.proposal for hit in page.hits]) if policy_for else None

    def shown(proposal, value: str) -> str:
        return policy.text(proposal, value) if policy else value

    def shown_reply(proposal, value: str) -> str:  # a reply is what others wrote about the proposal
        return policy.others_text(proposal, value) if policy else value

    without_term = [hit.proposal.pk for hit in page.hits
                    if terms and not any(t in hit.proposal.full_body.lower() for t in terms)]
    replies = released_reply_texts(without_term)
    for hit in page.hits:
        body = shown(hit.proposal, hit.proposal.full_body)
        snippet_source = (shown_reply(hit.proposal, replies.get(hit.proposal.pk, "")) or body
                          if hit.proposal.pk in without_term else body)
        hit.title_html = text.highlight(shown(hit.proposal, hit.proposal.title), terms, width=200)
        hit.snippet_html = text.highlight(snippet_source, terms)
    return page


def search_page(base_qs: QuerySet, query: str, page_number: int, page_size: int, *, committee=None,
                **options) -> tuple[SearchPage, int]:
    """Page ``page_number`` of ``search_proposals``, or its last page when the number is past it (an old link, a page
    typed in), as a list's paginator shows its last page: the page's rows and its "page N of M" agree. The page
    shown and its number.

    What a clerk types that is not a word of a text is taken first (``_by_number_and_proposer``): a proposal's number
    as printed (2023年度第15号) and a proposer's name (刘安泽) narrow the proposals; the words left are searched among
    them, or, with none left, the proposals are listed, newest first."""
    base_qs, query, narrowed = _by_number_and_proposer(base_qs, query, committee)
    if narrowed and not text.query_terms(query):
        return _listed_page(base_qs, page_number, page_size, options.get("policy_for"))
    page = search_proposals(base_qs, query, limit=page_size, offset=(page_number - 1) * page_size, **options)
    if not page.hits and page.total and page_number > 1:
        page_number = math.ceil(page.total / page_size)
        page = search_proposals(base_qs, query, limit=page_size, offset=(page_number - 1) * page_size, **options)
    return page, page_number


# A proposal's number as the letters and lists print it: 2023年度第15号 (also 2023年第15号, 2023-15 is not taken).
NUMBER = re.compile(r"(\d{4})\s*年度?\s*第\s*(\d{1,6})\s*号")


def _by_number_and_proposer(base_qs: QuerySet, query: str, committee) -> tuple[QuerySet, str, bool]:
    """``base_qs`` narrowed by the numbers and proposers' names ``query`` holds, the query without them, and whether
    it was narrowed. A name is a whole word of the query (the parts between spaces) that is a member's or a collective
    proposer's name in the committee."""
    narrowed = False
    for year, number in NUMBER.findall(query):
        base_qs, narrowed = base_qs.filter(year=int(year), number=int(number)), True
    query = NUMBER.sub(" ", query)
    parts = query.split()
    if parts and committee is not None:
        names = set(Member.objects.filter(committee=committee, name__in=parts).order_by().values_list("name", flat=True)
                    .union(CollectiveProposer.objects.filter(committee=committee, name__in=parts).order_by()
                           .values_list("name", flat=True)))
        for name in names:
            base_qs, narrowed = by_proposer(base_qs, name, committee), True
        query = " ".join(part for part in parts if part not in names)
    return base_qs, query, narrowed


def _listed_page(qs: QuerySet, page_number: int, page_size: int, policy_for) -> tuple[SearchPage, int]:
    """The proposals of ``qs``, newest first, as search results without words to rank them by."""
    total = qs.count()
    page_number = min(page_number, max(math.ceil(total / page_size), 1))
    offset = (page_number - 1) * page_size
    proposals = list(qs.select_related("lead_member", "collective", "committee")
                     .order_by("-year", "-number", "-pk")[offset:offset + page_size])
    return _highlighted(SearchPage(hits=[SearchHit(proposal=proposal, score=0.0) for proposal in proposals], total=total,
                                   terms=[]), policy_for), page_number


def released_reply_texts(proposal_ids: list[int]) -> dict[int, str]:
    """The released replies of each proposal as one text (in the order they were written), in one query."""
    texts: dict[int, list[str]] = {}
    if proposal_ids:
        for pk, body in Reply.objects.filter(proposal_id__in=proposal_ids, status=Reply.Status.RELEASED).values_list(
                "proposal_id", "body"):
            texts.setdefault(pk, []).append(body)
    return {pk: "\n".join(bodies) for pk, bodies in texts.items()}


@dataclass
class Similar:
    proposal: Proposal
    score: float  # 0..1, how alike the weighted keywords and characters are (see _cosine)


def _plain_cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(weight * b.get(word, 0.0) for word, weight in a.items())
    norm = (sum(w * w for w in a.values()) ** 0.5) * (sum(w * w for w in b.values()) ** 0.5)
    return dot / norm if norm else 0.0


def _split(features: dict[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    """Words (two characters or more) and characters (one) of ``text.keywords``."""
    words, characters = {}, {}
    for key, weight in features.items():
        (characters if len(key) == 1 else words)[key] = weight
    return words, characters


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """The geometric mean of the cosine of the keywords and the cosine of the characters.

    Shared words alone miss the same matter written in other words (诈骗/骗局); shared characters alone find
    every proposal somewhat alike. Their geometric mean asks for both, and ranks the twins of the labelled
    set far better than words alone (docs/search.md, "Quality"). Keywords stored before characters were
    added (an index not rebuilt since) are compared by their words only."""
    words_a, chars_a = _split(a)
    words_b, chars_b = _split(b)
    by_words = _plain_cosine(words_a, words_b)
    if not chars_a or not chars_b:
        return by_words
    return (by_words * _plain_cosine(chars_a, chars_b)) ** 0.5


def similar_proposals(base_qs: QuerySet, title: str, body: str, *, exclude_pk: int | None = None, limit: int = 5,
                      threshold: float = 0.2, candidates: int = 60) -> list[Similar]:
    """The proposals of ``base_qs`` most similar to a text, earlier years included.

    The keyword table (``SearchKeyword``) gives the documents sharing words with the text, by the cosine of
    their words; the best are then ranked by the similarity of their weighted keywords and characters
    (``_cosine``). A document sharing no word scores 0 and one whose words' cosine is below the square of the
    threshold cannot reach it (the characters' cosine is at most 1), so neither is a candidate."""
    wanted = text.keywords(title, body)
    words = text.word_vector(wanted)
    if not words:
        return []
    ids = _candidates(words, exclude_pk=exclude_pk, minimum=threshold * threshold, limit=candidates * 5)
    if not ids:
        return []
    allowed = set(base_qs.filter(pk__in=ids).values_list("pk", flat=True))
    ids = [pk for pk in ids if pk in allowed][:candidates]
    documents = SearchDocument.objects.filter(pk__in=ids).values_list("pk", "keywords")
    scored = sorted(((pk, _cosine(wanted, kw)) for pk, kw in documents), key=lambda item: -item[1])
    scored = [(pk, score) for pk, score in scored if score >= threshold][:limit]
    proposals = Proposal.objects.select_related("session__term").in_bulk([pk for pk, _s in scored])
    return [Similar(proposal=proposals[pk], score=round(score, 3)) for pk, score in scored]


def _candidates(words: dict[str, float], *, exclude_pk: int | None, minimum: float, limit: int) -> list[int]:
    """Ids of the documents sharing the strongest of ``words`` (unit-length weights), by the sum of the
    products of those words' weights, highest first, at most ``limit``; read from the keyword table's index
    alone. With every word, the sum is the cosine of the words, and a document below ``minimum`` is left out."""
    strongest = dict(sorted(words.items(), key=lambda item: -item[1])[:CANDIDATE_WORDS])
    # What the words left out could add is at most the length of their part of the vector (Cauchy-Schwarz).
    minimum -= math.sqrt(sum(w * w for t, w in words.items() if t not in strongest))
    values = ", ".join("(%s, %s)" for _ in strongest)
    real = "::float8" if connection.vendor == "postgresql" else ""  # parameters arrive as text or numeric
    sql = (f"WITH wanted(term, weight) AS (VALUES {values}) SELECT k.document_id, "  # noqa: S608
           f"sum(k.weight * wanted.weight{real}) AS score FROM {SearchKeyword._meta.db_table} k "
           "JOIN wanted ON k.term = wanted.term WHERE k.document_id <> %s GROUP BY k.document_id "
           f"HAVING sum(k.weight * wanted.weight{real}) >= %s ORDER BY score DESC, k.document_id DESC "
           f"LIMIT {int(limit)}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*[v for term, weight in strongest.items() for v in (term, weight)], exclude_pk or 0,
                             minimum])
        return [row[0] for row in cursor.fetchall()]


# How many of a text's words look for candidates: its strongest. Every document sharing a word has a score
# above 0, but a word's documents cost time in the sum (docs/search.md, "Speed").
CANDIDATE_WORDS = 10
