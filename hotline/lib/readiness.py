"""A problem that keeps the product from doing its work, said as a sentence for staff.

Each app that owns a piece of knowledge (routing, the hosting trace's data) has small functions
that return a :class:`Problem` or None; the hub dashboard (stats) collects them. The sentence
says what is wrong and what to do; ``link`` points at the page where it is done, when there
is one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    text: str
    link: str = ""
    link_text: str = ""
