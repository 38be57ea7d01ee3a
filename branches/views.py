"""Organization tree and detail pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from membership.selectors import member_counts_by_path

from . import selectors


def _with_counts(request: HttpRequest, nodes: list) -> list[tuple]:
    counts = selectors.rollup_counts(member_counts_by_path(user=request.user, under=[n.path for n in nodes]), nodes)
    return [(node, counts[node.pk]) for node in nodes]


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    roots = selectors.tree_roots(user=request.user)
    children = {root.pk: selectors.children_of(user=request.user, organization=root) for root in roots}
    everything = roots + [child for kids in children.values() for child in kids]
    counted = dict(_with_counts(request, everything))
    forest = [
        {"node": root, "count": counted[root], "children": [(c, counted[c]) for c in children[root.pk]]}
        for root in roots
    ]
    return render(request, "branches/tree.html", {"forest": forest})


@login_required
def children(request: HttpRequest, pk: int) -> HttpResponse:
    """The children of one node, for htmx expand."""
    organization = selectors.organization_get(user=request.user, pk=pk)
    nodes = selectors.children_of(user=request.user, organization=organization)
    return render(request, "branches/_children.html", {"nodes": _with_counts(request, nodes)})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    organization = selectors.organization_get(user=request.user, pk=pk)
    nodes = selectors.children_of(user=request.user, organization=organization)
    counted = _with_counts(request, [organization, *nodes])
    return render(request, "branches/detail.html", {
        "organization": organization,
        "member_count": counted[0][1],
        "children": counted[1:],
        "ancestors": selectors.ancestors_of(organization, user=request.user),
    })
