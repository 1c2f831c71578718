"""Reading the HTML a build writes, without a browser: its text as a reader reads it, its
headings, ids and links (the browser tests check the same pages as rendered)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

# Elements that end a line of text when read.
_BLOCKS = {
    "address", "article", "br", "caption", "dd", "div", "dl", "dt", "footer", "h1", "h2",
    "h3", "h4", "header", "li", "main", "ol", "p", "section", "table", "td", "th", "tr", "ul",
}  # fmt: skip
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


@dataclass
class Page:
    """What a page holds: its text, title, language, headings (level, text), ids, links and
    the addresses anything on it would fetch."""

    text: str = ""
    title: str = ""
    lang: str = ""
    headings: list[tuple[int, str]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)
    scripts: int = 0


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.parts: list[str] = []
        self.skipping: list[str] = []
        self.heading: tuple[int, list[str]] | None = None
        self.in_title = False
        self.title: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.page.lang = values.get("lang", "")
        if "id" in values:
            self.page.ids.append(values["id"])
        if tag == "a" and "href" in values:
            self.page.links.append(values["href"])
        for name in ("src", "srcset", "poster", "data"):
            if name in values:
                self.page.fetched.append(values[name])
        if tag == "link":
            self.page.fetched.append(values.get("href", ""))
        if tag == "script":
            self.page.scripts += 1
        if tag in ("script", "style", "head"):
            self.skipping.append(tag)
        if tag == "title":
            self.in_title = True
        if tag in _HEADINGS:
            self.heading = (int(tag[1]), [])
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()
        if tag == "title":
            self.in_title = False
        if tag in _HEADINGS and self.heading is not None:
            level, words = self.heading
            self.page.headings.append((level, " ".join("".join(words).split())))
            self.heading = None
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        if self.skipping:
            return
        self.parts.append(data)
        if self.heading is not None:
            self.heading[1].append(data)


def read_page(html: str) -> Page:
    """Read one page."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    page = reader.page
    lines = (" ".join(line.split()) for line in "".join(reader.parts).splitlines())
    page.text = "\n".join(line for line in lines if line)
    page.title = " ".join("".join(reader.title).split())
    return page


def read_file(path: Path) -> Page:
    return read_page(path.read_text(encoding="utf-8"))
