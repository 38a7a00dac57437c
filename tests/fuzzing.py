"""The fuzz campaign's hypothesis profiles, shared by every tests/test_fuzz*.py: CI runs
a few dozen examples a target; `make fuzz` runs FUZZ_EXAMPLES (10^4 by default)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings


def load_profile() -> None:
    settings.register_profile(
        "ci", max_examples=60, deadline=None, suppress_health_check=list(HealthCheck)
    )
    settings.register_profile(
        "fuzz",
        max_examples=int(os.environ.get("FUZZ_EXAMPLES", "10000")),
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
