from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def item_fields(form: Any, item_id: int) -> list[Any]:
    """The grade fields of one item (workbench.forms.AssessmentForm)."""
    return list(form.item_bound_fields(item_id)) if form is not None else []


@register.filter
def field_anchor(field: Any) -> str:
    """The id of the control an error summary's link goes to (a group's first choice)."""
    if getattr(field.field.widget, "allow_multiple_selected", False) or (getattr(
            field.field.widget, "input_type", "") in ("radio", "checkbox") and hasattr(
            field.field, "choices")):
        return f"{field.auto_id}_0"
    return str(field.id_for_label or field.auto_id)
