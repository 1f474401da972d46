"""Hypothesis profiles: ``default`` locally, ``ci`` (derandomized) when HYPOTHESIS_PROFILE=ci."""

import os

from hypothesis import settings

settings.register_profile("default", deadline=None)
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
