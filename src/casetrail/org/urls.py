from django.contrib.auth import views as auth_views
from django.urls import path

from casetrail.org import views

app_name = "org"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="org/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/second-factor/", views.second_factor, name="second_factor"),
    path("account/second-factor/", views.enrol, name="enrol"),
    path("account/tokens/", views.tokens, name="tokens"),
]
