from django.contrib import admin

from tian.notifications.models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "channel", "address", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "channel"]
    # The delivery's state for the operator, not its message: what a notification says of a proposal is its
    # recipient's to read (the deliveries page shows it only where the administrator may open the proposal).
    fields = readonly_fields = ["channel", "address", "status", "attempts", "last_error", "next_attempt_at",
                                "sent_at"]
