"""The in-app notification list and the reminder preferences: access → service → response."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .access import get_notification_for_user, notifications_of, unread_count
from .forms import PreferenceForm


@login_required
def notification_list(request):
    page = Paginator(notifications_of(request.user), 20).get_page(request.GET.get("page"))
    ctx = {"page": page, "unread": unread_count(request.user)}
    return render(request, "notifications/list.html", ctx)


@login_required
def badge(request):
    """The navbar's unread count, fetched by htmx after each page has loaded."""
    return render(request, "notifications/_badge.html", {"unread": unread_count(request.user)})


@login_required
@require_POST
def mark_read(request, notification_id):
    notification = get_notification_for_user(request.user, notification_id)
    services.notification_mark_read(notification=notification)
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request):
    services.notifications_mark_all_read(user=request.user)
    return redirect("notifications:list")


@login_required
def preferences(request):
    pref = services.preference_of(request.user)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            services.preference_save(user=request.user, **form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect("notifications:preferences")
        return render(request, "notifications/preferences.html", {"form": form}, status=400)
    form = PreferenceForm(
        initial={"email": pref.email, "in_app": pref.in_app, "muted_until": pref.muted_until}
    )
    return render(request, "notifications/preferences.html", {"form": form})
