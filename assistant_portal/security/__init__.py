"""Sessions, second factor and the privacy notice: the project-wide side of issue #9.

Pupil-side privacy (read log, consent, retention, export) lives in `students/`.
"""
