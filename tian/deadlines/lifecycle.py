"""The extension request's lifecycle (延期申请), declared as the others are (``tian/proposals/lifecycle.py``).

``pending → approved | refused``, by the office; a request already decided was decided by someone else meanwhile
(``conflict``). An approval moves the assignment's deadline; a unit has at most one request pending
(``services.extension_request``).
"""

from django.utils.translation import gettext_lazy as _

from tian.deadlines.models import ExtensionRequest
from tian.proposals.lifecycle import Lifecycle, step
from tian.proposals.workflow import CONFLICT, MSG_CONFLICT

E = ExtensionRequest.Status

EXTENSION_REQUEST = Lifecycle([
    step("approve", _("Approve"), {E.PENDING}, E.APPROVED, authorised_by="decide_extension"),
    step("refuse", _("Refuse"), {E.PENDING}, E.REFUSED, authorised_by="decide_extension"),
], invalid_state=MSG_CONFLICT, invalid_code=CONFLICT)
