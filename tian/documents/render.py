"""Writing a Document as .docx and as .pdf."""

import io

from django.template.loader import render_to_string
from docx import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Pt

from tian.documents.content import Document

FONT = "宋体"  # the font official documents use; Word substitutes a CJK serif where it is missing
SIZES = {"title": 18, "subtitle": 16, "heading": 14, "mark": 14}


def _set_font(run, size):
    run.font.name = FONT
    run._element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    run.font.size = Pt(size)


def to_docx(document: Document) -> bytes:
    word = WordDocument()
    word.core_properties.title = document.title
    for block in document.blocks:
        if block.style == "pagebreak":
            word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            continue
        paragraph = word.add_paragraph()
        run = paragraph.add_run(block.text)
        _set_font(run, SIZES.get(block.style, 12))
        if block.style in ("title", "subtitle", "heading", "mark"):
            run.bold = True
        if block.style in ("title", "subtitle", "center"):
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif block.style in ("right", "mark"):
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif block.style == "body":
            paragraph.paragraph_format.first_line_indent = Pt(24)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def to_pdf(document: Document) -> bytes:
    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML

    html = render_to_string("documents/print.html", {"document": document})
    # The same stylesheet as the browser's print view, read from the app's own files (no network).
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=finders.find("tian/print-document.css"))])
