"""Form widgets for long lists of choices.

Django renders a select through one template per option: a filter bar with 200 units spent more time
rendering its options than the page spent on its data. ``QuickSelect`` writes the same HTML in Python.
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe


class QuickSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        parts = [f'<select name="{escape(name)}"{flatatt(self.build_attrs(self.attrs, attrs))}>']
        has_selected = False
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):  # option groups: rare and short, leave them to the template
                return super().render(name, value, attrs, renderer)
            option_value = "" if option_value is None else str(option_value)
            selected = not has_selected and option_value in chosen
            has_selected |= selected
            parts.append(f'<option value="{escape(option_value)}"{" selected" if selected else ""}>'
                         f"{escape(label)}</option>")
        parts.append("</select>")
        return mark_safe("\n  ".join(parts))  # noqa: S308 - the name, values and labels are escaped above
