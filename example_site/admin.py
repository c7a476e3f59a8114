"""The site's models in the admin (``/admin/``): found by the admin plugin, as Django's ``admin.py`` is.

The accounts (users, groups, permissions) come from the auth plugin's own ``admin.py``.
"""

from __future__ import annotations

from flaskkit.plugins import admin

from .models import Note


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "created_at", "was_edited"]
    list_filter = ["author", "created_at"]
    search_fields = ["title", "body", "author__username"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    fieldsets = [
        (None, {"fields": ["title", "body", "author"]}),
        ("Dates", {"fields": ["created_at", "updated_at"]}),
    ]
    readonly_fields = ["created_at", "updated_at"]
    autocomplete_fields = ["author"]
    list_per_page = 25

    @admin.display(description="Edited", boolean=True)
    def was_edited(self, note: Note) -> bool:
        return note.edited
