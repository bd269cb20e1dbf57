"""The newsroom's roles, as permission groups, and the desks where they hold.

Editorial actions beyond plain model permissions (publish, schedule, …) are custom
permissions on ``Article`` checked by ``articles.editorial.workflow``. A role group says
what a reporter or an editor may do; a desk membership (``articles.models.Membership``) says
on which masthead: ``may(user, perm, publication)`` is the one test. Admins are superusers:
they can do everything everywhere, including people, publications, sections and users.

Changing a list here needs a data migration that calls ``sync_role_groups`` again.
"""

REPORTER = "Reporter"
EDITOR = "Editor"

# codename lists per group: "<app_label>.<action>_<model>"
ROLE_PERMISSIONS = {
    REPORTER: [
        "articles.add_article", "articles.change_article", "articles.view_article",
        "articles.add_byline", "articles.change_byline", "articles.delete_byline",
        "articles.view_byline",
        "articles.add_relateditem", "articles.change_relateditem",
        "articles.delete_relateditem", "articles.view_relateditem",
        "articles.add_image", "articles.change_image", "articles.view_image",
        "articles.view_section", "articles.view_publication", "articles.view_correction",
        "people.view_person",
        "taggit.add_tag", "taggit.view_tag", "taggit.add_taggeditem", "taggit.view_taggeditem",
    ],
    EDITOR: [
        "articles.add_article", "articles.change_article", "articles.delete_article",
        "articles.view_article",
        "articles.edit_any_article", "articles.return_article", "articles.publish_article",
        "articles.unpublish_article", "articles.feature_article", "articles.lift_embargo",
        "articles.view_previewlink", "articles.view_publicationevent",
        "articles.add_byline", "articles.change_byline", "articles.delete_byline",
        "articles.view_byline",
        "articles.add_relateditem", "articles.change_relateditem",
        "articles.delete_relateditem", "articles.view_relateditem",
        "articles.add_correction", "articles.change_correction",
        "articles.delete_correction", "articles.view_correction",
        "articles.add_image", "articles.change_image", "articles.delete_image",
        "articles.view_image",
        "articles.view_section", "articles.view_publication",
        "people.add_person", "people.change_person", "people.view_person",
        "people.add_sociallink", "people.change_sociallink", "people.delete_sociallink",
        "people.view_sociallink",
        "taggit.add_tag", "taggit.change_tag", "taggit.view_tag",
        "taggit.add_taggeditem", "taggit.change_taggeditem", "taggit.delete_taggeditem",
        "taggit.view_taggeditem",
    ],
}


def sync_role_groups(apps):
    """Create or update the role groups with exactly their listed permissions."""
    from django.contrib.auth.management import create_permissions

    # On a fresh database the permissions are only made after all migrations;
    # make them now so the groups can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            # An earlier migration runs before later models and permissions exist; the
            # migration that adds them calls this again and fills them in.
            wanted.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)


# --- Desks: where a role holds ----------------------------------------------------------
#
# A person's role is held per masthead (``articles.models.Membership``): reporter on one,
# editor on another. A permission applies on a masthead when the person holds it (through
# their role group, above) and their role on that masthead's desk grants it too. Superusers
# hold everything everywhere.

DESK_ROLES = {"reporter": REPORTER, "editor": EDITOR}  # Membership.Role -> role group


def desk_roles(user):
    """{publication id: role} of ``user``'s desks, read once per user object."""
    if not getattr(user, "is_authenticated", False):
        return {}
    if not hasattr(user, "_desk_roles"):
        from articles.models import Membership

        user._desk_roles = dict(
            Membership.objects.filter(user=user).values_list("publication_id", "role"))
    return user._desk_roles


def role_grants(role, perm):
    return perm in ROLE_PERMISSIONS.get(DESK_ROLES.get(role), ())


def may(user, perm, publication_id):
    """May ``user`` use ``perm`` ("articles.publish_article") on this masthead's desk?"""
    if not (user and user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    role = desk_roles(user).get(getattr(publication_id, "pk", publication_id))
    return role is not None and role_grants(role, perm) and user.has_perm(perm)


def desks_where(user, perm):
    """The ids of the mastheads where ``user`` may use ``perm``; None for a superuser
    (every masthead)."""
    if user and user.is_authenticated and user.is_active and user.is_superuser:
        return None
    return [pk for pk in desk_roles(user) if may(user, perm, pk)]


def grant_desk_role(user, publication, role):
    """Give ``user`` ``role`` on ``publication``'s desk, and the role's group, which holds
    what the role may do (the desk says where)."""
    from django.contrib.auth.models import Group

    from articles.models import Membership

    Membership.objects.update_or_create(user=user, publication=publication,
                                        defaults={"role": role})
    user.groups.add(Group.objects.get(name=DESK_ROLES[role]))
    user.__dict__.pop("_desk_roles", None)
    user.__dict__.pop("_perm_cache", None)
    user.__dict__.pop("_group_perm_cache", None)
