"""The newsroom's roles, as permission groups. Used by data migrations and by tests.

Editorial actions beyond plain model permissions (publish, schedule, …) are custom
permissions on ``Article`` checked by ``articles.editorial.workflow``. Admins are superusers: they
can do everything, including people, publications, sections and users.

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
