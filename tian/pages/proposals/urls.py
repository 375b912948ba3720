from django.urls import path

from tian.pages.proposals import adjust, author, bulk, detail, follow_ups, office

app_name = "proposals"
urlpatterns = [
    path("", office.proposal_list, name="list"),
    path("review/", office.review_queue, name="review_queue"),
    path("bulk/", bulk.bulk, name="bulk"),
    path("bulk/done/", bulk.bulk_result, name="bulk_result"),
    path("follow-ups/", follow_ups.follow_up_list, name="follow_ups"),
    path("mine/", author.my_proposals, name="mine"),
    path("new/", author.proposal_new, name="new"),
    path("<int:pk>/", detail.detail, name="detail"),
    path("<int:pk>/edit/", author.proposal_edit, name="edit"),
    path("<int:pk>/autosave/", author.proposal_autosave, name="autosave"),
    path("<int:pk>/attachments/", author.proposal_upload, name="upload"),
    path("<int:pk>/invite/", author.proposal_invite, name="invite"),
    path("<int:pk>/do/<slug:name>/", office.proposal_action, name="action"),
    path("<int:pk>/key/", office.key_form, name="key"),
    path("<int:pk>/adjust/", adjust.adjust, name="adjust"),
    path("attachments/<int:pk>/", author.attachment_download, name="attachment"),
    path("cosignatures/<int:pk>/withdraw/", author.cosign_withdraw, name="cosign_withdraw"),
    path("cosignatures/<int:pk>/answer/", author.cosign_respond, name="cosign_respond"),
    path("reassignments/<int:pk>/", office.reassignment_decide, name="reassignment_decide"),
    path("extensions/<int:pk>/", office.extension_decide, name="extension_decide"),
    path("assignments/<int:pk>/remind/", office.assignment_remind, name="remind"),
]
