"""What each figure means, shown as a tooltip beside it (the same wording as docs/statistics.md)."""

from django.utils.translation import gettext_lazy as _

DEFINITIONS = {
    "received": _("Proposals submitted in the period (drafts not counted)."),
    "registered": _("Proposals registered (立案) and numbered. Registration rate = registered ÷ received."),
    "declined": _("Proposals not registered (不予立案)."),
    "merged": _("Proposals merged into another one (并案)."),
    "assigned": _("Registered proposals assigned to at least one unit."),
    "replied": _("Assigned proposals whose first round of replies is complete (a part given to another unit keeps "
                 "the reply its unit released). Reply rate = replied ÷ assigned."),
    "on_time": _("Replied proposals whose first replies were each released by the deadline of the unit that "
                 "released it (extensions count). On-time rate = on time ÷ assigned."),
    "classes": _("Outcome classes of released first replies; shares are of all such replies."),
    "contacted": _("Replied proposals whose replying unit recorded contact with the proposer before its reply was "
                   "released (面商率 = contacted ÷ replied)."),
    "satisfaction": _("The lead proposer's latest evaluation. Satisfaction rate = (satisfied + basically "
                      "satisfied) ÷ evaluated."),
    "rehandled": _("Proposals sent back for rehandling after the lead proposer was dissatisfied."),
    "overdue": _("Proposals whose lead or separate unit has not replied and whose deadline has passed."),
}
