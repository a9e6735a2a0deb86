from django.urls import path

from . import views

app_name = "security"

urlpatterns = [
    path("keep-alive/", views.keep_alive, name="keep_alive"),
    path("two-factor/setup/", views.otp_setup, name="otp_setup"),
    path("two-factor/verify/", views.otp_verify, name="otp_verify"),
]
