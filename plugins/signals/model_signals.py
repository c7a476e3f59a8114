"""The model signals, sent from SQLAlchemy's flush (see :mod:`.orm` for how).

Every one has the model class as sender (``sender=Post`` filters on it) and
the session that flushed as ``session``. Like Django's, receivers must accept
``**kwargs``. They are sent only for apps that list ``"signals"`` (and
``"orm"``) in ``PLUGINS``.
"""

from __future__ import annotations

from .dispatch import Signal

__all__ = [
    "bulk_delete",
    "bulk_update",
    "post_commit_delete",
    "post_commit_save",
    "post_delete",
    "post_save",
    "pre_delete",
    "pre_save",
]

#: Before a new or changed instance is written (at the start of the flush).
#: Arguments: ``instance``, ``created`` (an INSERT), ``update_fields`` (the
#: names of the changed attributes, ``None`` for an INSERT), ``session``.
#: A receiver may still change ``instance``; the change is written.
pre_save = Signal("pre_save", doc="Before a model instance is inserted or updated (at flush).")

#: After the instance was written (once per object per flush, before the commit).
#: Arguments: ``instance``, ``created``, ``update_fields``, ``session``.
post_save = Signal("post_save", doc="After a model instance was inserted or updated (at flush).")

#: Before an instance marked with ``session.delete()`` is deleted (at flush).
#: Arguments: ``instance``, ``session``.
pre_delete = Signal("pre_delete", doc="Before a model instance is deleted (at flush).")

#: After the instance was deleted (at flush). Arguments: ``instance``, ``session``.
post_delete = Signal("post_delete", doc="After a model instance was deleted (at flush).")

#: For each ``post_save`` of a transaction, after that transaction committed;
#: never after a rollback. For side effects (e-mails, cache purges, tasks).
#: Arguments: ``instance``, ``created``, ``update_fields``.
post_commit_save = Signal("post_commit_save", doc="After the commit of a transaction that saved the instance.")

#: For each ``post_delete`` of a transaction, after that transaction committed.
#: Arguments: ``instance``.
post_commit_delete = Signal("post_commit_delete", doc="After the commit of a transaction that deleted the instance.")

#: An ORM ``update(Model)`` statement is about to run (``session.execute``).
#: It sends no per-object signal. Arguments: ``statement``, ``params``, ``session``.
bulk_update = Signal("bulk_update", doc="An ORM UPDATE statement that may change many rows is about to run.")

#: An ORM ``delete(Model)`` statement is about to run. It sends no per-object
#: signal. Arguments: ``statement``, ``params``, ``session``.
bulk_delete = Signal("bulk_delete", doc="An ORM DELETE statement that may delete many rows is about to run.")
