"""The notes board in Django 5.2: a settings module built in code (:mod:`.site`) and a notes app."""
