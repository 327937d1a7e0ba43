from django.urls import path

from lindung.contributions import views

app_name = "contributions"

urlpatterns = [
    path("", views.invoice_list, name="invoice_list"),
    path("invoices/<str:number>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<str:number>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("payments/", views.payment_list, name="payment_list"),
    path("coverage/", views.coverage_check, name="coverage_check"),
    path("participants/<str:kpj>/", views.participant_contributions, name="participant"),
    path("participants/<str:kpj>/pdf/", views.participant_pdf, name="participant_pdf"),
    path("sponsors/<str:code>/statement/", views.sponsor_statement, name="sponsor_statement"),
    path("reconciliation/", views.reconciliation, name="reconciliation"),
]
