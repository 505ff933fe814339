"""Bar charts as accessible SVG, drawn on the server: no script, no fonts, no inline style.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by its
``<desc>``; the page shows the same numbers in a table next to it. Colours and sizes are
presentation attributes, which the public Content-Security-Policy (``style-src 'self'``)
allows. A value of ``None`` is a suppressed small count: no bar, only the label text, so that
the bar's length cannot give the number away.
"""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# Each row is its label on one line and its bar with the value on the next, 320 units wide:
# drawn at its own width, or scaled down to a 320 px phone's column (288 px), the text stays at
# 12 px or more and no label is cut off however long the month's name is in the language.
ROW = 40
BAR_WIDTH = 200
WIDTH = 320
BAR_COLOUR = "#0b4fa3"
TEXT_COLOUR = "#1b1b1b"


def bar_chart(chart_id: str, title: str, desc: str,
              rows: list[tuple[str, int | None, str]]) -> SafeString:
    """Horizontal bars: rows are (label, value or None when suppressed, value as shown)."""
    top = max([value or 0 for _label, value, _shown in rows] + [1])
    height = ROW * max(len(rows), 1) + 4
    width = WIDTH
    bars = []
    for i, (label, value, shown) in enumerate(rows):
        y = 2 + i * ROW
        length = round(BAR_WIDTH * (value or 0) / top)
        bars.append((
            y + 14, 0, label,
            0, y + 20, length if value else 0,
            (length if value else 0) + 6, y + 33, shown,
        ))
    body = format_html_join(
        "\n",
        '<text x="{1}" y="{0}">{2}</text>'
        '<rect x="{3}" y="{4}" width="{5}" height="16" fill="' + BAR_COLOUR + '"/>'
        '<text x="{6}" y="{7}">{8}</text>',
        bars,
    )
    return format_html(
        '<svg class="chart" role="img" aria-labelledby="{0}-t {0}-d" viewBox="0 0 {1} {2}" '
        'width="{1}" height="{2}" direction="ltr" font-family="sans-serif" font-size="14" '
        'fill="{3}" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{0}-t">{4}</title>'
        '<desc id="{0}-d">{5}</desc>{6}</svg>',
        chart_id, width, height, TEXT_COLOUR, title, desc, body,
    )
