"""One display form per language for rupiah, numbers, dates and months; amounts typed the
Indonesian way are parsed by every amount field."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from lindung.core import formatting
from lindung.core.forms import AmountField

OCT_1 = dt.date(2023, 10, 1)


@pytest.mark.parametrize(
    ("language", "money", "figure", "day", "month"),
    [
        ("id", "Rp 1.000.000", "6.573", "1 Oktober 2023", "Oktober 2023"),
        ("en", "Rp 1,000,000", "6,573", "1 October 2023", "October 2023"),
    ],
)
def test_one_form_per_language(language, money, figure, day, month):
    with translation.override(language):
        assert formatting.rupiah(1_000_000) == money
        assert formatting.number(6573) == figure
        assert formatting.date(OCT_1) == day
        assert formatting.month(OCT_1) == month
        # a bare date in a template and the |date filter take the same form as formatting.date
        html = Template("{% load lindung %}{{ d }}|{{ d|date }}|{{ d|date:'YEAR_MONTH_FORMAT' }}|{{ n|rupiah }}|{{ n|number }}").render(
            Context({"d": OCT_1, "n": 1_000_000})
        )
        assert html == f"{day}|{day}|{month}|{money}|{formatting.number(1_000_000)}"


def test_signs_empty_values_and_local_time():
    assert formatting.rupiah(-16800) == "-Rp 16.800"
    assert formatting.number(-6573) == "-6.573"
    assert formatting.rupiah(None) == formatting.number("") == formatting.date(None) == "—"
    # 20:30 UTC on 30 September is 1 October in Jakarta
    moment = dt.datetime(2023, 9, 30, 20, 30, tzinfo=dt.UTC)
    assert formatting.datetime(moment) == "1 Oktober 2023 03:30"
    assert formatting.date(moment) == "1 Oktober 2023"


def test_rules_explanations_use_the_same_notation():
    from lindung.rules.money import format_rupiah

    assert format_rupiah(1_800_000) == formatting.rupiah(1_800_000) == "Rp 1.800.000"


@pytest.mark.parametrize(
    "typed", ["9744000", "9.744.000", "Rp 9.744.000", "Rp9.744.000", "rp 9.744.000,00", " 9 744 000 ", "9,744,000", "Rp. 9.744.000"]
)
def test_amounts_typed_the_indonesian_way(typed):
    assert formatting.parse_amount(typed) == 9_744_000


@pytest.mark.parametrize("typed", ["", "abc", "9.74", "9.744.000,50", "-5", "9..744", "Rp", "12.34.567", True])
def test_anything_else_is_refused_with_a_message(typed):
    with pytest.raises(ValueError, match=r"9\.744\.000"):
        formatting.parse_amount(typed)


class _WageForm(forms.Form):
    wage = AmountField(min_value=1)
    bonus = AmountField(required=False)


def test_amount_field_cleans_keeps_and_redisplays():
    form = _WageForm({"wage": "Rp 9.744.000", "bonus": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"wage": 9_744_000, "bonus": None}

    bad = _WageForm({"wage": "sembilan juta"})
    assert not bad.is_valid()
    assert "9.744.000" in bad.errors["wage"][0]
    assert 'value="sembilan juta"' in str(bad["wage"])  # what was typed is kept

    zero = _WageForm({"wage": "0"})
    assert not zero.is_valid() and "wage" in zero.errors  # min_value still applies

    shown = str(_WageForm(initial={"wage": 1_000_000})["wage"])
    assert 'value="1.000.000"' in shown and 'inputmode="numeric"' in shown and 'type="text"' in shown
