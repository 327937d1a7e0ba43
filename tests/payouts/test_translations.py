from django.core.management import call_command

PAYOUTS = ["payouts/", "templates/payouts/"]


def test_payouts_pages_and_messages_are_translated_into_indonesian():
    call_command("i18n", "sources", *PAYOUTS)
