"""Chinese text for the index: jieba segmentation, keywords and highlighted snippets."""

import logging
import re
import threading

import jieba
import jieba.analyse
from django.utils.html import escape
from django.utils.safestring import mark_safe

jieba.setLogLevel(logging.WARNING)
_init_lock = threading.Lock()
_initialised = False

# Words that carry no meaning for matching proposals: every proposal "建议" "加强" something "工作".
STOPWORDS = frozenset("""
的 了 和 与 及 或 在 是 为 对 将 把 被 从 以 等 这 那 其 之 于 也 都 而 并 有 我 我们 你 您 他 她 它
关于 建议 提案 加强 进一步 工作 问题 推进 推动 提高 完善 做好 切实 有关 相关 一是 二是 三是 四是 五是 六是 要 不断
""".split())
_WORD = re.compile(r"[\w\u4e00-\u9fff]")


# Words of proposal work that jieba's general dictionary lacks; without them 托育 would be lost inside 普惠托育.
DOMAIN_WORDS = ("托育", "普惠托育", "未保", "适老化", "医保", "低保", "河长制", "网格化", "一站式", "全域旅游", "乡村振兴",
                "留守儿童", "困境儿童", "家庭医生", "垃圾分类", "背街小巷", "个体工商户", "营商环境", "校园周边")
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")


def _ensure_jieba():
    global _initialised
    if not _initialised:
        with _init_lock:
            if not _initialised:
                jieba.initialize()
                for word in DOMAIN_WORDS:
                    jieba.add_word(word)
                _initialised = True


def tokens(text: str) -> list[str]:
    """Search tokens of ``text``: jieba's search-mode segmentation, lowercased, without punctuation.

    Search mode also yields the short words inside long ones (托育 inside 普惠托育服务), so a two-character
    query word finds a document that only contains it as part of a longer word."""
    _ensure_jieba()
    result = []
    for token in jieba.cut_for_search(text or ""):
        token = token.strip().lower()
        if token and _WORD.search(token):
            result.append(token)
    return result


def index_text(text: str) -> str:
    """Space-separated tokens, as the FTS engines store them.

    Besides jieba's words, every Chinese word of three or more characters also contributes its character
    pairs, so a two-character query finds it even where jieba joined it into a longer, unknown word
    (托育 inside 普惠托育)."""
    words = []
    for token in tokens(text):
        words.append(token)
        if len(token) >= 3 and _CJK.match(token):
            words.extend(token[i:i + 2] for i in range(len(token) - 1))
    return " ".join(words)


def query_terms(text: str) -> list[str]:
    """The distinct meaningful terms of a user's query, longest first."""
    seen = []
    for token in tokens(text):
        if token not in STOPWORDS and token not in seen:
            seen.append(token)
    return sorted(seen, key=len, reverse=True) or [t for t in tokens(text)][:5]


def keywords(title: str, body: str, top: int = 20) -> dict[str, float]:
    """The weighted keywords of a proposal (the title counts three times), for similarity."""
    text = f"{title}\n{title}\n{title}\n{body}"
    _ensure_jieba()
    pairs = jieba.analyse.extract_tags(text, topK=top * 2, withWeight=True)
    result = {}
    for word, weight in pairs:
        if word not in STOPWORDS and len(word) > 1:
            result[word] = round(float(weight), 4)
        if len(result) >= top:
            break
    return result


def highlight(text: str, terms: list[str], width: int = 90) -> str:
    """An escaped excerpt of ``text`` around the first matching term, with every term in <mark>."""
    if not text:
        return ""
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
