"""Arrows run one way: each app imports only the apps below it (docs/architecture.md), whose
order is that of settings.INSTALLED_APPS, and never another app's private names."""

from __future__ import annotations

import pytest
from django.conf import settings

from hotline.testing import imports

found = imports.imports()
LAYERED = [app.removeprefix("hotline.") for app in settings.INSTALLED_APPS
           if app.startswith("hotline.") and app != "hotline.apps.StaffAdminConfig"]


def test_every_app_is_in_the_layer_order() -> None:
    assert sorted(LAYERED) == sorted(set(imports.apps()) - {"lib"})


def test_apps_import_only_apps_below_them() -> None:
    upward = [f"{i.module} imports {i.dotted}" for i in found if i.source
              and i.target != "lib" and i.source != "lib"
              and (i.target not in LAYERED or LAYERED.index(i.target) > LAYERED.index(i.source))]
    assert not upward, "\n".join(upward)


def test_lib_imports_no_app() -> None:
    assert not [i for i in found if i.source == "lib"]


def test_no_app_imports_the_project_level() -> None:
    project = set(imports.project_modules())
    assert not [f"{i.module}: {i.dotted}" for i in found if i.source and i.target in project]


def test_there_is_no_cycle_between_apps() -> None:
    graph = imports.edges(found)
    assert imports.mutual_pairs(graph) == []
    assert imports.cycles(graph) == []


def test_no_app_imports_a_private_name_of_another() -> None:
    assert imports.private_names(found) == []


def test_the_measure_sees_a_cycle_when_there_is_one() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert imports.cycles(graph) == [["a", "b", "c"]]
    assert imports.mutual_pairs({"a": {"b"}, "b": {"a"}}) == [("a", "b")]


@pytest.mark.django_db
def test_the_migrations_describe_the_models() -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
