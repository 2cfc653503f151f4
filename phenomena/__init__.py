"""The claims: one module per family of phenomena."""
