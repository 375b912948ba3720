"""Learning a committee's unit model from its own history, and measuring it.

The examples are the committee's proposals with a lead unit (the LEAD assignment still handling it, so a unit that
was replaced by reassignment is not learned), their assisting units, after the unit mapping (a split unit's
proposals count for each new unit, with a weight that sums to one). Features: TF-IDF over the tokens of
``features`` (read from the search index's documents). The lead unit: a linear classifier (scikit-learn's SGDClassifier, logistic loss,
one against the rest), blended with the votes of the most similar past proposals. The assisting units: the votes
of the similar past proposals, and how often each unit assisted the likely lead units.

A trained model is plain arrays (the vectoriser's vocabulary and weights, the classifier's coefficients as
float32, the neighbours' pruned rows) pickled and compressed into ``UnitModel.data``.
"""

import datetime
import pickle
import time
import warnings
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
import sklearn
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.preprocessing import normalize

from tian.handling.models import Assignment, UnitRole
from tian.proposals.models import Proposal
from tian.search.models import SearchDocument
from tian.suggest.features import TEXT_FIELDS, document_tokens, identity, proposal_tokens
from tian.suggest.models import UnitMapping

MIN_EXAMPLES = 20  # below this a committee has no history worth learning: its rules suggest
MAX_FEATURES = 30_000
NEIGHBOUR_ROWS = 30_000  # the newest examples kept for "similar past proposals"
NEIGHBOUR_TERMS = 40  # the strongest terms kept of each such example
NEIGHBOURS = 10
LEAD_BLEND = 0.7  # the classifier's share of the lead's score; the rest is the neighbours' votes


@dataclass
class Example:
    proposal_id: int
    year: int
    day: datetime.date | None
    words: list[str]
    lead: int
    assisting: tuple[int, ...]
    weight: float = 1.0


@dataclass
class Trained:
    vectorizer: TfidfVectorizer
    units: np.ndarray  # unit ids; the columns of the assisting scores
    classes: np.ndarray  # indices into units: the classifier's classes (the units that ever led)
    coef: np.ndarray  # classes × features, float32
    intercept: np.ndarray
    together: np.ndarray  # classes × units: how often each unit assisted the class's lead
    neighbours: sparse.csr_matrix  # rows of past proposals, L2-normalised, pruned
    neighbour_ids: np.ndarray  # their proposal ids
    neighbour_lead: sparse.csr_matrix  # rows × classes, one-hot
    neighbour_assisting: sparse.csr_matrix  # rows × units
    features: np.ndarray = field(default=None)  # feature names, by column
    info: dict = field(default_factory=dict)


def resolve_mapping(committee) -> dict[int, tuple[int, ...]]:
    """Old unit → the units that handle its matters now, followed through chains (A → B, B → C: A → C), each old
    unit's successors in the units' own order (the same on every database: ties between them are broken by it)."""
    direct = defaultdict(list)
    for old_id, new_id in UnitMapping.new_units.through.objects.filter(
            unitmapping__committee=committee).order_by("unitmapping__old_unit_id", "unit__order", "unit__name",
                                                       "unit_id").values_list("unitmapping__old_unit_id", "unit_id"):
        direct[old_id].append(new_id)

    def follow(unit_id, seen):
        if unit_id not in direct or unit_id in seen:
            return (unit_id,)
        return tuple(dict.fromkeys(u for new in direct[unit_id] for u in follow(new, seen | {unit_id})))

    return {unit_id: follow(unit_id, frozenset()) for unit_id in direct}


def examples(committee, *, mapping: dict | None = None, stdout=None) -> list[Example]:
    """The committee's assigned proposals as examples, oldest first. Their words are read from the search index's
    documents (``features.document_tokens``), in bulk; only a proposal without a document is segmented here."""
    mapping = resolve_mapping(committee) if mapping is None else mapping
    units = defaultdict(lambda: {"lead": [], "assisting": []})
    for proposal_id, unit_id, role in Assignment.objects.active().filter(
            proposal__committee=committee, role__in=(UnitRole.LEAD, UnitRole.ASSISTING)).values_list(
            "proposal_id", "unit_id", "role").order_by("pk").iterator(chunk_size=5000):
        units[proposal_id]["lead" if role == UnitRole.LEAD else "assisting"].append(unit_id)
    intended = defaultdict(list)
    for proposal_id, unit_id in Proposal.suggested_units.through.objects.filter(
            proposal__committee=committee).values_list("proposal_id", "unit_id"):
        intended[proposal_id].append(unit_id)
    rows = [row for row in Proposal.objects.filter(committee=committee).values_list(
        "pk", "year", "assigned_on", "category_id").order_by("assigned_on", "pk").iterator(chunk_size=10000)
        if row[0] in units and units[row[0]]["lead"]]
    category = {pk: category_id for pk, _year, _day, category_id in rows}
    words = {}
    for index, (pk, title_tokens, keywords) in enumerate(SearchDocument.objects.filter(
            proposal__committee=committee).values_list("proposal_id", "title_tokens", "keywords").iterator(
            chunk_size=5000)):
        if stdout and index and index % 20000 == 0:
            stdout.write(f"  read {index} search documents")
        if pk in category:
            words[pk] = document_tokens(title_tokens=title_tokens, keywords=keywords, category_id=category[pk],
                                        intended=tuple(intended[pk]))
    missing = [pk for pk in category if pk not in words]
    for start in range(0, len(missing), 2000):  # not (yet) indexed: cut here, as the index would
        for p in Proposal.objects.filter(pk__in=missing[start:start + 2000]).only("pk", "title", "category_id",
                                                                                   *TEXT_FIELDS):
            words[p.pk] = proposal_tokens(title=p.title, body=p.full_body, category_id=p.category_id,
                                          intended=tuple(intended[p.pk]))
    if stdout and missing:
        stdout.write(f"  segmented {len(missing)} proposals without a search document")
    result = []
    for pk, year, day, _category_id in rows:
        if pk not in words:  # deleted while being read
            continue
        leads = mapped(units[pk]["lead"][:1], mapping)
        assisting = tuple(u for u in mapped(units[pk]["assisting"], mapping) if u not in leads)
        for lead in leads:
            result.append(Example(pk, year, day, words[pk], lead, assisting, 1 / len(leads)))
    return result


def mapped(unit_ids, mapping) -> tuple[int, ...]:
    return tuple(dict.fromkeys(new for unit_id in unit_ids for new in mapping.get(unit_id, (unit_id,))))


def fit(train: list[Example]) -> Trained:
    """Train on the examples (oldest first)."""
    started = time.monotonic()
    vectorizer = TfidfVectorizer(analyzer=identity, sublinear_tf=True, min_df=2 if len(train) > 200 else 1,
                                 max_features=MAX_FEATURES, dtype=np.float32)
    matrix = vectorizer.fit_transform([e.words for e in train])
    units = np.array(sorted({e.lead for e in train} | {u for e in train for u in e.assisting}))
    column = {int(u): i for i, u in enumerate(units)}
    leads = np.array([column[e.lead] for e in train])
    weights = np.array([e.weight for e in train])
    classes = np.unique(leads)
    if len(classes) == 1:
        coef = np.zeros((1, matrix.shape[1]), dtype=np.float32)
        intercept = np.zeros(1)
    else:
        classifier = SGDClassifier(loss="log_loss", alpha=2e-5, max_iter=15, tol=1e-3, random_state=0)
        with warnings.catch_warnings():  # fifteen passes are enough to rank units (docs/suggestions.md)
            warnings.simplefilter("ignore", ConvergenceWarning)
            classifier.fit(matrix, leads, sample_weight=weights)
        coef, intercept = classifier.coef_.astype(np.float32), classifier.intercept_
        if len(classes) == 2:  # a binary classifier has one row: the second class's
            coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
    class_row = {c: i for i, c in enumerate(classes)}
    together = np.zeros((len(classes), len(units)), dtype=np.float32)
    for example, lead in zip(train, leads, strict=True):
        for unit in example.assisting:
            together[class_row[lead], column[unit]] += example.weight
    counts = np.bincount([class_row[c] for c in leads], weights=weights, minlength=len(classes))
    together /= np.maximum(counts, 1)[:, None]
    keep = slice(max(0, len(train) - NEIGHBOUR_ROWS), len(train))
    recent = train[keep]
    neighbours = _prune(matrix[keep], NEIGHBOUR_TERMS)
    neighbour_lead = sparse.csr_matrix(([e.weight for e in recent], ([i for i in range(len(recent))],
                                        [class_row[column[e.lead]] for e in recent])),
                                       shape=(len(recent), len(classes)), dtype=np.float32)
    rows, cols = [], []
    for i, example in enumerate(recent):
        for unit in example.assisting:
            rows.append(i)
            cols.append(column[unit])
    neighbour_assisting = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                                            shape=(len(recent), len(units)))
    days = [e.day for e in train if e.day]
    return Trained(vectorizer=vectorizer, units=units, classes=classes, coef=coef, intercept=intercept,
                   together=together, neighbours=neighbours,
                   neighbour_ids=np.array([e.proposal_id for e in recent]), neighbour_lead=neighbour_lead,
                   neighbour_assisting=neighbour_assisting, features=vectorizer.get_feature_names_out(),
                   info={"examples": len({e.proposal_id for e in train}), "seconds": time.monotonic() - started,
                         "first_date": min(days) if days else None, "last_date": max(days) if days else None,
                         "sklearn": sklearn.__version__})


def _prune(matrix: sparse.csr_matrix, terms: int) -> sparse.csr_matrix:
    """Each row's strongest ``terms`` weights, normalised again: the neighbours' rows stay small."""
    return normalize(_top_rows(matrix.tocsr(), terms), norm="l2", copy=False)


@dataclass
class Scores:
    lead: np.ndarray  # rows × classes, summing to one
    assisting: np.ndarray  # rows × units, in [0, 1]
    similar: list  # per row: [(neighbour row, similarity)], best first
    matrix: sparse.csr_matrix  # the rows' features


def score(model: Trained, words: list[list[str]]) -> Scores:
    matrix = model.vectorizer.transform(words)
    logits = np.asarray(matrix @ model.coef.T) + model.intercept
    probabilities = 1 / (1 + np.exp(-np.clip(logits, -30, 30)))
    probabilities /= np.maximum(probabilities.sum(axis=1, keepdims=True), 1e-12)
    similarity = (matrix @ model.neighbours.T).tocsr()
    top = _top_rows(similarity, NEIGHBOURS)
    totals = np.maximum(np.asarray(top.sum(axis=1)), 1e-12)
    votes = np.asarray((top @ model.neighbour_lead).todense()) / totals
    has_votes = np.asarray(top.sum(axis=1)) > 0
    lead = np.where(has_votes, LEAD_BLEND * probabilities + (1 - LEAD_BLEND) * votes, probabilities)
    lead /= np.maximum(lead.sum(axis=1, keepdims=True), 1e-12)
    assisting = 0.5 * np.asarray((top @ model.neighbour_assisting).todense()) / totals + 0.5 * (lead @ model.together)
    similar = []
    for i in range(top.shape[0]):
        start, end = top.indptr[i], top.indptr[i + 1]
        pairs = sorted(zip(top.indices[start:end], top.data[start:end], strict=True), key=lambda p: -p[1])
        similar.append(pairs)
    return Scores(lead=lead, assisting=assisting, similar=similar, matrix=matrix)


def _top_rows(similarity: sparse.csr_matrix, k: int) -> sparse.csr_matrix:
    """Each row's ``k`` largest values (the rest dropped)."""
    data, indices, indptr = [], [], [0]
    for i in range(similarity.shape[0]):
        start, end = similarity.indptr[i], similarity.indptr[i + 1]
        values, columns = similarity.data[start:end], similarity.indices[start:end]
        if len(values) > k:
            top = np.argpartition(-values, k)[:k]
            values, columns = values[top], columns[top]
        data.append(values)
        indices.append(columns)
        indptr.append(indptr[-1] + len(values))
    return sparse.csr_matrix((np.concatenate(data) if data else np.zeros(0, dtype=np.float32),
                              np.concatenate(indices) if indices else np.zeros(0, dtype=np.int32), indptr),
                             shape=similarity.shape, dtype=np.float32)


def dumps(model: Trained) -> bytes:
    return zlib.compress(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL), 3)


def loads(data: bytes) -> Trained:
    # Only this module writes these bytes (UnitModel.data is never filled from outside).
    return pickle.loads(zlib.decompress(bytes(data)))  # noqa: S301


# Measuring -------------------------------------------------------------------------------------------------------

class Majority:
    """The guess a model must beat: always the most frequent lead unit, and the most frequent assisting units."""

    def __init__(self, train: list[Example]):
        self.lead = [u for u, _n in Counter(e.lead for e in train).most_common()]
        self.assisting = [u for u, _n in Counter(u for e in train for u in e.assisting).most_common()]

    def rank(self, words: list[list[str]]) -> list[tuple[list[int], list[int]]]:
        return [(self.lead, self.assisting)] * len(words)


class Learned:
    """A trained model as a ranker of unit ids, as the evaluation asks."""

    def __init__(self, model: Trained):
        self.model = model

    def rank(self, words: list[list[str]]) -> list[tuple[list[int], list[int]]]:
        result = []
        for start in range(0, len(words), 500):
            scores = score(self.model, words[start:start + 500])
            for lead, assisting in zip(scores.lead, scores.assisting, strict=True):
                leads = [int(self.model.units[self.model.classes[c]]) for c in np.argsort(-lead)[:10]]
                helpers = [int(self.model.units[u]) for u in np.argsort(-assisting)[:12] if assisting[u] > 0]
                result.append((leads, [u for u in helpers if u != leads[0]]))
        return result


def split_newest_year(items: list[Example]) -> tuple[list[Example], list[Example], int | None]:
    """Train on the years before the newest, test on the newest."""
    years = sorted({e.year for e in items})
    if len(years) < 2:
        return items, [], None
    newest = years[-1]
    return [e for e in items if e.year < newest], [e for e in items if e.year == newest], newest


def measure(ranker, test: list[Example], ks=(3, 5)) -> dict:
    """Top-1 and top-3 accuracy of the lead unit, and recall@k of the assisting units (of all the assisting units
    the test proposals had, the share found among the first k suggested)."""
    if not test:
        return {}
    first = {}
    for e in test:  # a split unit's proposal is one test case, with any of its new units right
        first.setdefault(e.proposal_id, (e, set()))[1].add(e.lead)
    cases = list(first.values())
    ranked = ranker.rank([e.words for e, _leads in cases])
    top1 = sum(1 for (e, leads), (lead, _a) in zip(cases, ranked, strict=True) if lead[:1] and lead[0] in leads)
    top3 = sum(1 for (e, leads), (lead, _a) in zip(cases, ranked, strict=True) if leads & set(lead[:3]))
    result = {"proposals": len(cases), "top1": top1 / len(cases), "top3": top3 / len(cases)}
    wanted = sum(len(e.assisting) for e, _l in cases)
    for k in ks:
        found = sum(len(set(e.assisting) & set(assisting[:k])) for (e, _l), (_lead, assisting)
                    in zip(cases, ranked, strict=True))
        result[f"assisting_recall@{k}"] = found / wanted if wanted else None
    result["assisting_units"] = wanted
    return result


def evaluate(items: list[Example]) -> dict:
    """The held-out evaluation: the newest year held out, a model trained on the years before."""
    train, test, year = split_newest_year(items)
    if not test or len(train) < MIN_EXAMPLES:
        return {}
    started = time.monotonic()
    model = fit(train)
    return {"held_out_year": year, "trained_on": len({e.proposal_id for e in train}),
            "model": measure(Learned(model), test), "majority": measure(Majority(train), test),
            "seconds": round(time.monotonic() - started, 1)}
