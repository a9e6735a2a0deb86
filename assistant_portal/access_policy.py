"""Every URL of the project, classified in one place (deny by default).

tests/test_url_policy.py walks the URL configuration and fails for any pattern not listed
here, so a new page cannot ship without someone deciding who may open it.

- PUBLIC: anyone, signed in or not.
- LOGIN: any signed-in user; the view shows only what is theirs.
- ROLE: signed-in users with a role; objects are scoped by an access helper (outsiders: 404).
"""

PUBLIC = "public"
LOGIN = "login"
ROLE = "role"

POLICY: dict[str, str] = {
    # accounts
    "accounts:login": PUBLIC,
    "accounts:password_reset": PUBLIC,
    "accounts:password_reset_done": PUBLIC,
    "accounts:password_reset_confirm": PUBLIC,
    "accounts:password_reset_complete": PUBLIC,
    "accounts:set_language": PUBLIC,
    "accounts:logout": LOGIN,
    "accounts:choose_place": LOGIN,
    "accounts:password_change": LOGIN,
    "accounts:password_change_done": LOGIN,
    "home": LOGIN,
    # security: the notice is public; the rest is about the signed-in user only
    "privacy": PUBLIC,
    "security:keep_alive": LOGIN,
    "security:otp_setup": LOGIN,
    "security:otp_verify": LOGIN,
    # notifications: each user's own (access.notifications_of)
    "notifications:list": LOGIN,
    "notifications:badge": LOGIN,
    "notifications:mark_read": LOGIN,
    "notifications:mark_all_read": LOGIN,
    "notifications:preferences": LOGIN,
    # oversight: district / region figures, never a pupil (oversight.access)
    "oversight:home": ROLE,
    "oversight:region": ROLE,
    "oversight:region_export": ROLE,
    "oversight:district": ROLE,
    "oversight:district_export": ROLE,
    "oversight:school": ROLE,
    # students
    "students:list": ROLE,
    "students:new": ROLE,
    "students:import": ROLE,
    "students:import_confirm": ROLE,
    "students:pupil": ROLE,
    "students:edit": ROLE,
    "students:archive": ROLE,
    "students:assign": ROLE,
    "students:history": ROLE,
    "students:guardian_new": ROLE,
    "students:guardian": ROLE,
    "students:consent_new": ROLE,
    "students:consent_withdraw": ROLE,
    "students:consent_document": ROLE,
    "students:export": ROLE,
    "students:export_job": ROLE,
    "students:export_file": ROLE,
    "students:read_log": ROLE,
    "students:read_log_csv": ROLE,
    "students:years": ROLE,
    "students:year_new": ROLE,
    "students:year": ROLE,
    "students:holiday_add": ROLE,
    "students:holiday_archive": ROLE,
    # protocols
    "protocols:window": ROLE,
    "protocols:new_correction": ROLE,
    "protocols:incident": ROLE,
    "protocols:pick_lists": ROLE,
    "protocols:edit": ROLE,
    "protocols:autosave": ROLE,
    "protocols:submit": ROLE,
    "protocols:history": ROLE,
    "protocols:compare": ROLE,
    "protocols:sign_off": ROLE,
    "protocols:reply": ROLE,
    "protocols:sheet": ROLE,
    "protocols:shares": ROLE,
    "protocols:share_withdraw": ROLE,
    "protocols:child": ROLE,
    "protocols:shared_version": ROLE,
    "protocols:dashboard": ROLE,
    "protocols:pupil_year": ROLE,
    "protocols:pdf": ROLE,
    "protocols:dossier": ROLE,
    "protocols:dossier_job": ROLE,
    "protocols:dossier_file": ROLE,
    # course (scoped by course/access.py)
    "course:feedback": ROLE,
    "course:feedback_results": ROLE,
    "course:programme": ROLE,
    "course:cohorts": ROLE,
    "course:cohort_new": ROLE,
    "course:cohort": ROLE,
    "course:cohort_edit": ROLE,
    "course:enrol": ROLE,
    "course:listeners_import": ROLE,
    "course:task_new": ROLE,
    "course:scores": ROLE,
    "course:score_save": ROLE,
    "course:scores_import": ROLE,
    "course:timetable": ROLE,
    "course:board": ROLE,
    "course:my": ROLE,
    "course:test_start": ROLE,
    "course:unenrol": ROLE,
    "course:paper_score": ROLE,
    "course:support": ROLE,
    "course:task": ROLE,
    "course:task_archive": ROLE,
    "course:attendance": ROLE,
    "course:questions": ROLE,
    "course:question_new": ROLE,
    "course:question_archive": ROLE,
    "course:attempt": ROLE,
    "course:attempt_answer": ROLE,
    "course:attempt_finish": ROLE,
    "course:attempt_submit": ROLE,
    # the invited account's page (by token; anyone else 404) and withdraw
    "course:invitation": ROLE,
    "course:invitation_withdraw": ROLE,
    # certificates: verification by code is public (no login, rate-limited)
    "course:certificates": ROLE,
    "course:certificate_batch_start": ROLE,
    "course:certificate_batch": ROLE,
    "course:certificate_batch_zip": ROLE,
    "course:certificate_issue": ROLE,
    "course:certificate_pdf": ROLE,
    "course:certificate_revoke": ROLE,
    "course:certificate_reissue": ROLE,
    "course:verify_form": PUBLIC,
    "course:verify": PUBLIC,
    "course:verify_json": PUBLIC,
    "course:verify_pdf": PUBLIC,
    # grading
    "grading:gradebook": ROLE,
    "grading:export_csv": ROLE,
    "grading:export_xlsx": ROLE,
    "grading:listener": ROLE,
    # the support team's review
    "protocols:review_queue": ROLE,
    "protocols:review": ROLE,
    "protocols:decide": ROLE,
    "protocols:meetings": ROLE,
    "protocols:meeting_new": ROLE,
    "protocols:meeting": ROLE,
    "protocols:meeting_pdf": ROLE,
    "protocols:next_step_done": ROLE,
    "protocols:overview": ROLE,
    "protocols:team_dossier": ROLE,
    "protocols:flagged": ROLE,
}

# Django's admin guards itself (is_staff); classified as a whole.
NAMESPACES: dict[str, str] = {"admin": ROLE}


def classify(name: str) -> str | None:
    if name in POLICY:
        return POLICY[name]
    namespace = name.split(":", 1)[0] if ":" in name else ""
    return NAMESPACES.get(namespace)
