"""What the cases app tells the apps above it (see hotline/intake/signals.py for why signals,
and docs/architecture.md for every receiver)."""

from __future__ import annotations

from django.dispatch import Signal

# A new case was opened and committed (kwargs: case_id). The capture app captures its URL.
case_opened = Signal()

# A case got a reviewed CSAM verdict (kwargs: case), sent inside the transaction that confirms
# it, so that what follows is stored with the confirmation or not at all. One receiver runs
# the whole post-confirmation sequence: hotline/takedown/confirmation.py.
case_confirmed = Signal()

# A case was closed with its final verdict (kwargs: case), inside the closing transaction.
# The lists app counts a verdict that contradicts a partner bank's match on its hash.
case_closed = Signal()
