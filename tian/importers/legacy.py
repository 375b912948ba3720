"""Parsing a proposal page saved from the legacy system (the seed page's format) into a plain record.

The page is a sequence of labelled lines (``编 号:第〔15〕号 所属类别:委员提案``), the proposal's paragraphs,
the assignment lines, one or more reply letters, the outcome and evaluation lines, and often a duplicated
print view (``提案编号:2023年度第15号`` …) that repeats the proposal and the letter. Real pages vary: half- or
full-width colons and brackets, spaces inside labels, CRLF line ends, missing optional lines, names
separated by spaces or 、. A page that cannot be understood raises :class:`LegacyParseError` naming the
line and what was expected.

Hostile files stay cheap: a page is at most ``MAX_PAGE_BYTES`` and a line at most ``MAX_LINE_CHARS``, and every
pattern is matched against one line and written so that it cannot backtrack over what it has read (neighbouring
parts match different characters, repeats are possessive ``*+``), so parsing takes time linear in the page. Dates
and numbers that look right but are not (``2023年13月45日``, a number of twenty digits) are errors naming the line.
"""

import datetime
import re
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

from tian.core.request_limits import clean_text

LABELS = ("编号", "所属类别", "提案人", "联名人", "审查结果", "信息公开", "交办时间", "是否重点", "督办单位", "牵头领导",
          "主办单位", "协办单位", "分办单位", "落实情况", "督办审核", "满意评价", "反馈意见", "提案编号", "领衔委员",
          "附议委员")
SECTION_END = ("落实情况", "督办审核", "满意评价", "反馈意见", "提案编号")
FOOTER = re.compile(r"^当前用户")
REPLY_NUMBER = re.compile(r"第\s*+\d++\s*+号")
SALUTATION = re.compile(r"^尊敬的.+[:：]$")
CLOSING = re.compile(r"^此复[。.]?$")
DATE = re.compile(r"^(\d{4})\s*+年\s*+(\d{1,2})\s*+月\s*+(\d{1,2})\s*+日$")
CONTACT = re.compile(r"^[(（]\s*+联系人\s*+[:：]\s*+(?P<name>[^\s:：)）]*)\s*+联系电话\s*+[:：](?P<phone>[^)）]*+)[)）]$")
OUTCOME_CODE = re.compile(r"[(（]\s*+([A-Za-z])\s*+[)）]\s*+$")
# Starts only where a run of numerals starts, so that a line of ten thousand 一 is read once, not once per 一.
SESSION = re.compile(r"(?<![一二三四五六七八九十])([一二三四五六七八九十]++届[一二三四五六七八九十]++次(?:全会|会议))")
NUMBER = re.compile(r"第\s*+(?:[〔\[［(（]\s*+)?(\d++)\s*+(?:[〕\]］)）]\s*+)?号")
YEAR_NUMBER = re.compile(r"(\d{4})\s*+年度\s*+第\s*+\d++\s*+号")
LABEL = re.compile(rf"({'|'.join(LABELS)})\s*+[:：]")
# Spaces inside a label (编 号) are squeezed out where a colon follows.
SPACED_LABEL = re.compile(r"(^|\s)((?:[\u4e00-\u9fff]\s++){1,3}+[\u4e00-\u9fff])\s*+(?=[:：])")

MAX_PAGE_BYTES = 2 * 1024 * 1024
MAX_LINE_CHARS = 20_000  # the longest paragraph of the real pages seen is about 1,100 characters
MAX_NUMBER = 99_999
YEARS = range(1949, 2101)


class LegacyParseError(ValueError):
    def __init__(self, line: int, expected: str, found: str = ""):
        self.line, self.expected, self.found = line, expected, found
        super().__init__(f"line {line}: expected {expected}" + (f", found {found[:40]!r}" if found else ""))


@dataclass
class LegacyReply:
    unit: str
    date: str | None
    contact_name: str
    contact_phone: str
    salutation: str
    body: str
    title: str = ""
    cosign_units: list[str] = field(default_factory=list)
    cosign_date: str | None = None


@dataclass
class LegacyRecord:
    number: int
    year: int | None
    session: str | None
    kind: str
    title: str
    proposer: str
    cosigners: list[str]
    body: str
    review_result: str | None
    public: bool
    assigned_on: str | None
    key: bool
    supervising_offices: list[str]
    lead_officials: list[str]
    lead_units: list[str]
    assisting_units: list[str]
    separate_units: list[str]
    replies: list[dict]
    outcome: str | None
    outcome_text: str | None
    supervision_review: str | None
    satisfaction: str | None
    feedback: str | None

    def as_json(self) -> dict:
        return asdict(self)


def _normalise(line: str) -> str:
    line = line.replace("\u3000", " ").replace("\ufeff", "").rstrip("\r\n").strip()
    return SPACED_LABEL.sub(lambda m: m.group(1) + "".join(m.group(2).split()), line)


def _fields(line: str) -> dict[str, str]:
    """``编号:第〔15〕号 所属类别:委员提案`` → {"编号": "第〔15〕号", "所属类别": "委员提案"}."""
    found = list(LABEL.finditer(line))
    result = {}
    for i, match in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(line)
        result[match.group(1)] = line[match.end():end].strip()
    return result


def _names(value: str | None) -> list[str]:
    return [n for n in re.split(r"[\s、,，;；]+", value or "") if n]


def _date(value: str | None, line: int) -> str | None:
    """``2023年3月16日`` → ``2023-03-16``; None for text that is not a date; an error naming the line for one
    that looks like a date but is none (``2023年13月45日``)."""
    match = DATE.match((value or "").replace(" ", ""))
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    try:
        if year not in YEARS:
            raise ValueError(year)
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        raise LegacyParseError(line, _("a real date from %(first)s to %(last)s, like 2023年3月16日")
                               % {"first": YEARS[0], "last": YEARS[-1]}, value) from None


def _number(value: str, line: int) -> int:
    """The proposal number of ``第〔15〕号``, at most ``MAX_NUMBER``."""
    match = NUMBER.search(value)
    digits = match.group(1) if match else ""
    if not match or len(digits) > len(str(MAX_NUMBER)) or not 1 <= int(digits) <= MAX_NUMBER:
        raise LegacyParseError(line, _("a number like 第〔15〕号, from 1 to %(max)s") % {"max": MAX_NUMBER}, value)
    return int(digits)


def _yes(value: str | None) -> bool:
    return (value or "").strip() in ("是", "公开", "Y", "y", "yes")


def parse(text: str) -> LegacyRecord:
    # Control characters (NUL …) never reach the database; form feeds, old exports' page breaks, end a line.
    raw_lines = clean_text(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(raw_lines, start=1):
        if len(line) > MAX_LINE_CHARS:
            raise LegacyParseError(number, _("a line of at most %(n)s characters") % {"n": MAX_LINE_CHARS},
                                   line)
    lines = [_normalise(line) for line in raw_lines]
    numbered = [(i + 1, line) for i, line in enumerate(lines)]
    meaningful = [(n, line) for n, line in numbered if line]
    if not meaningful:
        raise LegacyParseError(1, _("a proposal page"), "an empty file")

    # The heading: 委员提案 >> 关于……的建议 (the line before it, if any, is the site name).
    heading_index = next((i for i, (_n, line) in enumerate(meaningful) if ">>" in line or "》》" in line), None)
    if heading_index is None:
        raise LegacyParseError(meaningful[0][0], _("the heading line “委员提案 >> 关于……的建议”"), meaningful[0][1])
    heading_line, heading = meaningful[heading_index]
    kind_text, _sep, title = re.split(r"(>>|》》)", heading, maxsplit=1)
    title = title.strip()
    if not title:
        raise LegacyParseError(heading_line, _("a title after “>>”"), heading)

    facts: dict[str, str] = {}
    fact_lines: dict[str, int] = {}  # label → the line it was read from, for errors
    rest = meaningful[heading_index + 1:]
    position = 0
    # The labelled lines before the body.
    while position < len(rest) and _fields(rest[position][1]) and not _is_body_start(rest, position):
        _take(facts, fact_lines, rest[position])
        position += 1
    if "编号" not in facts:
        line_no = rest[0][0] if rest else heading_line
        raise LegacyParseError(line_no, _("the line “编号:第〔N〕号 所属类别:……”"), rest[0][1] if rest else "")
    number = _number(facts["编号"], fact_lines["编号"])
    if "提案人" not in facts:
        raise LegacyParseError(rest[min(position, len(rest) - 1)][0] if rest else heading_line,
                               _("the line “提案人:…… 联名人:……”"))

    # The body: every line up to the review-result line.
    body = []
    while position < len(rest) and "审查结果" not in _fields(rest[position][1]):
        body.append(rest[position][1])
        position += 1
    if position >= len(rest):
        raise LegacyParseError(rest[-1][0], _("the line “审查结果:…… 信息公开:……” after the body"))
    while position < len(rest) and _fields(rest[position][1]) and not _is_reply_title(rest[position][1]):
        fields = _fields(rest[position][1])
        if any(label in fields for label in SECTION_END):
            break
        _take(facts, fact_lines, rest[position])
        position += 1
    assigned_on = _date(facts.get("交办时间"), fact_lines.get("交办时间", 0))

    replies, position = _replies(rest, position)
    tail: dict[str, str] = {}
    tail_line = 0
    while position < len(rest):
        line_no, line = rest[position]
        if FOOTER.match(line):
            break
        fields = _fields(line)
        if "提案编号" in fields:  # the print view repeats everything that follows; keep only its numbers
            if "提案编号" not in tail:
                tail["提案编号"], tail_line = fields["提案编号"], line_no
            tail.update({k: v for k, v in fields.items() if k in ("领衔委员", "附议委员") and k not in tail})
            position += 1
            while position < len(rest) and _fields(rest[position][1]) and not FOOTER.match(rest[position][1]):
                for k, v in _fields(rest[position][1]).items():
                    tail.setdefault(k, v)
                position += 1
            break
        for k, v in fields.items():
            tail.setdefault(k, v)
        position += 1

    year = None
    session = None
    if (match := YEAR_NUMBER.search(tail.get("提案编号", ""))):
        year = int(match.group(1))
        if year not in YEARS:
            raise LegacyParseError(tail_line, _("a year from %(first)s to %(last)s, like 2023年度第15号")
                                   % {"first": YEARS[0], "last": YEARS[-1]}, tail["提案编号"])
    for reply in replies:
        if session is None and (found := SESSION.search(reply.title)):
            session = found.group(1)
    if year is None:
        year = int(assigned_on[:4]) if assigned_on else (
            int(replies[0].date[:4]) if replies and replies[0].date else None)

    outcome_text = tail.get("落实情况") or None
    outcome = None
    if outcome_text and (found := OUTCOME_CODE.search(outcome_text)):
        outcome = found.group(1).upper()
    return LegacyRecord(
        number=number, year=year, session=session,
        kind=facts.get("所属类别") or kind_text.strip(), title=title,
        proposer=facts.get("提案人", "").strip(), cosigners=_names(facts.get("联名人")),
        body="\n".join(line.strip() for line in body if line.strip()),
        review_result=facts.get("审查结果") or None, public=_yes(facts.get("信息公开")),
        assigned_on=assigned_on, key=_yes(facts.get("是否重点")),
        supervising_offices=_names(facts.get("督办单位")), lead_officials=_names(facts.get("牵头领导")),
        lead_units=_names(facts.get("主办单位")), assisting_units=_names(facts.get("协办单位")),
        separate_units=_names(facts.get("分办单位")),
        replies=[asdict(r) for r in replies], outcome=outcome, outcome_text=outcome_text,
        supervision_review=tail.get("督办审核") or None, satisfaction=tail.get("满意评价") or None,
        feedback=tail.get("反馈意见") or None,
    )


def _take(facts: dict[str, str], fact_lines: dict[str, int], numbered_line: tuple[int, str]) -> None:
    line_no, line = numbered_line
    fields = _fields(line)
    facts.update(fields)
    fact_lines.update(dict.fromkeys(fields, line_no))


def _is_reply_title(line: str) -> bool:
    """``关于……第15号……的回复`` (or 答复)."""
    return (line.startswith("关于") and line.endswith(("的回复", "的答复"))
            and REPLY_NUMBER.search(line, 2, len(line) - 3) is not None)


def _is_body_start(rest, position) -> bool:
    line = rest[position][1]
    fields = _fields(line)
    return bool(fields) and "审查结果" in fields


def _replies(rest, position) -> tuple[list[LegacyReply], int]:
    replies = []
    while position < len(rest) and _is_reply_title(rest[position][1]):
        title_line, title = rest[position]
        position += 1
        if position >= len(rest) or not SALUTATION.match(rest[position][1]):
            raise LegacyParseError(rest[min(position, len(rest) - 1)][0], _("a salutation “尊敬的……:”"),
                                   rest[position][1] if position < len(rest) else "")
        salutation = rest[position][1]
        position += 1
        paragraphs = []
        while position < len(rest) and not CLOSING.match(rest[position][1]):
            if _is_reply_title(rest[position][1]) or not _fields(rest[position][1]).keys().isdisjoint(SECTION_END):
                raise LegacyParseError(rest[position][0], _("“此复。” closing the reply to %(title)s") % {"title": title})
            paragraphs.append(rest[position][1])
            position += 1
        if position >= len(rest):
            raise LegacyParseError(rest[-1][0], _("“此复。” closing the reply"))
        position += 1
        unit = rest[position][1] if position < len(rest) else ""
        position += 1
        date = _date(rest[position][1], rest[position][0]) if position < len(rest) else None
        if date:
            position += 1
        contact_name = contact_phone = ""
        if position < len(rest) and (match := CONTACT.match(rest[position][1])):
            contact_name, contact_phone = match.group("name"), match.group("phone").strip()
            position += 1
        cosign_lines = []
        cosign_date = None
        while position < len(rest):
            line = rest[position][1]
            if _is_reply_title(line) or _fields(line) or FOOTER.match(line):
                break
            if (day := _date(line, rest[position][0])):
                cosign_date = day
                position += 1
                break
            cosign_lines.append(line)
            position += 1
        replies.append(LegacyReply(unit=unit, date=date, contact_name=contact_name, contact_phone=contact_phone,
                                   salutation=salutation, body="\n".join(p.strip() for p in paragraphs if p.strip()),
                                   title=title, cosign_units=_split_units("".join(cosign_lines)),
                                   cosign_date=cosign_date))
        del title_line
    return replies, position


def _split_units(text: str) -> list[str]:
    """The co-sign block runs unit names together (广元市朝天区民政局广元市朝天区教育和科学技术局 …);
    split before each repeated place prefix."""
    if not text:
        return []
    prefixes = re.findall(r"(广元市\S*?区|\S{2,4}市\S{2,4}区|\S{2,4}县)", text[:12])
    if not prefixes:
        return _names(text)
    prefix = prefixes[0][:3]
    parts = [p for p in re.split(rf"(?={re.escape(prefix)})", text) if p.strip()]
    return [p.strip() for p in parts]
