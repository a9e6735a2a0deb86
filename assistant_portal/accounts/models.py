"""People and their roles (SPEC §1). A user may hold several roles."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, email):
        # Addresses are stored lower-case; people type them any way.
        return self.get(email__iexact=email)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Signs in with an e-mail address."""

    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Where an administrator of several schools / organisations is working (accounts/places.py).
    chosen_school = models.ForeignKey(
        "students.School", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    chosen_organisation = models.ForeignKey(
        "course.TrainingOrganisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class RoleKind(models.TextChoices):
    ASSISTANT = "assistant", _("teaching assistant")
    SPECIALIST = "specialist", _("support-team specialist")
    SCHOOL_ADMIN = "school_admin", _("school administrator")
    COURSE_ADMIN = "course_admin", _("course administrator")
    LISTENER = "listener", _("course listener")
    PARENT = "parent", _("parent / guardian")
    # District or region specialist, ПМПК member: sees aggregates across schools, never a child.
    OVERSIGHT = "oversight", _("oversight specialist")


class Speciality(models.TextChoices):
    PSYCHOLOGIST = "psychologist", _("psychologist")
    SPEECH_THERAPIST = "speech_therapist", _("speech therapist")
    DEFECTOLOGIST = "defectologist", _("defectologist")
    SOCIAL_PEDAGOGUE = "social_pedagogue", _("social pedagogue")
    MEDICAL_WORKER = "medical_worker", _("medical worker")


SCHOOL_ROLES = (RoleKind.ASSISTANT, RoleKind.SPECIALIST, RoleKind.SCHOOL_ADMIN, RoleKind.PARENT)


class Role(models.Model):
    """One role of a user, bound to the school or training organisation it applies to."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="roles")
    kind = models.CharField(_("role"), max_length=20, choices=RoleKind.choices)
    speciality = models.CharField(
        _("speciality"), max_length=20, choices=Speciality.choices, blank=True
    )
    school = models.ForeignKey(
        "students.School", on_delete=models.PROTECT, null=True, blank=True, related_name="roles"
    )
    organisation = models.ForeignKey(
        "course.TrainingOrganisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roles",
    )
    district = models.ForeignKey(
        "students.District", on_delete=models.PROTECT, null=True, blank=True, related_name="roles"
    )
    region = models.ForeignKey(
        "students.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="roles"
    )
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.CheckConstraint(
                name="role_school_when_school_role",
                condition=~Q(kind__in=SCHOOL_ROLES) | Q(school__isnull=False),
            ),
            models.CheckConstraint(
                name="role_organisation_for_course_admin",
                condition=~Q(kind=RoleKind.COURSE_ADMIN) | Q(organisation__isnull=False),
            ),
            # An oversight role is bound to exactly one district or one region; no other
            # role is bound to either.
            models.CheckConstraint(
                name="role_oversight_scope",
                condition=(
                    Q(kind=RoleKind.OVERSIGHT)
                    & Q(school__isnull=True)
                    & (
                        (Q(district__isnull=False) & Q(region__isnull=True))
                        | (Q(district__isnull=True) & Q(region__isnull=False))
                    )
                )
                | (~Q(kind=RoleKind.OVERSIGHT) & Q(district__isnull=True) & Q(region__isnull=True)),
            ),
            models.CheckConstraint(
                name="role_speciality_only_for_specialist",
                condition=(Q(kind=RoleKind.SPECIALIST) & ~Q(speciality=""))
                | (~Q(kind=RoleKind.SPECIALIST) & Q(speciality="")),
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "school", "organisation", "district", "region"],
                condition=Q(archived_at__isnull=True),
                nulls_distinct=False,
                name="role_unique_active",
            ),
        ]

    def __str__(self):
        label = self.get_speciality_display() if self.speciality else self.get_kind_display()
        place = self.school or self.organisation or self.district or self.region
        return f"{label} — {place}" if place else str(label)
