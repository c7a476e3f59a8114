from __future__ import annotations

import itertools
import typing as t

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views.decorators.cache import cache_page
from django.views.decorators.vary import vary_on_cookie
from django.views.generic import CreateView
from django.views.generic import ListView

from .models import Note

_renders = itertools.count(1)


class NoteList(LoginRequiredMixin, ListView):
    model = Note
    paginate_by = 20
    ordering = ["-created_at", "-id"]
    queryset = Note.objects.select_related("author")
    template_name = "notes/list.html"


class NoteCreate(LoginRequiredMixin, CreateView):
    model = Note
    fields = ["title", "body"]
    success_url = reverse_lazy("note_list")
    template_name = "notes/form.html"

    def form_valid(self, form: t.Any) -> HttpResponse:
        form.instance.author = self.request.user
        return super().form_valid(form)


@cache_page(60)
@vary_on_cookie
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    mine = Note.objects.filter(author=request.user)
    context = {"count": mine.count(), "latest": mine.order_by("-created_at")[:5], "render": next(_renders)}
    return render(request, "notes/dashboard.html", context)


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Hello, World!")
