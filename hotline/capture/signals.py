"""What the capture app tells the apps above it (see hotline/intake/signals.py for why)."""

from __future__ import annotations

from django.dispatch import Signal

# A capture and its items were stored (kwargs: capture), inside the capture's transaction.
# The lists app matches the items against the hash banks.
capture_done = Signal()
