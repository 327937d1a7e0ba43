"""Web views: roster upload, progress, result, error file, template and sample downloads."""

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.core import files, formatting
from lindung.core.audit import audit_source
from lindung.core.errors import ServiceError
from lindung.core.shortcuts import or_404
from lindung.membership import roster, selectors
from lindung.membership.held import selectors as held_selectors
from lindung.membership.roster import importing


class RosterUploadForm(forms.Form):
    agreement = forms.ChoiceField(label=_("Agreement"))
    file = forms.FileField(label=_("Roster file (.xlsx, .xls, .ods, .csv)"))
    start = forms.DateField(label=_("Cover start (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    dry_run = forms.BooleanField(label=_("Check only (enrol nothing)"), required=False)
    all_or_nothing = forms.BooleanField(label=_("Enrol nothing if any row fails"), required=False)
    check_columns = forms.BooleanField(label=_("Show the columns found before importing"), required=False)

    def __init__(self, *args, agreements=(), today: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        today = today or timezone.localdate()
        # in force first, then those still to start, then those that ended (latest first)
        ordered = sorted(agreements, key=lambda a: (a.end_date < today, a.start_date > today, -a.start_date.toordinal()))
        self.in_force = next((a for a in ordered if a.start_date <= today <= a.end_date), None)
        self.last_ended = next((a for a in ordered if a.end_date < today), None)
        preselected = self.in_force or next((a for a in ordered if a.start_date > today), None)
        choices = [] if preselected else [("", _("— choose an agreement —"))]
        for a in ordered:
            text = f"{a.number} ({formatting.date(a.start_date)} – {formatting.date(a.end_date)})"
            if a.end_date < today:
                text += " — " + str(_("ended"))
            elif a.start_date > today:
                text += " — " + str(_("not started yet"))
            choices.append((a.number, text))
        self.fields["agreement"].choices = choices
        # never an agreement that has ended: with none in force or to come, the user chooses
        self.initial["agreement"] = preselected.number if preselected else ""


@login_required
@permission_required("membership.import_roster", raise_exception=True)
def roster_upload(request, code: str):
    sponsor = or_404(selectors.sponsor_get, user=request.user, code=code)
    agreements = list(selectors.agreement_list(user=request.user, sponsor=sponsor))
    form = RosterUploadForm(request.POST or None, request.FILES or None, agreements=agreements)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        agreement = next(a for a in agreements if a.number == d["agreement"])
        try:
            with audit_source("web"):
                batch = importing.store_roster_upload(
                    d["file"], agreement=agreement, actor=request.user, dry_run=d["dry_run"], all_or_nothing=d["all_or_nothing"], start=d["start"]
                )
                request.session[f"roster-start-{batch.pk}"] = d["start"].isoformat() if d["start"] else None
                try:
                    found = importing.preview(batch, mapping=importing.remembered_mapping(sponsor.pk))
                except ServiceError:
                    found = None  # unreadable: the import records the refusal
                if found is not None and (d["check_columns"] or found["missing"]):
                    return redirect("membership:roster_import_columns", pk=batch.pk)
                importing.start_import_job(
                    batch,
                    actor=request.user,
                    start=d["start"],
                    sheet=found["sheet"] or None if found else None,
                    mapping=found["mapping"] if found else None,
                )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("membership:roster_import_detail", pk=batch.pk)
    return render(
        request, "membership/roster_upload.html", {"sponsor": sponsor, "form": form, "agreements": agreements, "today": timezone.localdate()}
    )


FIELD_LABELS = {
    "nik": _("NIK"),
    "name": _("Name"),
    "birth_date": _("Birth date"),
    "ttl": _("Place and date of birth (one cell)"),
    "sex": _("Sex"),
    "region_code": _("Village code"),
    "village": _("Kelurahan / desa (name)"),
    "district": _("Kecamatan"),
    "regency": _("Kabupaten / kota"),
    "address": _("Address"),
    "rt_rw": _("RT/RW"),
    "occupation": _("Occupation"),
    "phone": _("Phone"),
    "family_card_number": _("Family card number"),
}


@login_required
@permission_required("membership.import_roster", raise_exception=True)
def roster_import_columns(request, pk: int):
    """The mapping step: the columns found and the first rows, which the user corrects before the
    import runs; the confirmed mapping is remembered for the sponsor's next file."""
    batch = or_404(selectors.roster_import_get, user=request.user, pk=pk)
    started = bool(batch.job_id or batch.finished_at)  # the columns it was imported with, read only
    if started and request.method == "POST":
        return redirect("membership:roster_import_detail", pk=batch.pk)
    mapping = ((batch.job.params or {}).get("mapping") if batch.job else None) if started else importing.remembered_mapping(batch.sponsor_id)
    error = ""
    if request.method == "POST":
        chosen = {}
        for fld in FIELD_LABELS:
            value = request.POST.get(f"map_{fld}", "")
            chosen[fld] = int(value) + 1 if value.isdigit() else ""
        found = importing.preview(batch, mapping=chosen)
        if found["missing"]:
            error = _("Choose a column for: %(fields)s.") % {"fields": ", ".join(str(FIELD_LABELS[g[0]]) for g in found["missing"])}
        else:
            start = request.session.pop(f"roster-start-{batch.pk}", None)
            with audit_source("web"):
                importing.start_import_job(
                    batch,
                    actor=request.user,
                    start=dt.date.fromisoformat(start) if start else None,
                    sheet=found["sheet"] or None,
                    mapping=found["mapping"],
                )
            return redirect("membership:roster_import_detail", pk=batch.pk)
    else:
        found = importing.preview(batch, mapping=mapping)
    columns = [(i, f"{_column_letter(i)}: {label}" if label else _column_letter(i)) for i, label in enumerate(found["labels"])]
    fields = [(fld, label, found["index"].get(fld)) for fld, label in FIELD_LABELS.items()]
    shown = [(fld, label, i) for fld, label, i in fields if i is not None]
    rows = [(number, [cells[i] if i < len(cells) else "" for _f, _l, i in shown]) for number, cells in found["rows"]]
    context = {"batch": batch, "found": found, "columns": columns, "fields": fields, "shown": shown, "rows": rows, "error": error, "started": started}
    return render(request, "membership/roster_columns.html", context, status=400 if error else 200)


def _column_letter(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters


@login_required
@permission_required("membership.view_rosterimport", raise_exception=True)
def roster_import_detail(request, pk: int):
    """Progress while the job runs (htmx polls this page's status block), then the result."""
    batch = or_404(selectors.roster_import_get, user=request.user, pk=pk)
    summary = batch.summary or {}
    reasons = [(code, n, roster.REASONS.get(code, (code, ""))[0]) for code, n in (summary.get("by_reason") or {}).items()]
    context = {"batch": batch, "summary": summary, "reasons": reasons, "job": batch.job, "finished": batch.finished_at is not None}
    if context["finished"] and batch.error_file_id:
        context.update(_rejected_rows(request, batch))
    if context["finished"] and summary.get("held") and not batch.dry_run:
        # the file's own values and the outcome, for the sponsor too: nothing of the register
        context["held_rows"] = held_selectors.import_held_rows(user=request.user, import_pk=batch.pk)[:REJECTED_SHOWN]
    if request.htmx:
        return render(request, "membership/roster_import_status.html", context)
    return render(request, "membership/roster_import_detail.html", context)


REJECTED_SHOWN = 200


def _rejected_rows(request, batch) -> dict:
    """The first ``REJECTED_SHOWN`` lines of the error file (of one reason with ``?reason=``; an
    unknown code shows every line), streamed from the file; the total comes from the summary.
    ``batch`` was fetched within the user's scope already, so it is not looked up again."""
    reason = request.GET.get("reason")
    if reason not in roster.REASONS:
        reason = None
    rejected = selectors.RejectedRows(batch, reason)
    rows = rejected[:REJECTED_SHOWN]
    return {"rejected_rows": rows, "rejected_total": rejected.count(), "rejected_reason": reason}


@login_required
@permission_required("membership.view_rosterimport", raise_exception=True)
def roster_import_errors(request, pk: int):
    batch = or_404(selectors.roster_import_get, user=request.user, pk=pk)
    if not batch.error_file_id:
        raise Http404("no error file")
    return or_404(files.serve, request=request, file_id=batch.error_file_id, filename=f"roster-{batch.pk}-kesalahan.csv")


@login_required
@permission_required("membership.import_roster", raise_exception=True)
def roster_template(request, fmt: str):
    if fmt == "xlsx":
        villages = []
        if request.GET.get("sponsor"):
            from lindung.membership.roster.regions import RegionNames

            sponsor = or_404(selectors.sponsor_get, user=request.user, code=request.GET["sponsor"])
            villages = RegionNames(sponsor.region_id).villages_for_template()
        response = HttpResponse(roster.template_xlsx(villages), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="template-roster.xlsx"'
        return response
    if fmt == "csv":
        response = HttpResponse(roster.template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="template-roster.csv"'
        return response
    raise Http404("unknown format")


@login_required
@permission_required("membership.import_roster", raise_exception=True)
def roster_sample(request):
    return FileResponse(open(roster.SAMPLE_ROSTER, "rb"), as_attachment=True, filename="contoh-roster.csv", content_type="text/csv")


urlpatterns = [
    path("sponsors/<str:code>/roster/", roster_upload, name="roster_upload"),
    path("roster/imports/<int:pk>/", roster_import_detail, name="roster_import_detail"),
    path("roster/imports/<int:pk>/errors/", roster_import_errors, name="roster_import_errors"),
    path("roster/imports/<int:pk>/columns/", roster_import_columns, name="roster_import_columns"),
    path("roster/template.<str:fmt>", roster_template, name="roster_template"),
    path("roster/sample.csv", roster_sample, name="roster_sample"),
]
