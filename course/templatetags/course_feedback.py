from django import template

from course.feedback import modules_with_feedback

register = template.Library()


@register.inclusion_tag("course/_feedback_links.html")
def feedback_links(enrolment):
    """The listener's questionnaire per module, answered or not (two queries)."""
    return {"modules": modules_with_feedback(enrolment), "cohort": enrolment.cohort}
