"""Searching and finding similar proposals, always within a queryset the caller has already scoped to
what the user may see (``visible_proposals`` or the public's disclosed proposals)."""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from tian.proposals.models import Proposal
from tian.search import text
from tian.search.backends import engine
from tian.search.models import SearchDocument

MAX_CANDIDATES = 5000


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


def _ranked(terms: list[str], *, any_term: bool = False, limit: int = MAX_CANDIDATES) -> dict[int, float]:
    sql, params = engine().match(terms, any_term=any_term)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT {int(limit)}", params)
        return {pk: float(score) for pk, score in cursor.fetchall()}


def search_proposals(base_qs: QuerySet, query: str, *, limit: int = 20, offset: int = 0) -> SearchPage:
    """Proposals of ``base_qs`` matching every term of ``query``, most relevant first, with highlights."""
    terms = text.query_terms(query)
    if not terms:
        return SearchPage()
    ranked = _ranked(terms)
    if not ranked:
        return SearchPage(terms=terms)
    sql, params = engine().ids(terms)
    scoped = list(base_qs.filter(pk__in=RawSQL(sql, params)).values_list("pk", flat=True))  # noqa: S611 - fixed SQL, bound params
    scoped.sort(key=lambda pk: (-ranked.get(pk, 0.0), -pk))
    page_ids = scoped[offset:offset + limit]
    proposals = Proposal.objects.in_bulk(page_ids)
    hits = []
    for pk in page_ids:
        proposal = proposals[pk]
        body = proposal.full_body
        snippet_source = body if any(t in body.lower() for t in terms) else _reply_text(proposal) or body
        hits.append(SearchHit(proposal=proposal, score=ranked.get(pk, 0.0),
                              title_html=text.highlight(proposal.title, terms, width=200),
                              snippet_html=text.highlight(snippet_source, terms)))
    return SearchPage(hits=hits, total=len(scoped), terms=terms)


def _reply_text(proposal: Proposal) -> str:
    from tian.handling.models import Reply

    return "\n".join(Reply.objects.filter(proposal=proposal, status=Reply.Status.RELEASED)
                     .values_list("body", flat=True))


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
