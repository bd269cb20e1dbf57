"""A fresh install serves one publication with no configuration at all."""

from django.conf import settings
from django.db import migrations


def create_default_publication(apps, schema_editor):
    Publication = apps.get_model("articles", "Publication")
    if not Publication.objects.exists():
        Publication.objects.create(
            name=settings.NEWSROOM_NAME, slug="newsroom", is_default=True
        )


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [
        migrations.RunPython(create_default_publication, migrations.RunPython.noop),
    ]
