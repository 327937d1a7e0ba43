"""The claims pages: queues per role, report a death, intake, the claim page, actions, the letter."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from lindung.claims import heirs as heirs_service
from lindung.claims import intake
from lindung.claims.models import Claim
from lindung.claims.workflow import CLAIM

from .conftest import upload_all

D = dt.date
pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_officer_reports_opens_and_sees_the_unclaimed_queue(client, covered, users):
    login(client, users["officer"])
    r = client.post(reverse("claims:report"), {"participant": covered[0].kpj_number, "death_date": "2024-02-10", "note": "Lurah Purnama"})
    claim = Claim.objects.get(participant=covered[0])
    assert r.status_code == 302 and r["Location"] == reverse("claims:detail", args=[claim.number])
    page = client.get(reverse("claims:queue") + "?queue=unclaimed").content.decode()
    assert claim.number in page and "Menunggu pengajuan klaim ahli waris" in page
    assert "1472********" in page  # NIK masked in lists
    assert "Siti Aminah (081234567890)" in page  # the heirs known from the family register, with their contact
    detail = client.get(reverse("claims:detail", args=[claim.number])).content.decode()
    assert 'data-testid="action-open"' in detail and "Perlindungan pada tanggal kejadian" in detail
    client.post(reverse("claims:outreach", args=[claim.number]), {"kind": "visit", "result": "reached", "contact": "Siti Aminah"})
    assert claim.outreach.count() == 1
    page = client.get(reverse("claims:queue") + "?queue=unclaimed").content.decode()
    assert "Berhasil dihubungi; akan mengajukan klaim" in page  # the last outreach attempt and its outcome
    r = client.post(reverse("claims:step", args=[claim.number, "open"]))
    assert r.status_code == 302 and r["Location"] == reverse("claims:intake", args=[claim.number])
    page = client.get(reverse("claims:intake", args=[claim.number])).content.decode()
    assert "Akta kematian" in page and "Surat keterangan ahli waris" in page


def test_a_second_report_names_the_existing_claim(client, covered, users):
    login(client, users["officer"])
    client.post(reverse("claims:report"), {"participant": covered[0].kpj_number, "death_date": "2024-02-10"})
    page = client.post(reverse("claims:report"), {"participant": covered[0].kpj_number, "death_date": "2024-02-10"}).content.decode()
    assert "sudah ada" in page and "KLM-" in page


def test_verifier_and_branch_head_decide_on_the_claim_page_and_the_letter_prints(client, covered, users):
    claim = intake.report_death(covered[0], actor=users["officer"], death_date=D(2024, 2, 10))
    intake.open_claim(claim, actor=users["officer"], claimant_name="Siti Aminah")
    spouse = claim.heirs.get(relation="spouse")
    heirs_service.set_payees(claim, [{"heir": spouse.pk, "bank_code": "119", "account_number": "1234567890"}], actor=users["officer"])
    upload_all(claim, users["officer"])
    CLAIM.perform(claim, "submit", actor=users["officer"])
    login(client, users["verifier"])
    page = client.get(reverse("claims:queue")).content.decode()  # the verifier's default queue
    assert claim.number in page
    for doc in claim.documents.all():
        client.post(reverse("claims:document_check", args=[claim.number, doc.pk]), {"result": "accept"})
    client.post(reverse("claims:step", args=[claim.number, "verify"]))
    claim.refresh_from_db()
    assert claim.status == "verified"
    page = client.get(reverse("claims:detail", args=[claim.number])).content.decode()
    assert 'data-testid="action-approve"' not in page  # the verifier is offered no approval
    login(client, users["branch_head"])
    page = client.get(reverse("claims:detail", args=[claim.number])).content.decode()
    assert "empat puluh dua juta rupiah" in page and 'data-testid="action-approve"' in page
    client.post(reverse("claims:step", args=[claim.number, "approve"]))
    claim.refresh_from_db()
    assert claim.status == "ready_for_payment"
    pdf = client.get(reverse("claims:letter", args=[claim.number]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and b"".join(pdf.streaming_content).startswith(b"%PDF")
    from lindung.claims.letter import decision_letter_pdf

    text = decision_letter_pdf(claim, compress=False).decode("latin-1")
    for expected in (
        "SURAT PENETAPAN MANFAAT",
        claim.number,
        "Rp 42.000.000",
        "Empat puluh dua juta rupiah",
        "PP 82/2019",
        "Siti Aminah",
        "Verifier Tester",
        "Branch_Head Tester",
    ):
        assert expected in text, expected


def test_the_claim_page_and_intake_read_in_words_with_dates_in_words(client, covered, users):
    """The timeline names each step and state in words (not ``reported → draft``), the document
    checklist its status (not ``uploaded``), and the checks' dates read as dates (2 Februari 2024)."""
    from tests.contributions.test_words_not_codes import visible_text

    claim = intake.report_death(covered[0], actor=users["officer"], death_date=D(2024, 2, 10))
    intake.open_claim(claim, actor=users["officer"], claimant_name="Siti Aminah")
    spouse = claim.heirs.get(relation="spouse")
    heirs_service.set_payees(claim, [{"heir": spouse.pk, "bank_code": "119", "account_number": "1234567890"}], actor=users["officer"])
    upload_all(claim, users["officer"])
    CLAIM.perform(claim, "submit", actor=users["officer"])
    login(client, users["verifier"])
    detail = visible_text(client.get(reverse("claims:detail", args=[claim.number])).content.decode())
    timeline = detail.split("Riwayat", 1)[1]
    timeline = " ".join(timeline.split())
    for words in (
        "dibuat officer-user Menunggu pengajuan klaim ahli waris",
        "Menunggu pengajuan klaim ahli waris → Draf (penerimaan)",
        "Draf (penerimaan) → Diajukan",
    ):
        assert words in timeline, words
    for code in ("reported", "draft", "submitted", "→ submitted"):
        assert f" {code} " not in f" {timeline} ", code
    assert "10 Februari 2024" in detail and "2024-02-10" not in detail
    page = visible_text(client.get(reverse("claims:intake", args=[claim.number])).content.decode())
    assert "diunggah, belum diperiksa" in page and " uploaded " not in f" {' '.join(page.split())} "


def test_sponsor_sees_its_cases_but_no_heirs_and_not_other_sponsors(client, covered, users):
    claim = intake.report_death(covered[0], actor=users["sponsor"], death_date=D(2024, 2, 10))
    login(client, users["sponsor"])
    page = client.get(reverse("claims:detail", args=[claim.number])).content.decode()
    assert claim.number in page and 'data-testid="heirs"' not in page and 'data-testid="documents"' not in page
    assert client.get(reverse("claims:intake", args=[claim.number])).status_code == 403
    login(client, users["sponsor_riau"])
    assert client.get(reverse("claims:detail", args=[claim.number])).status_code == 404
    assert claim.number not in client.get(reverse("claims:queue")).content.decode()


@pytest.mark.parametrize("queue", ["unclaimed", "all", "overdue"])
def test_queue_pages_make_the_same_number_of_queries_for_one_claim_or_many(client, covered, users, queue):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, users["officer"])
    intake.report_death(covered[0], actor=users["officer"], death_date=D(2024, 2, 10))
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("claims:queue") + f"?queue={queue}").status_code == 200
    for worker, day in zip(covered[1:], (11, 12, 13), strict=True):
        intake.report_death(worker, actor=users["officer"], death_date=D(2024, 2, day))
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("claims:queue") + f"?queue={queue}").status_code == 200
    assert len(many.captured_queries) == len(one.captured_queries)


def test_a_scholarship_with_no_entitled_child_says_so_instead_of_a_ceiling_of_nought(client, covered, users):
    """A participant who meets the scholarship's conditions but has no entitled child: the claim page
    says there is none, not "ceiling Rp 0, projected Rp 0"; with an entitled child it shows both."""
    claim = intake.report_death(covered[0], actor=users["officer"], death_date=D(2024, 2, 10))
    intake.open_claim(claim, actor=users["officer"], claimant_name="Siti Aminah")
    heirs_service.set_payees(
        claim, [{"heir": claim.heirs.get(relation="spouse").pk, "bank_code": "119", "account_number": "1234567890"}], actor=users["officer"]
    )
    upload_all(claim, users["officer"], accept_by=users["verifier"])
    CLAIM.perform(claim, "submit", actor=users["officer"])
    CLAIM.perform(claim, "verify", actor=users["verifier"])
    claim.refresh_from_db()
    assert claim.benefit["scholarship"]["eligible"] is False  # 4 contribution months: not entitled, nothing shown
    login(client, users["branch_head"])
    assert 'data-testid="scholarship"' not in client.get(reverse("claims:detail", args=[claim.number])).content.decode()
    claim.benefit["scholarship"] |= {"eligible": True, "children": [], "max_total": 0, "projected_total": 0}
    claim.save(update_fields=["benefit"])
    page = client.get(reverse("claims:detail", args=[claim.number])).content.decode()
    assert "tidak ada anak peserta yang berhak" in page and "batas Rp 0" not in page
    claim.benefit["scholarship"] |= {"max_total": 87_000_000, "projected_total": 48_000_000}
    claim.save(update_fields=["benefit"])
    page = client.get(reverse("claims:detail", args=[claim.number])).content.decode()
    assert "Beasiswa untuk anak yang berhak: batas Rp 87.000.000, proyeksi Rp 48.000.000" in page
