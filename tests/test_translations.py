"""The Chinese catalogue is complete and the compiled file matches it."""

import shutil
import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "tian" / "locale" / "zh_Hans" / "LC_MESSAGES"

needs_msgfmt = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")


@needs_msgfmt
def test_every_message_is_translated():
    result = subprocess.run(["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(LOCALE / "django.po")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


@needs_msgfmt
def test_compiled_catalogue_is_up_to_date(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(LOCALE / "django.po")], check=True)
    assert compiled.read_bytes() == (LOCALE / "django.mo").read_bytes(), "run `make messages`"


TEMPLATES = Path(__file__).resolve().parent.parent / "tian" / "templates"
# What a page may write in Chinese whatever the reader's language: the brand's mark, the language's own name in
# the language switch, and the official documents, which are Chinese by law (documents/print.html renders one).
CHINESE_BY_DESIGN = {"base.html": {"政", "简体中文"}, "documents/print.html": {"请使用浏览器的“打印”(Ctrl+P)打印本页。"}}


def _untranslated_chinese(text: str) -> list[str]:
    import re

    text = re.sub(r"\{%\s*blocktranslate\b.*?\{%\s*endblocktranslate\s*%\}", "", text, flags=re.S)
    text = re.sub(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", "", text, flags=re.S)
    text = re.sub(r"\{#.*?#\}|\{%.*?%\}", "", text, flags=re.S)
    return re.findall(r"[^\s<>\"'{}]*[\u4e00-\u9fff][^<>\"{}]*?(?=[<\"{]|$)", text, flags=re.M)


def test_templates_write_no_chinese_outside_the_catalogue():
    """Every word a page shows goes through gettext, so that an English reader never meets a Chinese phrase the
    catalogue does not know (the proposal page once wrote 未表态 and 督办未审核 as they are)."""
    found = {}
    for path in TEMPLATES.rglob("*.html"):
        name = path.relative_to(TEMPLATES).as_posix()
        left = [t.strip() for t in _untranslated_chinese(path.read_text()) if t.strip()]
        left = [t for t in left if not any(allowed in t for allowed in CHINESE_BY_DESIGN.get(name, ()))]
        if left:
            found[name] = left
    assert not found, found
