"""Sessions, second factor and the privacy notice: the project-wide side of privacy
and security.

Pupil-side privacy (read log, consent, retention, export) lives in `students/`.
"""
