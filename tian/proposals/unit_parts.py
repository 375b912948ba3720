"""What a unit is to a proposal: its part (lead, assisting, separate) and whether it still handles it. Declared here,
below handling, because the proposal's scope and workflow ask them too (who of a unit may open a proposal, whose
unit replies); ``handling.models.Assignment`` takes them as its role and status, and its lifecycle
(``handling/lifecycle.py``) moves the status."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitRole(models.TextChoices):
    LEAD = "lead", _("Lead unit")
    ASSISTING = "assisting", _("Assisting unit")
    SEPARATE = "separate", _("Separate unit")


# The roles whose unit replies to the proposer itself (a lead or separate unit); an assisting unit sends an opinion.
REPLYING_ROLES = frozenset({UnitRole.LEAD, UnitRole.SEPARATE})


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("To sign for")
    SIGNED = "signed", _("Signed for")
    REASSIGNMENT_REQUESTED = "reassignment_requested", _("Reassignment requested")
    REMOVED = "removed", _("Reassigned away")


# Active: the unit still handles the proposal (everything but reassigned away, which nothing leaves).
ACTIVE_ASSIGNMENT = frozenset({AssignmentStatus.ASSIGNED, AssignmentStatus.SIGNED,
                               AssignmentStatus.REASSIGNMENT_REQUESTED})
