"""Web pages of the accounts context: an administrator's password reset, the forced change."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.views import PasswordChangeView
from django.shortcuts import get_object_or_404, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from lindung.accounts import services
from lindung.accounts.models import User
from lindung.core.audit import audit_source
from lindung.core.errors import ServiceError


@login_required
@permission_required("accounts.change_user", raise_exception=True)
def user_list(request):
    users = User.objects.visible_to(request.user).select_related("branch", "sponsor").prefetch_related("groups").order_by("username")
    return render(request, "accounts/user_list.html", {"users": users})


class PasswordResetForm(forms.Form):
    password = forms.CharField(
        label=_("Temporary password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput,
        help_text=_("Leave empty to generate one."),
    )


@login_required
@permission_required("accounts.change_user", raise_exception=True)
def user_password_reset(request, pk: int):
    user = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    form = PasswordResetForm(request.POST or None)
    temporary = None
    if request.method == "POST" and form.is_valid():
        try:
            with audit_source("web"):
                temporary = services.password_reset(actor=request.user, user=user, temporary=form.cleaned_data["password"] or None)
        except ServiceError as exc:
            form.add_error("password" if "password" in exc.fields else None, exc.fields.get("password") or exc.message)
    return render(request, "accounts/password_reset.html", {"form": form, "target": user, "temporary": temporary})


class ForcedPasswordChangeView(PasswordChangeView):
    """Django's password change; afterwards the temporary password's flag is cleared."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("core:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        with audit_source("web"):
            services.password_changed(user=self.request.user)
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, _t("Your password has been changed."))
        return response


password_change = login_required(ForcedPasswordChangeView.as_view())
