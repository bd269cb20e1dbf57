import pytest

from articles.models import Publication

from .factories import PublicationFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads from tests go to a temporary folder, never the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def publication(db):
    """The default publication that a fresh install serves for any host."""
    pub = Publication.objects.get(is_default=True)
    return pub


@pytest.fixture
def other_publication(db):
    return PublicationFactory(name="The Valley Ledger", slug="valley-ledger", domain="valley.example")
