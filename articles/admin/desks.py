"""Desks in the admin: who works on which masthead, in what role (on the user page and on
each publication's page), and a person's bio line per masthead (on the person's page).

The people app knows nothing of mastheads, so its person page gets its per-masthead bio
lines here, by registering a subclass of its admin with one more inline.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group

from articles.editorial import roles
from articles.models import MastheadBio, Membership
from people.admin import PersonAdmin
from people.models import Person


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    verbose_name = "desk"
    verbose_name_plural = "desks: the mastheads this person works on, and the role on each"


class DeskMemberInline(MembershipInline):
    """On a publication's page: its desk."""

    autocomplete_fields = ["user"]
    verbose_name = "member of the desk"
    verbose_name_plural = "desk: who works on this masthead, and in what role"


def give_role_groups(memberships):
    """A role on a desk puts its holder in the role's group, which holds what the role may
    do (roles.may: the group says what, the desk says where)."""
    for membership in memberships:
        group = Group.objects.get(name=roles.DESK_ROLES[membership.role])
        membership.user.groups.add(group)


class DesksFormsetMixin:
    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Membership:
            give_role_groups(formset.new_objects + [obj for obj, _ in formset.changed_objects])


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class NewsroomUserAdmin(DesksFormsetMixin, UserAdmin):
    inlines = [*UserAdmin.inlines, MembershipInline]

    def get_inlines(self, request, obj):
        # Django's two-step user creation: desks come on the second page.
        return self.inlines if obj is not None else []


class MastheadBioInline(admin.TabularInline):
    model = MastheadBio
    extra = 0
    verbose_name_plural = "bio lines on mastheads (instead of the bio line above)"


admin.site.unregister(Person)


@admin.register(Person)
class NewsroomPersonAdmin(PersonAdmin):
    inlines = [*PersonAdmin.inlines, MastheadBioInline]
