"""Frozen calculations: parameter snapshots and calculation records (see docs/architecture.md)."""

from lindung.core.calculations.service import calculate_and_freeze, redisplay
from lindung.core.calculations.snapshots import canonical_digest, serialise, snapshot_for, snapshot_id_for

__all__ = ["calculate_and_freeze", "canonical_digest", "redisplay", "serialise", "snapshot_for", "snapshot_id_for"]
