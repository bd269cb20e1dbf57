"""A kept database connection is checked before each request's first query without a round
trip (newsroom/postgresql/base.py): one the server closed meanwhile is replaced, a healthy
one is used as it is."""

import os
import resource

import pytest
from django.db import connection, connections

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def kept_connection():
    """The default database's connection as a request finds it: kept from an earlier
    request, health checks on, not yet checked for this request."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's backend: PostgreSQL pass only")
    connection.ensure_connection()
    health_checks = connection.health_check_enabled
    connection.health_check_enabled = True
    connection.health_check_done = False
    yield connection
    connection.health_check_enabled = health_checks


def backend_pid(conn):
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_healthy_connection_is_used_without_asking_it_anything(kept_connection,
                                                                   monkeypatch):
    pid = backend_pid(kept_connection)
    kept_connection.health_check_done = False
    monkeypatch.setattr(kept_connection, "is_usable",
                        lambda: pytest.fail("SELECT 1 sent to an idle, open connection"))
    with kept_connection.cursor() as cursor:  # the request's first query checks it
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] == pid
    assert kept_connection.health_check_done


def test_a_connection_the_server_closed_is_replaced_before_the_first_query(kept_connection):
    pid = backend_pid(kept_connection)
    kept_connection.health_check_done = False
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            # The server's goodbye reaches the kept connection's socket.
            cursor.execute("SELECT pg_sleep(0.2)")
    finally:
        other.close()
    assert not kept_connection.is_quietly_open()
    with kept_connection.cursor() as cursor:  # no error: a fresh connection answers
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


def test_a_connection_on_a_descriptor_past_1024_is_checked_without_a_round_trip(
        kept_connection, monkeypatch):
    """A process with many files open (sockets, uploads, logs) gets a database socket
    numbered past select()'s limit of 1024; it is checked all the same, not replaced on
    every request."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip("the system allows fewer than 1,200 open files")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    kept_connection.close()  # its descriptor is free for the fillers, not for it
    fillers = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        kept_connection.ensure_connection()
        assert kept_connection.connection.fileno() >= 1024
        pid = backend_pid(kept_connection)
        kept_connection.health_check_done = False
        monkeypatch.setattr(kept_connection, "is_usable",
                            lambda: pytest.fail("SELECT 1 sent to an idle, open connection"))
        with kept_connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            assert cursor.fetchone()[0] == pid  # the same connection, not a new one
    finally:
        for descriptor in fillers:
            os.close(descriptor)
        kept_connection.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
