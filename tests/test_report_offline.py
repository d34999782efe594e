"""The report build never reaches the network: the PDF's URL fetcher refuses anything but data:
URLs and files inside the project, and the analyst's images come only from config/texts/, with a
text alternative that reaches the tagged PDF."""

from __future__ import annotations

import io
import socket
from pathlib import Path
from unittest import mock

import pytest

from rtp_eval.errors import PublishError, ReportTextError
from rtp_eval.pdf import add_figure_alt_texts, figure_labels, render_pdf, url_refusal
from rtp_eval.report import ANALYST_IMAGE_FOLDER, analyst_text

# A 1×1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db00000000049454e44ae426082"
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder as the workflow runs in it, with an image among the analyst's texts."""
    texts = tmp_path / ANALYST_IMAGE_FOLDER
    texts.mkdir(parents=True)
    (texts / "karta.png").write_bytes(PNG)
    (tmp_path / "bild.png").write_bytes(PNG)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> mock.MagicMock:
    """Any attempt to open a connection fails the test loudly."""
    connect = mock.MagicMock(side_effect=AssertionError("network access attempted"))
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "create_connection", connect)
    return connect


def page(body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="sv"><head><title>Test</title></head><body>{body}</body></html>'
    )


def realia(markdown: str) -> str:
    return analyst_text(
        markdown, source=ANALYST_IMAGE_FOLDER / "realia.md", image_folder=ANALYST_IMAGE_FOLDER
    )


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("data:image/png;base64,AAAA", True),
        ("https://example.invalid/logo.png", False),
        ("http://example.invalid/a.css", False),
        ("ftp://example.invalid/a.png", False),
        ("file://server/share/a.png", False),
        ("file:///etc/passwd", False),
    ],
)
def test_url_refusal(project: Path, url: str, allowed: bool) -> None:
    assert (url_refusal(url, project) is None) is allowed


def test_files_inside_the_project_are_allowed_outside_refused(project: Path) -> None:
    inside = (project / "config" / "texts" / "karta.png").as_uri()
    assert url_refusal(inside, project) is None
    assert url_refusal(inside, project / "config" / "other") is not None
    escape = f"file://{project}/config/texts/../../../outside.png"
    assert url_refusal(escape, project) is not None


def test_remote_image_is_refused_without_any_network_access(
    project: Path, no_network: mock.MagicMock
) -> None:
    from weasyprint.urls import URLFetcher

    with mock.patch.object(URLFetcher, "fetch") as fetch, pytest.raises(PublishError) as error:
        render_pdf(
            page('<p><img src="https://example.invalid/logo.png" alt="Logotyp"></p>'),
            source_date_epoch=0,
            project=project,
        )
    assert "https://example.invalid/logo.png" in str(error.value)
    assert "nätet" in str(error.value)
    fetch.assert_not_called()  # refused before WeasyPrint's own fetching
    no_network.assert_not_called()


def test_relative_url_below_a_public_base_url_is_refused_too(
    project: Path, no_network: mock.MagicMock
) -> None:
    with pytest.raises(PublishError):
        render_pdf(
            page('<p><img src="bild.png" alt="Bild"></p>'),
            source_date_epoch=0,
            public_url="https://example.invalid/rapport/",
            project=project,
        )
    no_network.assert_not_called()


def test_remote_image_in_the_analyst_text_is_an_error_naming_file_and_line(project: Path) -> None:
    with pytest.raises(ReportTextError) as error:
        realia("### Rubrik\n\nText\n![Logotyp](https://example.invalid/logo.png)\n")
    message = str(error.value)
    assert "config/texts/realia.md, rad 4" in message
    assert "https://example.invalid/logo.png" in message and "config/texts/" in message


@pytest.mark.parametrize("src", ["../../bild.png", "/etc/passwd.png", "data:image/png;base64,AA"])
def test_images_outside_config_texts_are_errors(project: Path, src: str) -> None:
    with pytest.raises(ReportTextError) as error:
        realia(f"![Bild]({src})")
    assert "rad 1" in str(error.value)


def test_image_without_alt_text_is_an_error_naming_file_and_line(project: Path) -> None:
    markdown = "<!-- kommentar\n över två rader -->\n### Rubrik\n\nFörsta raden\n![](karta.png)\n"
    with pytest.raises(ReportTextError) as error:
        realia(markdown)
    message = str(error.value)
    assert "config/texts/realia.md, rad 6" in message
    assert "alternativtext" in message


def test_image_with_alt_text_is_embedded_rendered_and_tagged(
    project: Path, no_network: mock.MagicMock
) -> None:
    import pikepdf

    text = realia("### Rubrik\n\nSe kartan:\n\n![Karta över länets åtta kommuner](karta.png)\n")
    assert 'src="data:image/png;base64,' in text
    assert 'alt="Karta över länets åtta kommuner"' in text
    svg = '<svg role="img" aria-label="Diagram &amp; text" width="10" height="10"><rect/></svg>'
    html = page(f"<figure>{svg}</figure>{text}")
    assert figure_labels(html) == ["Diagram & text", "Karta över länets åtta kommuner"]
    pdf = add_figure_alt_texts(
        render_pdf(html, source_date_epoch=0, project=project), figure_labels(html)
    )
    figures = []

    def walk(node: object) -> None:
        if isinstance(node, pikepdf.Array):
            for child in node:
                walk(child)
        elif isinstance(node, pikepdf.Dictionary):
            if node.get("/S") == pikepdf.Name("/Figure"):
                figures.append(node)
            if node.get("/K") is not None:
                walk(node.K)

    with pikepdf.open(io.BytesIO(pdf)) as document:
        walk(document.Root.StructTreeRoot)
        assert [str(figure.Alt) for figure in figures] == [
            "Diagram & text",
            "Karta över länets åtta kommuner",
        ]
    no_network.assert_not_called()


def test_text_without_images_renders_as_before() -> None:
    assert analyst_text("### A\n\ntext\n") == "<h3>A</h3>\n<p>text</p>\n"
    with pytest.raises(ReportTextError):
        analyst_text("![Bild](karta.png)")  # no image folder given: no images at all
