"""The task backends: ``immediate`` and ``dummy`` (no service), ``rq`` and ``celery`` (on Redis).

The RQ and Celery modules import their engine at the top; nothing imports them until a
``TASKS`` alias uses them, so a core-only install never needs rq or celery.
"""
