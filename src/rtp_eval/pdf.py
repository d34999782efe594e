"""PDF rendering of the report with WeasyPrint: tagged (PDF/UA-1), A4, deterministic, offline.

WeasyPrint fetches every resource the HTML refers to (images, style sheets, fonts) through a URL
fetcher; ours refuses anything but data: URLs and file: URLs inside the project, so building the
PDF never reaches the network, whatever the analyst's text or a base URL points at.
"""

from __future__ import annotations

import os
import re
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from rtp_eval.errors import PublishError


def url_refusal(url: str, project: Path) -> str | None:
    """Why the PDF build may not fetch `url` (in Swedish), or None if it may.

    Allowed: data: URLs (the report embeds its own images so) and file: URLs of files inside
    `project` (after resolving symbolic links and `..`).
    """
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        return None
    if scheme != "file":
        return "bygget hämtar aldrig något från nätet; bara filer i projektet får användas"
    if parts.netloc not in ("", "localhost"):
        return "filen ligger på en annan dator; bara filer i projektet får användas"
    path = Path(urllib.request.url2pathname(parts.path)).resolve()
    if not path.is_relative_to(project.resolve()):
        return f"filen ligger utanför projektet ({project}); bara filer i projektet får användas"
    return None


def project_url_fetcher(project: Path) -> Any:
    """A WeasyPrint URL fetcher that fetches only what `url_refusal` allows.

    A refused URL stops the rendering (`fail_on_errors`): a PDF silently missing an image is
    worse than a clear error. WeasyPrint requires a subclass of its own fetcher.
    """
    from weasyprint.urls import URLFetcher

    class ProjectURLFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            refusal = url_refusal(url, project)
            if refusal is not None:
                raise PermissionError(f"{_shorten(url)}: {refusal}")
            return super().fetch(url, headers)

    return ProjectURLFetcher(
        allowed_protocols=("data", "file"), allow_redirects=False, fail_on_errors=True
    )


def _shorten(url: str, length: int = 120) -> str:
    return url if len(url) <= length else url[: length - 1] + "…"


def render_pdf(
    html: str,
    *,
    source_date_epoch: int,
    public_url: str | None = None,
    project: Path | None = None,
) -> bytes:
    """The same HTML as the web report, laid out with its print CSS.

    `source_date_epoch` fixes the PDF's creation and modification dates, so the same inputs
    give the same bytes; it is derived from the data, not from the clock. Relative links (to
    the published tables) point below `public_url`, the web address of the report's folder;
    without one they stay plain text, so the PDF never records the local folder it was built in.
    Resources are fetched only from `project` (default: the working directory) and data: URLs.
    """
    os.environ["SOURCE_DATE_EPOCH"] = str(source_date_epoch)
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    fetcher = project_url_fetcher(project if project is not None else Path.cwd())
    try:
        document = HTML(string=html, base_url=public_url, url_fetcher=fetcher)
        return document.write_pdf(pdf_variant="pdf/ua-1")
    except FatalURLFetchingError as error:
        cause = error.__cause__ if error.__cause__ is not None else error
        raise PublishError(
            f"PDF:en kunde inte byggas: en resurs nekades eller saknas. {cause}"
        ) from error


# The report's figures in document order: inline SVG (aria-label) and images (alt text).
_FIGURE = re.compile(r'<svg role="img" aria-label="([^"]*)"|<img\b[^>]*?\balt="([^"]*)"')


def figure_labels(html: str) -> list[str]:
    """The accessible names of the figures WeasyPrint tags, in document order.

    Inline SVG figures (their aria-label) and images, such as those of the analyst's text
    (their alt text): WeasyPrint tags both as /Figure, in the order of the HTML.
    """
    import html as html_module

    return [html_module.unescape(svg if svg else image) for svg, image in _FIGURE.findall(html)]


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
