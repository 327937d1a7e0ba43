"""The kernel's printable page (``lindung.core.pdf``), which the programme report, the hand-over
list and the decision letter print on."""

import re
import zlib

import pytest

from lindung.core.pdf import Document, latin1


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("Penyerahan santunan – Dumai", "Penyerahan santunan - Dumai"),
        ("JKK — JKM", "JKK - JKM"),
        ("JKK · JKM", "JKK - JKM"),
        ("“Klaim” ’s", '"Klaim" \'s'),
        ("Siti Nurhaliza", "Siti Nurhaliza"),
        ("Rp 1.000.000", "Rp 1.000.000"),
        ("Müller Ñ é", "Müller Ñ é"),  # Latin-1 itself is kept
        ("王小明", "???"),  # another script never breaks a document
        (42, "42"),
    ],
)
def test_latin1_prints_what_the_core_fonts_know(text, printed):
    assert latin1(text) == printed


def test_a_document_is_an_a4_page_with_its_title_block_text_and_table():
    doc = Document("Laporan – uji", compress=False, margins=(20, 18, 20))
    doc.heading("LAPORAN PROGRAM", "Pemerintah Kota Dumai – Triwulan I 2024")
    doc.paragraph("Tanggal 21 Maret 2024, Dumai")
    doc.rows(("No", "Nama", "Jumlah"), [("1", "王 Ahli Waris", "Rp 42.000.000")], widths=(10, 100, 60), align=("RIGHT", "LEFT", "RIGHT"))
    doc.paragraph("Hanya agregat.", size=8, style="I", height=4.2)
    content = doc.content()
    assert content.startswith(b"%PDF")
    assert (doc.w, doc.h) == pytest.approx((210, 297), abs=0.01) and (doc.l_margin, doc.t_margin, doc.r_margin) == (20, 18, 20)
    assert doc.epw == pytest.approx(170, abs=0.01)
    assert b"/Title (Laporan - uji)" in content
    for text in (b"LAPORAN PROGRAM", b"Pemerintah Kota Dumai - Triwulan I 2024", b"Tanggal 21 Maret 2024, Dumai", b"? Ahli Waris", b"Rp 42.000.000"):
        assert text in content, text
    assert b"Hanya agregat." in content
    assert doc.pages_count == 1


def test_a_long_table_goes_on_to_the_next_page_and_compression_is_the_default():
    doc = Document("Daftar")
    doc.heading("DAFTAR")
    doc.rows(("No", "Nama"), [(str(n), f"Peserta {n}") for n in range(1, 121)], widths=(20, 160), align=("RIGHT", "LEFT"))
    content = doc.content()
    assert doc.pages_count > 1
    assert b"Peserta 120" not in content  # compressed streams…
    streams = [zlib.decompress(m) for m in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S)]
    assert any(b"Peserta 120" in s for s in streams)  # …that hold the last row
