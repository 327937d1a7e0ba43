"""Printable documents, once: the A4 page every Lindung list and report prints on (fpdf2, the
core font Helvetica), its title block, its text lines and tables.

fpdf2's core fonts know Latin-1 only: :func:`latin1` turns the typographic dashes, quotes and the
middle dot the translations use into their plain forms and any other character outside Latin-1
into ``?``, so a name in another script never breaks a document. Every text that
:class:`Document` writes goes through it.

```python
doc = Document(title, compress=compress)
doc.heading(_("BENEFIT HAND-OVER"), event.title)
doc.paragraph(_("%(date)s, %(place)s") % {...})
doc.rows((_("No"), _("Heir"), ...), rows, widths=(8, 44, ...), align=("RIGHT", "LEFT", ...))
return doc.content()
```
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from fpdf import FPDF

FONT = "Helvetica"

_PLAIN = str.maketrans({"–": "-", "—": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "·": "-"})


def latin1(text) -> str:
    """``text`` as the core fonts can print it (see the module's docstring)."""
    return str(text).translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


class Document(FPDF):
    """An A4 document in millimetres with its first page added: ``title`` is its metadata title,
    ``margins`` left, top and right (15 mm each by default); ``compress=False`` leaves the content
    streams readable (tests look for text in the bytes)."""

    def __init__(self, title: str, *, compress: bool = True, margins: tuple[float, float, float] = (15, 15, 15)):
        super().__init__(format="A4", unit="mm")
        self.set_compression(compress)
        self.set_title(latin1(title))
        self.set_margins(*margins)
        self.add_page()

    def paragraph(self, text, *, size: float = 10, style: str = "", height: float = 5.5) -> None:
        """Text across the page, wrapped, in ``size`` pt (``style`` is fpdf2's: ``""``, ``"B"``,
        ``"I"``) with lines ``height`` mm high; what follows starts on the next line at the left
        margin."""
        self.set_font(FONT, style, size)
        self.multi_cell(0, height, latin1(text), new_x="LMARGIN", new_y="NEXT")

    def heading(self, heading: str, subheading: str = "") -> None:
        """The title block: the document's kind in capitals (13 pt bold), then what it is about
        (11 pt bold)."""
        self.paragraph(heading, size=13, style="B", height=7)
        if subheading:
            self.paragraph(subheading, size=11, style="B", height=6)

    def rows(
        self,
        header: Sequence,
        rows: Iterable[Sequence],
        *,
        widths: Sequence[float],
        align: Sequence[str],
        size: float = 8.5,
        line_height: float = 4.6,
    ) -> None:
        """A table with a header row, ``widths`` in mm (the table is as wide as they add up to) and
        each column's alignment (``"LEFT"``, ``"RIGHT"``…); every cell goes through :func:`latin1`."""
        self.set_font(FONT, "", size)
        with self.table(col_widths=tuple(widths), text_align=tuple(align), line_height=line_height, width=sum(widths)) as table:
            table.row([latin1(c) for c in header])
            for row in rows:
                table.row([latin1(c) for c in row])

    def content(self) -> bytes:
        """The finished document."""
        return bytes(self.output())
