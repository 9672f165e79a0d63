"""The suite's own scheduling: tests sharing a module-scoped fixture are kept on one xdist worker
(tests/conftest.py), so `make test` builds each expensive fixture once rather than once per worker."""

import pytest


@pytest.fixture(scope="module")
def shared() -> object:
    return object()


def test_a_test_using_a_shared_fixture_is_grouped(request, shared):
    """The group mark is set, and under `--dist loadgroup` it reaches xdist's scheduler through the test's
    id (pytest 9.2 broke that path once; then every fixture was silently built on both workers)."""
    mark = request.node.get_closest_marker("xdist_group")
    assert mark is not None and mark.args == ("test_suite_groups:shared",)
    if getattr(request.config.option, "loadgroup", False):
        assert request.node.nodeid.endswith("@test_suite_groups:shared")


def test_a_test_using_no_shared_fixture_is_not(request, tmp_path):
    assert request.node.get_closest_marker("xdist_group") is None
