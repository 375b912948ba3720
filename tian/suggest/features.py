"""What the unit model reads of a proposal: the jieba tokens the search makes of its title (twice: a title says
the matter) and body, without stop words and words of the genre, and two marks: its topic category and each unit
its proposer intended. Marks start with "#", so they are never shown to a clerk as a matching word."""

from tian.search.text import GENRE_WORDS, STOPWORDS, tokens

SKIP = STOPWORDS | GENRE_WORDS


def proposal_tokens(*, title: str, body: str, category_id: int | None, intended: tuple[int, ...] = ()) -> list[str]:
    title_words = [t for t in tokens(title) if t not in SKIP and not t.isdigit()]
    words = title_words + title_words + [t for t in tokens(body) if t not in SKIP and not t.isdigit()]
    if category_id:
        words.append(f"#c{category_id}")
    words += [f"#u{unit_id}" for unit_id in intended]
    return words


TEXT_FIELDS = ("body", "background", "analysis", "suggestions")


def text_of(*parts: str) -> str:
    """The proposal's text: the body, or the three parts an author may write instead."""
    return "\n".join(part for part in parts if part)


def is_word(feature: str) -> bool:
    return not feature.startswith("#") and len(feature) > 1


def identity(words: list[str]) -> list[str]:
    """The vectoriser's analyser: the tokens are made here, once (a module function, so the model pickles)."""
    return words
