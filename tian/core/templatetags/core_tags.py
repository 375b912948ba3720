from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced, so filters survive paging."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()


@register.filter
def mask_mobile(value: str) -> str:
    """137****2836: personal mobile numbers are masked where the public or other roles see them."""
    digits = (value or "").strip()
    if len(digits) == 11 and digits.isdigit() and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    return digits
