"""Element ids of the forms one page shows together."""

from collections import Counter


def distinct_ids(forms: dict) -> dict:
    """``forms`` (key → form, or None) with distinct ids where two of them have a field of the same name (the
    return, decline and merge forms each have a ``note``): such a field's id carries its form's key
    (``id_decline_note``), so that every label points at its own box. Every other field keeps Django's id.
    Returns ``forms``."""
    shown = {key: form for key, form in forms.items() if form is not None}
    names = Counter(name for form in shown.values() for name in form.fields)
    for key, form in shown.items():
        for name, field in form.fields.items():
            if names[name] > 1:
                # The widget's own id wins over the form's auto_id, for the box and for its label's "for".
                field.widget.attrs["id"] = f"id_{key}_{name}"
    return forms
