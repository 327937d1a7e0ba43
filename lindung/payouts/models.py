"""Models of the payouts context (built by later issues)."""
