"""Worked examples of running the suite against your own architectures."""
