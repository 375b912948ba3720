"""Official documents: reply letters, proposal forms (提案单), assignment notices (交办通知) and the annual
compilation (提案汇编), as Word (python-docx) and PDF (WeasyPrint, with an embedded CJK font)."""
