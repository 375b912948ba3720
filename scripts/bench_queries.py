"""Search queries for make bench and the profiles, drawn from the benchmark dataset itself.

A page is not loaded by one query repeated: people search for common and rare words, one or two at a time,
and what one query leaves in the database's or Django's caches is not what the next one needs. This takes a
deterministic sample of the submitted proposals, segments their titles and bodies as the index does
(``search.text.tokens``: jieba's search mode), counts in how many of the sampled proposals each word occurs
(its document frequency), and draws queries from three bands of that frequency:

- common: in 15 % or more of the proposals (建设, 服务, 农村: every topic's vocabulary);
- medium: 2.5–15 % (the words of a few topics);
- rare: under 2.5 % (the words of one topic of the generator's sixty, or fewer);

as one-word queries from each band, two-word queries of words found together in one proposal (bands mixed),
and a few two-word queries of rare words from different topics, which find nothing. Words are Chinese, two
characters or more, and not search stop words. The list is shuffled with the seed, without repeats.

Where the proportions are near a band's bound, a word can fall on either side in samples of different datasets;
so that every dataset of one generator is searched with the same queries (the 100k/1k ratio compares like with
like), make bench keeps the list drawn first (``keep``) and reuses it while the generator is unchanged.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tian_bench_100000 .venv/bin/python scripts/bench_queries.py

prints the list (one query a line) and, on standard error, its make-up. ``search_queries()`` is what
scripts/bench.py calls inside its Django set-up.
"""

import collections
import json
import random
import re
from pathlib import Path

SAMPLE = 3000  # proposals whose words are counted
COMMON, RARE = 0.15, 0.025  # document-frequency bounds of the bands
# How many queries of each kind: one word per band, two words found together, two words found nowhere together.
ONE_WORD = {"common": 40, "medium": 60, "rare": 70}
TOGETHER = 100
APART = 10
_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$")


def document_frequencies(seed: int = 1, sample: int = SAMPLE):
    """(number of proposals sampled, word -> proposals it occurs in, the word sets of the sampled proposals)."""
    from tian.proposals.models import Proposal, State
    from tian.search import text

    rng = random.Random(seed)
    ids = sorted(Proposal.objects.exclude(state=State.DRAFT).values_list("pk", flat=True))
    chosen = sorted(rng.sample(ids, min(sample, len(ids))))
    memo: dict[str, frozenset[str]] = {}

    def words(value: str) -> frozenset[str]:
        if value not in memo:  # the generator repeats its sixty bodies: each is cut once
            memo[value] = frozenset(w for w in text.tokens(value) if _CJK_WORD.match(w) and w not in text.STOPWORDS)
        return memo[value]

    documents = []
    for proposal in Proposal.objects.filter(pk__in=chosen).order_by("pk"):
        documents.append(words(proposal.title) | words(proposal.full_body))
    frequencies = collections.Counter(w for document in documents for w in document)
    return len(documents), frequencies, documents


def search_queries(seed: int = 1, keep: Path | None = None) -> tuple[list[str], dict]:
    """The queries, shuffled, and what they are made of (for the report). With ``keep`` (a path without suffix),
    the list kept there (``.txt``, and ``.json`` for its make-up) if there is one, else the one drawn now, kept."""
    if keep is not None and keep.with_suffix(".txt").exists() and keep.with_suffix(".json").exists():
        about = json.loads(keep.with_suffix(".json").read_text())
        return keep.with_suffix(".txt").read_text().splitlines(), {**about, "kept": True}
    queries, about = draw(seed)
    if keep is not None and queries:
        keep.with_suffix(".txt").write_text("\n".join(queries))
        keep.with_suffix(".json").write_text(json.dumps(about, ensure_ascii=False))
    return queries, about


def draw(seed: int = 1) -> tuple[list[str], dict]:
    total, frequencies, documents = document_frequencies(seed)
    if not total:
        return [], {"distinct": 0}
    rng = random.Random(seed + 1)  # its own: the sample above takes more or fewer numbers by the dataset's size

    def band(word: str) -> str:
        share = frequencies[word] / total
        return "common" if share >= COMMON else "rare" if share < RARE else "medium"

    bands: dict[str, list[str]] = {"common": [], "medium": [], "rare": []}
    for word in sorted(frequencies):
        bands[band(word)].append(word)
    chosen: dict[str, str] = {}  # query -> kind, in the order drawn
    for name, count in ONE_WORD.items():
        for word in rng.sample(bands[name], min(count, len(bands[name]))):
            chosen[word] = f"one word, {name}"
    # Two words of one proposal: the bands of the pair taken in turn, so that each mix is represented.
    mixes = [("common", "common"), ("common", "medium"), ("common", "rare"), ("medium", "medium"),
             ("medium", "rare"), ("rare", "rare")]
    attempts = 0
    together = 0
    while together < TOGETHER and attempts < 50 * TOGETHER:
        attempts += 1
        first_band, second_band = mixes[together % len(mixes)]
        document = sorted(rng.choice(documents))
        first = [w for w in document if band(w) == first_band]
        second = [w for w in document if band(w) == second_band]
        if not first or not second:
            continue
        a, b = rng.choice(first), rng.choice(second)
        if a == b or a in b or b in a:  # 未成年 and 未成年人 are one word to the reader
            continue
        query = f"{a} {b}"
        if query not in chosen and f"{b} {a}" not in chosen:
            chosen[query] = f"two words together, {first_band}+{second_band}"
            together += 1
    # Two rare words never found together (in the sample): the search that finds nothing.
    apart = 0
    attempts = 0
    while apart < APART and attempts < 100 * APART and len(bands["rare"]) > 1:
        attempts += 1
        a, b = rng.sample(bands["rare"], 2)
        if any(a in document and b in document for document in documents):
            continue
        query = f"{a} {b}"
        if query not in chosen:
            chosen[query] = "two words apart, rare+rare"
            apart += 1
    queries = list(chosen)
    rng.shuffle(queries)
    makeup = collections.Counter(chosen.values())
    return queries, {"distinct": len(queries), "sampled": total,
                     "one_word": sum(v for k, v in makeup.items() if k.startswith("one word")),
                     "two_words": sum(v for k, v in makeup.items() if k.startswith("two words")),
                     "kinds": dict(sorted(makeup.items())),
                     "bands": {name: len(words) for name, words in bands.items()}}


if __name__ == "__main__":
    import os
    import secrets
    import sys
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tian.settings")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(40))
    os.environ.setdefault("HTTPS_ONLY", "0")
    import django

    django.setup()
    found, about = search_queries()
    print("\n".join(found))
    print(about, file=sys.stderr)
