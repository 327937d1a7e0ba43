"""Membership cards: one PDF card per participant and a bulk PDF per sponsor.

A card (ID-1 size, 85.6 × 54 mm, one per page) shows the name, KPJ number, masked NIK,
programmes, valid period, who pays (sponsor, employer or project) and a QR code. The QR code holds
the URL of the public verification page ``/verify/<kpj>/<token>/``, where ``token`` is the first
16 hex digits of HMAC-SHA256(SECRET_KEY, "lindung-card:" + KPJ): a card can be checked without a
login, but KPJ numbers cannot be enumerated (a wrong token answers 404).

Rendering uses fpdf2's core fonts (Latin-1: Indonesian names are fine; other characters are
replaced by "?") and draws the QR modules as filled rectangles (merged per row), which is much
faster than embedding a picture per card. The bulk PDF for a sponsor runs as a background job
(``membership_cards``) and is kept as a stored file (``lindung.core.files``) owned by the job.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import segno
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from fpdf import FPDF

from lindung.contributions.statuses import status_on
from lindung.core import audit, formatting
from lindung.core.errors import NotFound, ServiceError
from lindung.core.files.models import StoredFile
from lindung.core.files.storage import store
from lindung.core.jobs import job_handler, start_job
from lindung.core.masking import mask_name, mask_nik
from lindung.core.pdf import latin1 as _latin1
from lindung.membership.models import Participant, Sponsor

CARD_W, CARD_H = 85.6, 54.0
TOKEN_LENGTH = 16
JOB_KIND = "membership_cards"
QR_MASK = 2


def card_token(kpj: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), b"lindung-card:" + kpj.encode(), hashlib.sha256).hexdigest()
    return digest[:TOKEN_LENGTH]


def token_matches(kpj: str, token: str) -> bool:
    return hmac.compare_digest(card_token(kpj), str(token or ""))


def public_base_url(request=None) -> str:
    """Where the verification page is reached from a phone: ``LINDUNG_PUBLIC_URL`` when set,
    else the address of the current request, else ``http://localhost:8000``."""
    configured = getattr(settings, "LINDUNG_PUBLIC_URL", "") or ""
    if configured:
        return configured.rstrip("/")
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return "http://localhost:8000"


def verify_path(kpj: str) -> str:
    return f"/verify/{kpj}/{card_token(kpj)}/"


def verify_url(kpj: str, base_url: str) -> str:
    return base_url.rstrip("/") + verify_path(kpj)


@dataclass(frozen=True)
class CardData:
    kpj: str
    name: str
    nik: str
    programs: tuple[str, ...]
    start_date: dt.date
    valid_until: dt.date | None
    payer: str
    segment: str
    status: str


_CARD_VALUES = (
    "kpj_number", "person__full_name", "person__nik", "programs", "start_date", "end_date", "segment", "status",
    "sponsor__name", "agreement__end_date", "employer__name", "project__name", "project__end_date",
)  # fmt: skip


def _card_from_values(v: dict) -> CardData:
    until = v["end_date"] or v["agreement__end_date"] or v["project__end_date"]
    payer = v["sponsor__name"] or v["employer__name"] or v["project__name"] or ""
    return CardData(
        kpj=v["kpj_number"],
        name=v["person__full_name"],
        nik=v["person__nik"],
        programs=tuple(v["programs"] or ()),
        start_date=v["start_date"],
        valid_until=until,
        payer=payer,
        segment=v["segment"],
        status=v["status"],
    )


def card_data(queryset) -> Iterator[CardData]:
    """Card contents for a participant queryset, streamed in chunks (one query per 2,000)."""
    for v in queryset.values(*_CARD_VALUES).order_by("kpj_number").iterator(chunk_size=2000):
        yield _card_from_values(v)


def _fmt_date(d: dt.date | None) -> str:
    return formatting.date(d) if d else "-"


class CardRenderer:
    """Renders cards into one fpdf2 document, one card per page. Text is placed with ``text()``
    (no line-breaking machinery: every field fits its column, see ``_fit``)."""

    def __init__(self, base_url: str, *, with_qr: bool = True):
        self.base_url = base_url.rstrip("/")
        self.with_qr = with_qr
        pdf = FPDF(orientation="L", unit="mm", format=(CARD_H, CARD_W))
        pdf.set_auto_page_break(False)
        pdf.set_margins(0, 0, 0)
        pdf.set_creator("Lindung")
        pdf.set_title(_latin1(_("Membership cards")))
        self.pdf = pdf
        self.count = 0
        self._scan_x: float | None = None
        self.labels = {
            "title": _latin1(_("Membership card")),
            "subtitle": _latin1(_("JKK · JKM employment social security")),
            "kpj": _latin1(_("KPJ number")),
            "nik": _latin1(_("NIK")),
            "programs": _latin1(_("Programmes")),
            "valid": _latin1(_("Valid")),
            "payer": _latin1(_("Paid by")),
            "open": _latin1(_("until further notice")),
            "scan": _latin1(_("Scan to verify")),
            "self": _latin1(_("self-paying")),
        }

    def add(self, card: CardData) -> None:
        pdf, lb = self.pdf, self.labels
        pdf.add_page()
        pdf.set_fill_color(14, 92, 74)
        pdf.rect(0, 0, CARD_W, 10, style="F")
        pdf.set_text_color(255, 255, 255)
        pdf.set_font("Helvetica", "B", 9)
        pdf.text(4, 4.6, "LINDUNG - " + lb["title"])
        pdf.set_font("Helvetica", "", 6)
        pdf.text(4, 7.9, lb["subtitle"])
        pdf.set_text_color(20, 20, 20)
        name = _latin1(card.name)[:60]
        self._fit(name, CARD_W - 8, 10, 6)  # long names shrink to fit the card's width
        pdf.text(4, 16.2, name)
        rows = (
            (lb["kpj"], card.kpj),
            (lb["nik"], mask_nik(card.nik)),
            (lb["programs"], " + ".join(card.programs) + f" ({card.segment})"),
            (lb["valid"], f"{_fmt_date(card.start_date)} - {_fmt_date(card.valid_until) if card.valid_until else lb['open']}"),
            (lb["payer"], _latin1(card.payer)[:30] if card.payer else lb["self"]),
        )
        y = 19.5
        for label, value in rows:
            pdf.set_font("Helvetica", "", 5.5)
            pdf.text(4, y + 2.2, label)
            self._fit(value, 37, 7, 5)  # the text column ends where the QR code begins
            pdf.text(21, y + 2.4, value)
            y += 5.2
        if self.with_qr:
            # QR: 21 mm square right of the text column (x ≥ 61 mm), below the name line.
            self._qr(verify_url(card.kpj, self.base_url), x=CARD_W - 24.5, y=19, size=21)
            pdf.set_font("Helvetica", "", 5)
            if self._scan_x is None:
                self._scan_x = CARD_W - 24.5 + (21 - pdf.get_string_width(lb["scan"])) / 2
            pdf.text(self._scan_x, 42.7, lb["scan"])
        self.count += 1

    def _fit(self, text: str, width: float, size: float, min_size: float) -> None:
        """Set bold Helvetica at ``size``, smaller (down to ``min_size``) if ``text`` is wider than ``width`` mm."""
        pdf = self.pdf
        pdf.set_font("Helvetica", "B", size)
        natural = pdf.get_string_width(text)
        if natural > width:
            pdf.set_font("Helvetica", "B", max(min_size, int(size * width / natural * 10) / 10))

    def _qr(self, data: str, *, x: float, y: float, size: float) -> None:
        # A fixed mask pattern skips segno's evaluation of all eight masks (five times faster);
        # any mask gives a valid, readable code.
        matrix = segno.make(data, error="m", micro=False, mask=QR_MASK).matrix
        n = len(matrix)
        pdf = self.pdf
        k, page_h = pdf.k, pdf.h
        module = size / n
        m_pt = module * k
        ops = []
        for r, row in enumerate(matrix):
            top = (page_h - (y + r * module)) * k
            c = 0
            while c < n:
                if row[c]:
                    start = c
                    while c < n and row[c]:
                        c += 1
                    ops.append(f"{(x + start * module) * k:.2f} {top:.2f} {(c - start) * m_pt:.2f} {-m_pt:.2f} re")
                else:
                    c += 1
        # One path of rectangles, filled once, in black; the graphics state is saved around it.
        pdf._out("q 0 g " + " ".join(ops) + " f Q")

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def render_cards(cards: Iterable[CardData], base_url: str, *, progress: Callable[[int], None] | None = None, with_qr: bool = True) -> bytes:
    renderer = CardRenderer(base_url, with_qr=with_qr)
    for card in cards:
        renderer.add(card)
        if progress is not None and renderer.count % 500 == 0:
            progress(renderer.count)
    if renderer.count == 0:
        raise ServiceError("no_cards", _("There are no participants to print cards for."))
    return renderer.output()


def participant_card_pdf(participant: Participant, base_url: str, *, actor=None) -> bytes:
    """One participant's card. With ``actor`` (a download by a user) the download is audited, as
    every download of a file with personal data (``file.download``)."""
    cards = list(card_data(Participant.objects.filter(pk=participant.pk)))
    pdf = render_cards(cards, base_url)
    if actor is not None:
        audit.record(
            actor=actor,
            action="file.download",
            obj=participant,
            object_repr=f"card {participant.kpj_number}",
            changes={"kind": "membership_card", "bytes": len(pdf)},
            summary=audit.Message(gettext_noop("membership card %(kpj)s downloaded"), kpj=participant.kpj_number),
            sponsor_id=participant.sponsor_id,
        )
    return pdf


def sponsor_card_queryset(sponsor: Sponsor):
    """Cards are printed for a sponsor's current (not ended) participants."""
    return Participant.objects.filter(sponsor=sponsor).exclude(status=Participant.Status.ENDED)


def start_sponsor_cards(sponsor: Sponsor, *, actor, base_url: str):
    """Start the background job that prints every card of ``sponsor`` into one PDF."""
    if not sponsor_card_queryset(sponsor).exists():
        raise ServiceError(
            "no_cards", _("%(sponsor)s has no current participants to print cards for.") % {"sponsor": sponsor.name}, {"sponsor": "no participants"}
        )
    return start_job(JOB_KIND, actor=actor, sponsor=sponsor, params={"sponsor_id": sponsor.pk, "base_url": base_url})


@job_handler(JOB_KIND, permission="membership.print_cards")
def _sponsor_cards_job(ctx) -> dict:
    sponsor = Sponsor.objects.get(pk=ctx.params["sponsor_id"])
    qs = sponsor_card_queryset(sponsor)
    total = qs.count()
    ctx.progress(0, total, force=True)
    pdf = render_cards(card_data(qs), ctx.params.get("base_url") or public_base_url(), progress=lambda done: ctx.progress(done, total))
    name = f"cards-{sponsor.code}-{timezone.localdate():%Y%m%d}-{str(ctx.job.pk)[:8]}.pdf"
    stored = store(pdf, kind=JOB_KIND, name=name, owner=ctx.job, sponsor_id=sponsor.pk, actor=ctx.job.created_by, content_type="application/pdf")
    ctx.progress(total, total, force=True)
    audit.record(
        actor=ctx.job.created_by,
        action="cards.print_bulk",
        obj=sponsor,
        changes={"cards": total, "file": name},
        sponsor_id=sponsor.pk,
        summary=audit.Message(gettext_noop("%(count)s membership cards printed"), count=total),
    )
    return {"cards": total, "file": name, "file_id": str(stored.pk), "bytes": len(pdf), "download": f"/cards/{ctx.job.pk}/download/"}


def card_job_file(job) -> StoredFile:
    """The stored PDF of a finished bulk card job."""
    file_id = (job.result or {}).get("file_id")
    stored = StoredFile.objects.filter(pk=file_id, kind=JOB_KIND).first() if job.kind == JOB_KIND and file_id else None
    if stored is None:
        raise NotFound(_("This job has no card file."))
    return stored


def card_status(status: str, valid_until: dt.date | None, on: dt.date | None = None) -> str:
    """What a card says of its holder on ``on`` (default today): the participant's status, or
    ``expired`` once the card's period is over (e.g. the sponsor agreement ended), whatever the
    record says. The verification page and every other reader of a card use this one function."""
    if status != "ended" and valid_until is not None and valid_until < (on or timezone.localdate()):
        return "expired"
    return status


def verification(kpj: str, token: str, on: dt.date | None = None) -> dict:
    """What the public verification page shows on ``on`` (default today), or ``NotFound`` for an
    unknown KPJ or a wrong token. The status is the participant's on that day
    (``contributions.statuses.status_on``, the answer of the participant and coverage pages), not
    the one the daily job stored last."""
    if not token_matches(kpj, token):
        raise NotFound(_("No card matches this code."))
    participant = Participant.objects.filter(kpj_number=kpj).first()
    if participant is None:
        raise NotFound(_("No card matches this code."))
    on = on or timezone.localdate()
    card = _card_from_values(Participant.objects.filter(pk=participant.pk).values(*_CARD_VALUES).get())
    status = card_status(status_on(participant, on), card.valid_until, on)
    return {
        "kpj": card.kpj,
        "name": mask_name(card.name),
        "status": status,
        "segment": card.segment,
        "programs": card.programs,
        "start_date": card.start_date,
        "valid_until": card.valid_until,
    }
