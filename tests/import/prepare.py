#!/usr/bin/python3
"""ctest fixture for the import tests: write the small and medium demo stores (and the medium
zoning layer as a Shapefile) once, into the shared scratch dir, keyed by the tiled build."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check, demo_cache, main  # noqa: E402


def case_small(env):
    check(os.path.exists(demo_cache(env, "small")), "no small demo store")


def case_medium(env):
    from test_atomic import medium_source
    store, src = medium_source(env)
    os.unlink(store)
    check(os.path.exists(src), "no medium zoning Shapefile")


if __name__ == "__main__":
    main({"small": case_small, "medium": case_medium})
