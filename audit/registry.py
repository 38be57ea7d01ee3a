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
