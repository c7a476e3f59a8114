from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("notes/", views.NoteList.as_view(), name="note_list"),
    path("notes/new/", views.NoteCreate.as_view(), name="note_create"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("hello/", views.hello, name="hello"),
]
