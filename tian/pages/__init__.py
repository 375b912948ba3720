"""The signed-in pages: each composes one page from several domain apps (a proposal with its assignments,
deadlines and replies; a unit's inbox; the supervision queue; the management lists), so they sit above every
domain app and nothing below imports them. The domain apps keep their models, services and selectors."""
