"""Kept thin: the harness is a pytest plugin (entry point `pytest11`); nothing is registered here.

Hypothesis profiles for the harness tests: `ci` (the default) is derandomised so CI is repeatable.
"""

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, max_examples=50)
settings.register_profile("dev", deadline=None, max_examples=200)
settings.load_profile("ci")
