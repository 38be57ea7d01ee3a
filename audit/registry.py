"""Subject types the domain apps register, so that oversight pages can reach back without importing them.

`audit` knows nothing of the domain: a subject is (type, id). A domain app registers, at start-up
(its AppConfig.ready), a resolver that returns the subject if the user may see it and raises
Http404 otherwise; the history page shows a subject's events only after the resolver says yes.
"""

from collections.abc import Callable

from django.db import models
from django.http import Http404

from branches.scoping import AnyUser

SubjectResolver = Callable[[AnyUser, str], models.Model]

_resolvers: dict[str, SubjectResolver] = {}


def register_subject(subject_type: str, resolver: SubjectResolver) -> None:
    """`subject_type` is the model's `_meta.label_lower`, e.g. "membership.member"."""
    _resolvers[subject_type] = resolver


def resolve_subject(user: AnyUser, subject_type: str, subject_id: str) -> models.Model:
    resolver = _resolvers.get(subject_type)
    if resolver is None:
        raise Http404("对象不存在或无权访问。")
    return resolver(user, subject_id)


def registered_types() -> list[str]:
    return sorted(_resolvers)


# --- callbacks into the domain apps -------------------------------------------------------------
# Oversight decisions that must reach back into a domain app (an objection found substantive
# terminates a recruitment file; a filing approved lets a step complete) call a handler the app
# registered for its subject type. Handlers run inside the deciding service's transaction.

PublicityHandler = Callable[..., None]  # handler(*, acting_user, subject_id: str, window, objection)
FilingHandler = Callable[..., None]  # handler(*, acting_user, subject_id: str, filing)

_publicity_handlers: dict[str, PublicityHandler] = {}
_filing_handlers: dict[str, FilingHandler] = {}


def register_publicity_handler(subject_type: str, handler: PublicityHandler) -> None:
    """Called when a window on a subject of this type is terminated by a substantive objection."""
    _publicity_handlers[subject_type] = handler


def publicity_handler(subject_type: str) -> PublicityHandler | None:
    return _publicity_handlers.get(subject_type)


def register_filing_handler(subject_type: str, handler: FilingHandler) -> None:
    """Called when a filing on a subject of this type is decided (approved or returned)."""
    _filing_handlers[subject_type] = handler


def filing_handler(subject_type: str) -> FilingHandler | None:
    return _filing_handlers.get(subject_type)
