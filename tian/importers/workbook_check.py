"""What an uploaded Excel file must meet before openpyxl loads it.

An .xlsx file is a zip of XML parts, and openpyxl keeps some of them whole in memory (the shared strings): a file
of a few megabytes can unpack to gigabytes. So the file's size and the unpacked sizes its zip directory declares
are checked first (zipfile never unpacks more than a member declares, so the declared sizes bound what openpyxl
can read), then the first sheet is walked once, read-only and at most ``MAX_COLUMNS`` wide, to count its rows up
to the limit and to find a broken sheet before the import reads any of it.
"""

import io
import zipfile

from django.utils.translation import gettext as _
from openpyxl import load_workbook

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # a real template of 5,000 rows with long texts unpacks to about 30 MB
MAX_MEMBERS = 1000  # parts in the zip; a workbook has a few dozen
MAX_COLUMNS = 50  # the widest template has 13 columns; cells further right are never read


def workbook_problem(content: bytes, *, max_rows: int) -> str | None:
    """Why ``content`` cannot be imported as a workbook of at most ``max_rows`` data rows, or None."""
    not_excel = _("The file is not an Excel workbook (.xlsx).")
    if len(content) > MAX_FILE_BYTES:
        return _("The file is too large (at most %(mb)d MB).") % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        return not_excel
    if len(members) > MAX_MEMBERS or sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        return _("The workbook unpacks to more than %(mb)d MB; please split the file.") % {
            "mb": MAX_UNPACKED_BYTES // (1024 * 1024)}
    workbook = None
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        for count, _row in enumerate(workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True)):
            if count > max_rows:  # the header and max_rows data rows
                return _("More than %(n)s rows; please split the file.") % {"n": max_rows}
    except Exception:  # noqa: BLE001 - anything openpyxl cannot read is "not an Excel file"
        return not_excel
    finally:
        if workbook is not None:
            workbook.close()
    return None
