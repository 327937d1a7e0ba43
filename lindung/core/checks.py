"""System checks run by every ``lindung`` command that starts the application (``serve``,
``runserver``, ``migrate``, ``check``): a broken regulation parameter file stops start-up with the
loader's message (file and key), instead of surfacing on the first calculation."""

from __future__ import annotations

from django.core import checks


@checks.register("lindung")
def rules_parameters_valid(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from lindung.rules.params import ParameterError, load_parameters

    try:
        load_parameters()
    except ParameterError as exc:
        return [
            checks.Error(
                f"Regulation parameters are invalid: {exc}",
                hint="Fix the parameter file named above (lindung/rules/parameters/); `lindung rules docs --check` shows the same error.",
                id="lindung.E001",
            )
        ]
    return []
