"""Indonesian display formats: one form for dates, months and numbers on every page.

Read by Django's l10n (``FORMAT_MODULE_PATH``) and by ``lindung.core.formatting``. Date inputs
accept the ISO form first (what an ``<input type="date">`` sends) and the forms offices type."""

DATE_FORMAT = "j F Y"  # 1 Oktober 2023
SHORT_DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y H:i"  # 1 Oktober 2023 14:05
SHORT_DATETIME_FORMAT = "j F Y H:i"
YEAR_MONTH_FORMAT = "F Y"  # Oktober 2023
MONTH_DAY_FORMAT = "j F"
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d-%m-%y", "%d/%m/%y", "%d %B %Y"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d-%m-%Y %H:%M", "%d-%m-%Y %H.%M"]

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
