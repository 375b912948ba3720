"""What the unit model reads of a proposal: the jieba tokens the search makes of its title (twice: a title says
the matter) and the keywords the search keeps of its title and text (``tian.search.text.keywords``: the strongest
words, weighted by jieba's idf), without stop words and words of the genre, and two marks: its topic category and
each unit its proposer intended. Marks start with "#", so they are never shown to a clerk as a matching word.

Both come from the search index's document of a proposal when it has one (``SearchDocument.title_tokens`` and
``keywords``, segmented when the proposal was indexed), so training on 100,000 proposals reads them rather than
cutting every text again; a proposal being suggested for is cut afresh by the same functions. The index's body
tokens are not used: they include the released replies, the answer of the unit that handled the proposal, which a
clerk assigning a new proposal does not have."""

import re

from tian.search.text import GENRE_WORDS, STOPWORDS, keywords, tokens

SKIP = STOPWORDS | GENRE_WORDS
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")


def proposal_tokens(*, title: str, body: str, category_id: int | None, intended: tuple[int, ...] = ()) -> list[str]:
    """The features of a proposal's text, cut now (``body``: its text as the index reads it, ``full_body``)."""
    return _assemble(tokens(title), keywords(title, body), category_id, intended)


def document_tokens(*, title_tokens: str, keywords: dict, category_id: int | None,
                    intended: tuple[int, ...] = ()) -> list[str]:
    """The same features from the search document the index stored: no segmentation."""
    return _assemble(stored_tokens(title_tokens), keywords, category_id, intended)


def _assemble(title_tokens: list[str], keywords: dict, category_id, intended) -> list[str]:
    title_words = [t for t in title_tokens if t not in SKIP and not t.isdigit()]
    words = title_words + title_words + [w for w in keywords if is_word(w) and w not in SKIP and not w.isdigit()]
    if category_id:
        words.append(f"#c{category_id}")
    words += [f"#u{unit_id}" for unit_id in intended]
    return words


def stored_tokens(index_text: str) -> list[str]:
    """``tokens(text)`` again from the index's ``index_text(text)``: that text is the tokens, each Chinese word of
    three or more characters followed by its character pairs (``tian.search.text._index_words``), left out here."""
    words, result, i = index_text.split(), [], 0
    while i < len(words):
        word = words[i]
        result.append(word)
        i += len(word) if len(word) >= 3 and _CJK.match(word) else 1
    return result


TEXT_FIELDS = ("body", "background", "analysis", "suggestions")


def text_of(*parts: str) -> str:
    """The proposal's text: the body, or the three parts an author may write instead."""
    return "\n".join(part for part in parts if part)


def is_word(feature: str) -> bool:
    return not feature.startswith("#") and len(feature) > 1


def identity(words: list[str]) -> list[str]:
    """The vectoriser's analyser: the tokens are made here, once (a module function, so the model pickles)."""
    return words
