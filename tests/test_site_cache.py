"""The masthead and section menu come from the shared cache, and follow every change."""

import pytest

from articles.caching.site import site_for_host

from .factories import PublicationFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_a_second_request_needs_no_query_for_the_masthead(publication,
                                                          django_assert_num_queries):
    site_for_host("localhost")
    with django_assert_num_queries(0):
        assert site_for_host("localhost")[0] == publication


def test_a_new_or_renamed_section_is_in_the_menu_at_once(client, publication,
                                                         django_capture_on_commit_callbacks):
    client.get("/")
    with django_capture_on_commit_callbacks(execute=True):
        section = SectionFactory(publication=publication, name="Tides")
    assert ">Tides</a>" in client.get("/").text
    with django_capture_on_commit_callbacks(execute=True):
        section.name = "Tides & Weather"
        section.save()
    assert ">Tides &amp; Weather</a>" in client.get("/").text


def test_a_new_domain_is_served_at_once(client, publication,
                                        django_capture_on_commit_callbacks):
    assert site_for_host("ledger.example")[0] == publication
    with django_capture_on_commit_callbacks(execute=True):
        ledger = PublicationFactory(name="The Valley Ledger", domain="ledger.example")
    assert site_for_host("ledger.example")[0] == ledger
    assert site_for_host("LEDGER.example:8000")[0] == ledger
