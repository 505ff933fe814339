"""The classification schemes a new hub starts with (DESIGN.md, "Classification").

They are loaded once by a data migration; from then on they are data that administrators
change or extend in the admin (a hub adds its own jurisdiction's scheme without code).
"""

from __future__ import annotations

# (code, name, multiple, required, [(option code, label), ...])
DEFAULT_SCHEMES: list[tuple[str, str, bool, bool, list[tuple[str, str]]]] = [
    ("uk_category", "UK category (most severe present)", False, True, [
        ("a", "A: penetrative sexual activity, sexual activity with an animal, or sadism"),
        ("b", "B: non-penetrative sexual activity"),
        ("c", "C: other indecent images"),
    ]),
    ("inhope", "INHOPE / ICCAM", False, True, [
        ("baseline", "Baseline (illegal in every country)"),
        ("national", "Nationally illegal"),
        ("not_illegal", "Not illegal"),
    ]),
    ("industry", "Industry classification (NCMEC, XARF)", False, True, [
        ("A1", "A1: prepubescent, sex act"),
        ("A2", "A2: prepubescent, lascivious exhibition"),
        ("B1", "B1: pubescent, sex act"),
        ("B2", "B2: pubescent, lascivious exhibition"),
    ]),
    ("age_band", "Youngest apparent age", False, True, [
        ("0-2", "0–2"), ("3-6", "3–6"), ("7-10", "7–10"), ("11-13", "11–13"),
        ("14-15", "14–15"), ("16-17", "16–17"),
    ]),
    ("sex", "Sex(es) shown", True, False, [
        ("female", "Female"), ("male", "Male"), ("unclear", "Unclear"),
    ]),
    ("self_generated", "Self-generated", False, False, [
        ("yes", "Yes"), ("no", "No"), ("unclear", "Unclear"),
    ]),
    ("site_type", "Site type", False, True, [
        ("image_host", "Image host"), ("forum", "Forum"), ("file_host", "File host"),
        ("video_channel", "Video channel"), ("social_network", "Social network"),
        ("blog", "Blog"), ("website", "Website"), ("other", "Other"),
    ]),
    ("commercial", "Commercial", False, False, [("yes", "Yes"), ("no", "No")]),
    ("media_type", "Media type", False, True, [
        ("image", "Image"), ("video", "Video"), ("both", "Both"),
    ]),
]

# The schemes graded item by item (what one picture shows); the others once for the page.
PER_ITEM = ("uk_category", "inhope", "industry", "age_band", "sex", "self_generated")
