"""Models of the claims context (built by later issues)."""
