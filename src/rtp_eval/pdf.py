"""PDF rendering of the report with WeasyPrint: tagged (PDF/UA-1), A4, deterministic."""

from __future__ import annotations

import os


def render_pdf(html: str, *, source_date_epoch: int, public_url: str | None = None) -> bytes:
    """The same HTML as the web report, laid out with its print CSS.

    `source_date_epoch` fixes the PDF's creation and modification dates, so the same inputs
    give the same bytes; it is derived from the data, not from the clock. Relative links (to
    the published tables) point below `public_url`, the web address of the report's folder;
    without one they stay plain text, so the PDF never records the local folder it was built in.
    """
    os.environ["SOURCE_DATE_EPOCH"] = str(source_date_epoch)
    from weasyprint import HTML

    return HTML(string=html, base_url=public_url).write_pdf(pdf_variant="pdf/ua-1")


def figure_labels(html: str) -> list[str]:
    """The accessible names of the inline SVG figures, in document order."""
    import html as html_module
    import re

    labels = re.findall(r'<svg role="img" aria-label="([^"]*)"', html)
    return [html_module.unescape(label) for label in labels]


def add_figure_alt_texts(pdf: bytes, alt_texts: list[str]) -> bytes:
    """Give each tagged /Figure of the PDF its text alternative, in document order.

    WeasyPrint tags inline SVG figures as /Figure but does not carry their aria-label over as
    /Alt, which PDF/UA requires; the figures appear in the same order as in the HTML.
    """
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        figures = list(_struct_elements(document.Root.StructTreeRoot, "/Figure"))
        if len(figures) != len(alt_texts):
            raise ValueError(
                f"the PDF has {len(figures)} tagged figures but {len(alt_texts)} text alternatives"
            )
        for element, text in zip(figures, alt_texts, strict=True):
            element.Alt = pikepdf.String(text)
        output = io.BytesIO()
        document.save(output, deterministic_id=True)
    return output.getvalue()


def _struct_elements(node, kind: str):
    """Structure elements of type `kind`, depth first in document order."""
    import pikepdf

    if isinstance(node, pikepdf.Array):
        for child in node:
            yield from _struct_elements(child, kind)
        return
    if not isinstance(node, pikepdf.Dictionary):
        return
    if node.get("/S") == pikepdf.Name(kind):
        yield node
    children = node.get("/K")
    if children is not None:
        yield from _struct_elements(children, kind)
