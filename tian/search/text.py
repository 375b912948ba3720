"""Chinese text for the index: jieba segmentation, keywords and highlighted snippets."""

import functools
import logging
import math
import re
import threading
from collections import Counter

import jieba
import jieba.analyse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from opencc import OpenCC

from tian.disclosure.masking import mask_personal

jieba.setLogLevel(logging.WARNING)
_init_lock = threading.Lock()
_initialised = False

# Words that carry no meaning for matching proposals: every proposal "建议" "加强" something "工作".
STOPWORDS = frozenset("""
的 了 和 与 及 或 在 是 为 对 将 把 被 从 以 等 这 那 其 之 于 也 都 而 并 有 我 我们 你 您 他 她 它
关于 建议 提案 加强 进一步 工作 问题 推进 推动 提高 完善 做好 切实 有关 相关 一是 二是 三是 四是 五是 六是 要 不断
""".split())
_WORD = re.compile(r"[\w\u4e00-\u9fff]")

# Words of the proposal genre rather than of its matter: almost every proposal says that 我区 should 加大 its
# 力度, 建立 a 机制 and 给予 支持 so that 群众 benefit. They are left out of the keywords used for similarity
# (not out of search), so that two proposals are not found alike for being written the same way.
GENRE_WORDS = frozenset("""
我区 全区 群众 为此 解决 建设 开展 给予 建立 部门 实施 实行 落实 提升 加大 加快 促进 确保 积极 有效 相关 情况 方面 部分
一些 不少 目前 当前 近年来 现象 存在 较为 十分 力度 机制 制度 体系 水平 能力 条件 改善 保障 支持 鼓励 引导 推行 规范 统筹
一批 一定 进行 实现 提供 纳入 重点 突出 严重 较大 日益 逐步 定期 及时 有人 走访 调研 发现 反映 这些 其中 以及
""".split())


# Words of proposal work that jieba's general dictionary lacks; without them 托育 would be lost inside 普惠托育.
DOMAIN_WORDS = ("托育", "普惠托育", "未保", "适老化", "医保", "低保", "河长制", "网格化", "一站式", "全域旅游", "乡村振兴",
                "留守儿童", "困境儿童", "家庭医生", "垃圾分类", "背街小巷", "个体工商户", "营商环境", "校园周边",
                "线上线下")
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")


def warm() -> None:
    """Load jieba's dictionary now (~0.6 s) rather than on a process's first search: web processes call it
    when they start (``tian/wsgi.py``), so no visitor waits for it."""
    _ensure_jieba()


def _ensure_jieba():
    global _initialised
    if not _initialised:
        with _init_lock:
            if not _initialised:
                jieba.initialize()
                for word in DOMAIN_WORDS:
                    jieba.add_word(word)
                _initialised = True


def _search_words(words: list[str]) -> list[str]:
    """jieba's search mode (``jieba.cut_for_search``) from an accurate-mode cut already made: before each
    word, the dictionary words of two and three characters inside it. Done here so that a text cut once
    serves both the index and the keywords (``analyse``)."""
    freq = jieba.dt.FREQ
    result = []
    for word in words:
        if len(word) > 2:
            result.extend(gram for i in range(len(word) - 1) if freq.get(gram := word[i:i + 2]))
        if len(word) > 3:
            result.extend(gram for i in range(len(word) - 2) if freq.get(gram := word[i:i + 3]))
        result.append(word)
    return result


def _clean(words: list[str]) -> list[str]:
    result = []
    for token in words:
        token = token.strip().lower()
        if token and _WORD.search(token):
            result.append(token)
    return result


# Full-width letters, digits and signs (５Ｇ, ＡＢＣ, typed with a Chinese input method) as their ordinary forms, so that
# 5G finds ５Ｇ and the other way round: the index and the query alike, character for character (the highlight's
# positions stay those of the text).
HALF_WIDTH = str.maketrans({chr(0xFF01 + i): chr(0x21 + i) for i in range(94)} | {"\u3000": " "})


def _cut(text: str) -> list[str]:
    _ensure_jieba()
    return jieba.lcut((text or "").translate(HALF_WIDTH))


def tokens(text: str) -> list[str]:
    """Search tokens of ``text``: jieba's search-mode segmentation, lowercased, without punctuation.

    Search mode also yields the short words inside long ones (托育 inside 普惠托育服务), so a two-character
    query word finds a document that only contains it as part of a longer word."""
    return _clean(_search_words(_cut(text)))


def _index_words(tokens: list[str]) -> str:
    words = []
    for token in tokens:
        words.append(token)
        if len(token) >= 3 and _CJK.match(token):
            words.extend(token[i:i + 2] for i in range(len(token) - 1))
    return " ".join(words)


def index_text(text: str) -> str:
    """Space-separated tokens, as the FTS engines store them.

    Besides jieba's words, every Chinese word of three or more characters also contributes its character
    pairs, so a two-character query finds it even where jieba joined it into a longer, unknown word
    (托育 inside 普惠托育)."""
    return _index_words(tokens(text))


@functools.cache
def _to_simplified():
    return OpenCC("t2s")


def query_terms(text: str) -> list[str]:
    """The distinct meaningful terms of a user's query, longest first. A query written in traditional characters (農村養老,
    typed by a member used to them, pasted from elsewhere) is read in simplified ones, as proposals are written: the
    index holds what was written, so a proposal written in traditional characters is found by its own words."""
    text = _to_simplified().convert(text or "")
    seen = []
    for token in tokens(text):
        if token not in STOPWORDS and token not in seen:
            seen.append(token)
    return sorted(seen, key=len, reverse=True) or [t for t in tokens(text)][:5]


# How many character features a proposal keeps besides its ``top`` words (see ``keywords``).
TOP_CHARACTERS = 60


def keywords(title: str, body: str, top: int = 20) -> dict[str, float]:
    """The weighted features of a proposal for similarity: its ``top`` keywords and its strongest characters.

    Both leave out stop words and words of the genre (``GENRE_WORDS``) and count the title twice. Words are
    jieba's, weighted by (1 + log tf) × idf, so that a word repeated does not drown the others. Characters
    are the Chinese characters of the same text, weighted by tf × idf: a character that recurs in different
    words (火 in 防火, 火灾, 扑火) is good evidence of the matter. They are stored as one-character keys (a
    keyword always has two or more), so that two members who write 诈骗 and 骗局, 危房 and 危旧房, or 防火 and
    火灾 are still found alike; ``query._cosine`` compares the two families."""
    title_words = _cut(title)
    return _features([*title_words, *title_words, *_cut(body)], top)


def _features(words: list[str], top: int = 20) -> dict[str, float]:
    idf, median_idf = jieba.analyse.default_tfidf.idf_freq, jieba.analyse.default_tfidf.median_idf
    counted, characters = Counter(), Counter()
    for token in words:
        token = token.strip().lower()
        if not _WORD.search(token) or token in STOPWORDS or token in GENRE_WORDS:
            continue
        if len(token) > 1:
            counted[token] += 1
        characters.update(c for c in token if "\u4e00" <= c <= "\u9fff")

    def strongest(weights: dict[str, float], n: int) -> dict[str, float]:
        return {t: round(w, 4) for t, w in sorted(weights.items(), key=lambda item: -item[1])[:n]}

    word_weights = {w: (1 + math.log(k)) * idf.get(w, median_idf) for w, k in counted.items()}
    character_weights = {c: k * idf.get(c, median_idf) for c, k in characters.items()}
    return strongest(word_weights, top) | strongest(character_weights, TOP_CHARACTERS)


# Longer "words" (a run of Latin letters or digits) are left out of the keyword table, whose column they
# would not fit; they are still compared when candidates are re-ranked.
MAX_KEYWORD_LENGTH = 100


def word_vector(features: dict[str, float]) -> dict[str, float]:
    """The words of ``keywords`` (not the characters), their weights divided by the length of the words'
    vector: the dot product of two such vectors is the cosine of their words."""
    words = {w: weight for w, weight in features.items() if 1 < len(w) <= MAX_KEYWORD_LENGTH}
    norm = math.sqrt(sum(weight * weight for weight in words.values()))
    return {w: weight / norm for w, weight in words.items()} if norm else {}


def analyse(title: str, body: str, replies: list[str]) -> tuple[str, str, dict[str, float]]:
    """What the index stores of a proposal: the index text of its title, of its body followed by its
    released replies, and the keywords of title and body (without the replies, which speak of the answer).

    The same as ``index_text(title)``, ``index_text("\\n".join([body, *replies]))`` and ``keywords(title,
    body)``, with each text cut once instead of three times: jieba cuts a text line by line, so the cut of
    lines joined by newlines is the cuts of the lines one after the other.

    Personal numbers (mobiles, ID numbers, fixed lines) are masked before anything is cut, as the public reads
    them: a search for a whole number must not confirm the number behind a masked one (137****2836)."""
    title_words, body_words = _cut(mask_personal(title, landlines=True)), _cut(mask_personal(body, landlines=True))
    with_replies = list(body_words)
    for reply in replies:
        with_replies += ["\n", *_cut(mask_personal(reply, landlines=True))]
    return (_index_words(_clean(_search_words(title_words))), _index_words(_clean(_search_words(with_replies))),
            _features([*title_words, *title_words, *body_words]))


def highlight(text: str, terms: list[str], width: int = 90) -> str:
    """An escaped excerpt of ``text`` around the first matching term, with every term in <mark>."""
    if not text:
        return ""
    text = text.translate(HALF_WIDTH)  # as the terms were cut: ５Ｇ is marked where 5G was asked for
    lowered = text.lower()
    positions = [lowered.find(t) for t in terms if t and lowered.find(t) >= 0]
    start = max(min(positions) - width // 3, 0) if positions else 0
    excerpt = text[start:start + width]
    html = escape(excerpt)
    alternatives = [re.escape(escape(t)) for t in sorted({t for t in terms if t}, key=len, reverse=True)]
    if alternatives:
        html = re.sub("|".join(alternatives), lambda m: f"<mark>{m.group(0)}</mark>", html, flags=re.IGNORECASE)
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return mark_safe(f"{prefix}{html}{suffix}")  # noqa: S308 - built from escaped text
