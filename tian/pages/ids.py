"""Element ids of the forms one page shows together."""

from collections import Counter


def distinct_ids(forms: dict) -> dict:
    """``forms`` (key → form, or None) with their ids made distinct where two of them have a field of the same name
    (the return, decline and merge forms each have a ``note``): each such form's ids carry its key
    (``id_decline_note``), so that every label points at its own box. Forms whose fields no other one shares keep
    Django's ids. Returns ``forms``."""
    shown = {key: form for key, form in forms.items() if form is not None}
    names = Counter(name for form in shown.values() for name in form.fields)
    for key, form in shown.items():
        if any(names[name] > 1 for name in form.fields) and not form.prefix:
            form.auto_id = f"id_{key}_%s"
    return forms
