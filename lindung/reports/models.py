"""Models of the reports context (built by later issues)."""
