from django.core.management import call_command

CLAIMS = ["claims/", "templates/claims/"]


def test_claims_pages_and_messages_are_translated_into_indonesian():
    call_command("i18n", "sources", *CLAIMS)
