"""Form pieces shared by every context."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from lindung.core.formatting import number, parse_amount


class AmountField(forms.IntegerField):
    """An amount of whole rupiah typed the Indonesian way: ``9744000``, ``9.744.000`` or
    ``Rp 9.744.000`` all clean to ``9744000``. Rendered as a text input (``inputmode=numeric``)
    so the separators can be typed; ``min_value``/``max_value`` work as on ``IntegerField``."""

    widget = forms.TextInput

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        attrs.pop("min", None)
        attrs.pop("max", None)
        attrs.setdefault("inputmode", "numeric")
        attrs.setdefault("autocomplete", "off")
        return attrs

    def prepare_value(self, value):
        """An amount shown again is grouped the way it is typed: ``1.000.000``."""
        if isinstance(value, int) and not isinstance(value, bool):
            return number(value)
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_amount(value)
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from None
