"""The support team's review of conclusions (Г): `services` (comments, decisions closing a
review round, meetings, next steps, retention), `selectors` (queue, thread, evidence, school
overview, flagged pupils, team dossier), `views` + `forms`, `meeting_invite` (a meeting as an
.ics invitation). Its models live in `protocols/models.py`, where the migrations have them.

Dependencies point one way: this package imports `protocols.services` (`StaleEdit`) and
`protocols.selectors`; neither of them imports the review.
"""
