"""What the intake app tells the apps above it. Arrows between apps run one way (downwards);
a lower app that must set off work in a higher one sends a signal, and the higher app connects
its receiver in its AppConfig.ready(). docs/architecture.md lists every such signal."""

from __future__ import annotations

from django.dispatch import Signal

# A report and its addresses were stored and committed (kwargs: report_id). The cases app
# takes it in: a case per canonical URL (hotline/cases/apps.py).
report_stored = Signal()
