"""Who may see which notification: only its own user (outsiders get 404)."""

from django.shortcuts import get_object_or_404

from assistant_portal.accounts.models import User

from .models import Notification, NotificationQuerySet


def notifications_of(user: User) -> NotificationQuerySet:
    """The user's own notifications: the one place the rule lives."""
    return Notification.objects.filter(user=user)


def get_notification_for_user(user: User, notification_id: int) -> Notification:
    return get_object_or_404(notifications_of(user), pk=notification_id)


def unread_count(user: User) -> int:
    return notifications_of(user).unread().count()
