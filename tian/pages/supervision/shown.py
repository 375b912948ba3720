"""What the supervision pages showed the user, remembered in the session, so that a form sent after its record moved
away from the user (the proposal given to another lead official, a reply's review to another office) can be
answered with why, and what was typed kept, for someone who was shown the record; anyone else is answered as for a
record that does not exist (404), and so learns nothing of a proposal or a reply they never had (no existence leak).

The session is kept on the server and only these pages write it, so a number remembered here is one that the user's
pages did show them (a number sent in a form proves nothing). Only numbers are kept, at most ``LIMIT`` of each kind (an office follows some dozens of key
proposals; the queue holds what waits for review), the newest."""

KEY = "supervision_shown"
LIMIT = 500
PROPOSALS = "proposals"  # rows of the key-proposals page
REPLIES = "replies"  # replies on the review queue or their review page


def remember(request, kind: str, pks) -> None:
    """Remember that the page showed ``pks`` of ``kind``; the session is written only when one is new."""
    shown = request.session.get(KEY, {})
    before = shown.get(kind, [])
    known = set(before)
    new = [pk for pk in dict.fromkeys(pks) if pk not in known]
    if new:
        request.session[KEY] = {**shown, kind: (before + new)[-LIMIT:]}


def was_shown(request, kind: str, pk: int) -> bool:
    return pk in request.session.get(KEY, {}).get(kind, [])
