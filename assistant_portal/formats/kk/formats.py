# Kazakh (kk) formats. Django ships none for Kazakh, so without this module
# Kazakh falls back to the US defaults (05/09/2026 would read as 9 May).
# Loaded through settings.FORMAT_MODULE_PATH = ["assistant_portal.formats"].
#
# The *_FORMAT strings use the Django date format syntax,
# see https://docs.djangoproject.com/en/dev/ref/templates/builtins/#date
# Kazakh puts the year first in long dates ("2026 ж. 5 қыркүйек", as CLDR and
# official documents do: "2025 жылғы 29 сәуір"); month names are lower-case
# inside a date. "E" is Django's alternative month name (msgctxt "alt. month");
# our catalogue in assistant_portal/locale_django/kk gives it lower-case.
# Only ASCII letters are format characters, so "ж." needs no escaping.
DATE_FORMAT = "Y ж. j E"  # '2026 ж. 5 қыркүйек'
TIME_FORMAT = "H:i"  # '14:30', 24-hour
DATETIME_FORMAT = "Y ж. j E, H:i"  # '2026 ж. 5 қыркүйек, 14:30'
YEAR_MONTH_FORMAT = "Y ж. E"  # '2026 ж. қыркүйек'
MONTH_DAY_FORMAT = "j E"  # '5 қыркүйек'
SHORT_DATE_FORMAT = "d.m.Y"  # '05.09.2026'
SHORT_DATETIME_FORMAT = "d.m.Y H:i"  # '05.09.2026 14:30'
FIRST_DAY_OF_WEEK = 1  # Monday

# The *_INPUT_FORMATS strings use the Python strftime format syntax,
# see https://docs.python.org/library/datetime.html#strftime-strptime-behavior
# ISO dates come last: <input type="date"> and <input type="datetime-local">
# send them (Django would also append them on its own).
DATE_INPUT_FORMATS = [
    "%d.%m.%Y",  # '25.10.2006'
    "%d.%m.%y",  # '25.10.06'
    "%Y-%m-%d",  # '2006-10-25'
]
# The first input format is also how DateInput/TimeInput/DateTimeInput render
# a value, so the forms without seconds come first ("05.09.2026 14:30").
TIME_INPUT_FORMATS = [
    "%H:%M",  # '14:30'
    "%H:%M:%S",  # '14:30:59'
    "%H:%M:%S.%f",  # '14:30:59.000200'
]
DATETIME_INPUT_FORMATS = [
    "%d.%m.%Y %H:%M",  # '25.10.2006 14:30'
    "%d.%m.%Y %H:%M:%S",  # '25.10.2006 14:30:59'
    "%d.%m.%Y %H:%M:%S.%f",  # '25.10.2006 14:30:59.000200'
    "%d.%m.%y %H:%M",  # '25.10.06 14:30'
    "%d.%m.%y %H:%M:%S",  # '25.10.06 14:30:59'
    "%d.%m.%y %H:%M:%S.%f",  # '25.10.06 14:30:59.000200'
    "%Y-%m-%d %H:%M:%S",  # '2006-10-25 14:30:59'
    "%Y-%m-%d %H:%M:%S.%f",  # '2006-10-25 14:30:59.000200'
    "%Y-%m-%d %H:%M",  # '2006-10-25 14:30'
    "%Y-%m-%dT%H:%M:%S",  # '2006-10-25T14:30:59'
    "%Y-%m-%dT%H:%M",  # '2006-10-25T14:30' (datetime-local)
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # non-breaking space
NUMBER_GROUPING = 3
