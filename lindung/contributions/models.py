"""Models of the contributions context (built by later issues)."""
