"""Text a user typed into a form that could not be taken because the record moved on meanwhile (another clerk decided
it, the draft was submitted from another tab, the unit was taken off the proposal): kept in the session for the page
the user lands on, which shows it to copy (``includes/unsaved.html``, from the layout), so that it is never lost
unseen. Only the long text a person writes (a form's text areas) is kept; choices and dates are quickly made again."""

from django import forms

KEY = "unsaved_text"
LIMIT = 20000  # characters kept, at most: a session is not a store of documents


def _written(field) -> bool:
    return isinstance(field.widget, forms.Textarea)


def typed(form) -> list[str]:
    """What was typed into ``form``'s text areas, as sent."""
    if form is None:
        return []
    return [str(form.data.get(form.add_prefix(name), "")) for name, field in form.fields.items() if _written(field)]


def typed_fields(*form_classes) -> frozenset[str]:
    """The names of the text areas of ``form_classes``: what ``typed`` keeps, for a request whose form is not built."""
    return frozenset(name for form in form_classes for name, field in form.base_fields.items() if _written(field))


def keep(request, *texts: str) -> None:
    """Keep ``texts`` (the empty ones left out) for the next page the user sees."""
    texts = [t.strip() for t in texts if t and t.strip()]
    if texts and getattr(request, "session", None) is not None:
        request.session[KEY] = "\n\n".join(filter(None, [request.session.get(KEY, ""), *texts]))[:LIMIT]


def take(request) -> str:
    """The kept text, once: the page that shows it takes it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:  # no session is read for a visitor (the portal is the same for all)
        return ""
    return request.session.pop(KEY, "")
