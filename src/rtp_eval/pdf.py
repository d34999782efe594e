"""PDF rendering of the report with WeasyPrint: tagged (PDF/UA-1), A4, deterministic."""

from __future__ import annotations

import os


def render_pdf(html: str, *, source_date_epoch: int) -> bytes:
    """The same HTML as the web report, laid out with its print CSS.

    `source_date_epoch` fixes the PDF's creation and modification dates, so the same inputs
    give the same bytes; it is derived from the data, not from the clock.
    """
    os.environ["SOURCE_DATE_EPOCH"] = str(source_date_epoch)
    from weasyprint import HTML

    return HTML(string=html, base_url=".").write_pdf(pdf_variant="pdf/ua-1")
