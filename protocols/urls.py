from django.urls import path

from . import sharing_views, sheet_views, views
from .review import views as review_views

app_name = "protocols"

urlpatterns = [
    path("pupils/<int:pupil_id>/<str:annex>/<str:window_key>/", views.window, name="window"),
    path("pupils/<int:pupil_id>/incident/", views.incident, name="incident"),
    path("pick-lists/", views.pick_lists, name="pick_lists"),
    path("pupils/<int:pupil_id>/correction/", views.new_correction, name="new_correction"),
    path("<int:protocol_id>/", views.edit, name="edit"),
    path("<int:protocol_id>/autosave/", views.autosave, name="autosave"),
    path("<int:protocol_id>/submit/", views.submit, name="submit"),
    path("<int:protocol_id>/history/", views.history, name="history"),
    path("<int:protocol_id>/compare/", views.compare, name="compare"),
    path("<int:protocol_id>/sign-off/", views.sign_off, name="sign_off"),
    # К: the week's sheet between the parent and the specialists (issue #15)
    path("sheets/<int:pupil_id>/<str:window_key>/", sheet_views.sheet, name="sheet"),
    path("<int:protocol_id>/reply/", sheet_views.reply, name="reply"),
    # Sharing with parents, and the parent's card of their child (issue #15)
    path("pupils/<int:pupil_id>/sharing/", sharing_views.shares, name="shares"),
    path("sharing/<int:share_id>/withdraw/", sharing_views.share_withdraw, name="share_withdraw"),
    path("children/<int:pupil_id>/", sharing_views.child, name="child"),
    path("shared/<int:version_id>/", sharing_views.shared_version, name="shared_version"),
    path("", views.dashboard, name="dashboard"),
    path("pupils/<int:pupil_id>/year/", views.pupil_year, name="pupil_year"),
    path("<int:protocol_id>/pdf/", views.protocol_pdf, name="pdf"),
    path("pupils/<int:pupil_id>/dossier/", views.dossier_start, name="dossier"),
    path("dossier/<int:job_id>/", views.dossier_job, name="dossier_job"),
    path("dossier/<int:job_id>/file/", views.dossier_file, name="dossier_file"),
    # The support team's review (issue #4)
    path("review/", review_views.review_queue, name="review_queue"),
    path("review/<int:conclusion_id>/", review_views.review_conclusion, name="review"),
    path("review/<int:conclusion_id>/decide/", review_views.decide, name="decide"),
    path("review/meetings/", review_views.meetings, name="meetings"),
    path("review/meetings/new/", review_views.meeting_new, name="meeting_new"),
    path("review/meetings/<int:meeting_id>/", review_views.meeting, name="meeting"),
    path("review/meetings/<int:meeting_id>/pdf/", review_views.meeting_pdf, name="meeting_pdf"),
    path("review/steps/<int:step_id>/done/", review_views.next_step_done, name="next_step_done"),
    path("review/overview/", review_views.overview, name="overview"),
    path("review/pupils/<int:pupil_id>/", review_views.team_dossier, name="team_dossier"),
    path("review/flagged/", review_views.flagged, name="flagged"),
]
