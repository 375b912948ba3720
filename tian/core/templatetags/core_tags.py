from django import template

from tian.core import unsaved

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced, so filters survive paging."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()


@register.simple_tag(takes_context=True)
def unsaved_text(context) -> str:
    """Text typed into a form that could not be taken, kept for this page to show (``core/unsaved.py``)."""
    request = context.get("request")
    return unsaved.take(request) if request is not None else ""
