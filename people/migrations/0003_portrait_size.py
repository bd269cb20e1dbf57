"""Portraits keep their pixel size, so their renditions' sizes need no file access; each
stored photo's size is read once here, and its squares written (``newsroom.portraits``).
A missing or unreadable file gets size 0 (no renditions) instead of stopping the deploy."""

import contextlib
from types import SimpleNamespace

from django.core.files.storage import default_storage
from django.db import migrations, models
from PIL import Image

import newsroom.images
from newsroom import portraits


def read_sizes(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    # values_list: a historical Person with a photo and no size would read the file on load.
    for pk, name in Person.objects.exclude(photo="").values_list("pk", "photo"):
        try:
            with default_storage.open(name, "rb") as fh, Image.open(fh) as img:
                width, height = img.size
        except (OSError, ValueError):
            width = height = 0
        Person.objects.filter(pk=pk).update(photo_width=width, photo_height=height)
        photo = SimpleNamespace(name=name, open=lambda mode="rb", name=name:
                                default_storage.open(name, mode))
        person = SimpleNamespace(pk=pk, photo=photo, photo_width=width, photo_height=height)
        with contextlib.suppress(OSError, ValueError):  # make_renditions reports it
            portraits.generate(person)


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0002_portrait_max_side'),
    ]

    operations = [
        migrations.AddField(
            model_name='person',
            name='photo_height',
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='person',
            name='photo_width',
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name='person',
            name='photo',
            field=newsroom.images.ValidatedImageField(blank=True, height_field='photo_height', help_text='A head-and-shoulders portrait; JPEG, PNG or WebP. Larger ones are scaled down to 800 pixels.', max_side=800, upload_to='people/%Y/', validators=[newsroom.images.ImageFileValidator()], width_field='photo_width'),
        ),
        migrations.RunPython(read_sizes, migrations.RunPython.noop),
    ]
