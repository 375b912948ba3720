"""Searching and finding similar proposals, always within a queryset the caller has already scoped to
what the user may see (``visible_proposals`` or the public's disclosed proposals)."""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import QuerySet

from tian.proposals.models import Proposal
from tian.search import text
from tian.search.backends import engine
from tian.search.models import SearchDocument


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
    terms: list[str] = field(default_factory=list)


def _ranked(terms: list[str], *, any_term: bool = False, limit: int = 300) -> dict[int, float]:
    """The ``limit`` best matches of the whole index (candidates of ``similar_proposals``): id → score."""
    sql, params = engine().match(terms, any_term=any_term)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT {int(limit)}", params)
        return {pk: float(score) for pk, score in cursor.fetchall()}


# At most this many matches are ranked: the newest ones. A word found in most proposals (建设) would otherwise
# have the database score tens of thousands of documents for every page; past this many, the newest are the
# ones worth showing first anyway. Below it (托育, several words) every match is ranked. The older matches
# follow the ranked ones, newest first, on the pages after them.
RANKED_MATCHES = 3000


def _scope_sql(base_qs: QuerySet) -> tuple[str, tuple]:
    scope = base_qs.order_by().values("pk")
    if not scope.query.distinct_fields:
        scope.query.distinct = False  # a duplicate id changes nothing in "IN (…)"; removing them costs a pass
    return scope.query.sql_with_params()


def ranked_page(base_qs: QuerySet, terms: list[str], *, limit: int = 20, offset: int = 0) -> SearchPage:
    """One page of the proposals of ``base_qs`` matching every term, most relevant first, without highlights.

    Matching, scoping, ranking, counting and cutting the page are done by the database in two queries (how
    many match and where the newest ``RANKED_MATCHES`` begin; the ranked page), so that a word found in most
    of 100,000 proposals costs Python twenty rows."""
    if not terms:
        return SearchPage(terms=terms)
    scope, scope_params = _scope_sql(base_qs)
    rows = []
    with connection.cursor() as cursor:
        sql, params = engine().newest(terms, scope, RANKED_MATCHES)
        cursor.execute(sql, [*params, *scope_params])
        min_id, total = cursor.fetchone() or (0, None)
        if total is None or offset < RANKED_MATCHES:
            sql, params = engine().search(terms, scope, min_id=min_id)
            cursor.execute(f"{sql} LIMIT {int(limit)} OFFSET {int(offset)}", [*params, *scope_params])
            rows = cursor.fetchall()
        if total is None:  # fewer than RANKED_MATCHES: all were ranked and counted
            total = rows[0][2] if rows else 0
            if not rows and offset:
                sql, params = engine().count(terms, scope)
                cursor.execute(sql, [*params, *scope_params])
                total = cursor.fetchone()[0]
        elif len(rows) < limit:  # the page reaches past the ranked matches
            sql, params = engine().older(terms, scope, below=min_id)
            cursor.execute(f"{sql} LIMIT {int(limit - len(rows))} OFFSET {max(int(offset) - RANKED_MATCHES, 0)}",
                           [*params, *scope_params])
            rows += cursor.fetchall()
    proposals = Proposal.objects.select_related("lead_member", "collective").in_bulk([row[0] for row in rows])
    return SearchPage(hits=[SearchHit(proposal=proposals[pk], score=float(score)) for pk, score, _n in rows
                            if pk in proposals], total=total, terms=terms)


def search_proposals(base_qs: QuerySet, query: str, *, limit: int = 20, offset: int = 0) -> SearchPage:
    """Proposals of ``base_qs`` matching every term of ``query``, most relevant first, with highlights."""
    page = ranked_page(base_qs, text.query_terms(query), limit=limit, offset=offset)
    terms = page.terms
    without_term = [hit.proposal.pk for hit in page.hits
                    if not any(t in hit.proposal.full_body.lower() for t in terms)]
    replies = released_reply_texts(without_term)
    for hit in page.hits:
        body = hit.proposal.full_body
        snippet_source = replies.get(hit.proposal.pk) or body if hit.proposal.pk in without_term else body
        hit.title_html = text.highlight(hit.proposal.title, terms, width=200)
        hit.snippet_html = text.highlight(snippet_source, terms)
    return page


def released_reply_texts(proposal_ids: list[int]) -> dict[int, str]:
    """The released replies of each proposal as one text (in the order they were written), in one query."""
    from tian.handling.models import Reply

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

    The full-text engine proposes candidates sharing the text's strongest keywords; they are then ranked
    by the similarity of their weighted keywords and characters (``_cosine``)."""
    wanted = text.keywords(title, body)
    words, _characters = _split(wanted)
    if not words:
        return []
    strongest = sorted(words, key=words.get, reverse=True)[:8]
    query_terms = [t for w in strongest for t in text.tokens(w)]
    ranked = _ranked(sorted(set(query_terms)), any_term=True, limit=candidates * 5)
    if exclude_pk is not None:
        ranked.pop(exclude_pk, None)
    if not ranked:
        return []
    ids = sorted(ranked, key=ranked.get, reverse=True)[: candidates * 5]
    allowed = set(base_qs.filter(pk__in=ids).values_list("pk", flat=True))
    ids = [pk for pk in ids if pk in allowed][:candidates]
    documents = SearchDocument.objects.filter(pk__in=ids).values_list("pk", "keywords")
    scored = sorted(((pk, _cosine(wanted, kw)) for pk, kw in documents), key=lambda item: -item[1])
    scored = [(pk, score) for pk, score in scored if score >= threshold][:limit]
    proposals = Proposal.objects.select_related("session__term").in_bulk([pk for pk, _s in scored])
    return [Similar(proposal=proposals[pk], score=round(score, 3)) for pk, score in scored]
