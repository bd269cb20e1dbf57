"""PostgreSQL as Django's backend has it, with a health check that costs no round trip, and
cursors whose statements are prepared (``prepared_cursor``) for the queries that ask.

Connections are kept between requests (``CONN_MAX_AGE``), so one may have been closed by the
server meanwhile (a restart, a failover, a relay dropping it); Django's health check
(``CONN_HEALTH_CHECKS``) therefore asks each request's connection ``SELECT 1`` before its
first query: a round trip on every request, answered by a database the pages share.

A connection closed by the other end says so without being asked: the server's goodbye, or
the end of the stream, is waiting on its socket. An idle connection that listens for no
notifications is sent nothing else, so a request's connection is healthy when nothing is
there to read; when something is (even a harmless notice), it is closed and a fresh one
opened, as after a failed ``SELECT 1``.
"""

import select
from contextlib import contextmanager

from django.db.backends.postgresql import base, operations
from psycopg import errors, pq

# psycopg prepares a statement run this many times on a cursor that binds its parameters on
# the server; Django's cursors bind them on the client and are never prepared, so only
# ``prepared_cursor``'s statements are, each on its first run (it asks with prepare=True).
ONLY_WHEN_ASKED = 2**31 - 1


class PreparingCursor(base.ServerBindingCursor):
    """Django's cursor binding parameters on the server, which prepares every statement it
    runs: PostgreSQL parses it once per connection, and plans it once too (its generic plan:
    ``DatabaseWrapper._configure_connection``)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        # psycopg knows no query text of a prepared statement's run: the SQL with its
        # values, as Django gives it for a connection binding every query on the server
        # (and as the client binds it: what the debug log and tests see is the same).
        if isinstance(cursor, PreparingCursor):
            try:
                return self.compose_sql(sql, params)
            except errors.DataError:
                return None
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    _preparing = False

    def get_connection_params(self):
        params = super().get_connection_params()
        # Django leaves psycopg's preparing off unless OPTIONS set prepare_threshold (off
        # keeps a relay that cannot keep prepared statements working, as pgbouncer's
        # transaction pooling before 1.21): an explicit setting is kept as it is.
        if "prepare_threshold" not in self.settings_dict["OPTIONS"]:
            params["prepare_threshold"] = ONLY_WHEN_ASKED
        return params

    def _configure_connection(self, connection):
        commit = super()._configure_connection(connection)
        if "prepare_threshold" not in self.settings_dict["OPTIONS"]:
            # The statements prepared here (only those asked for: ``prepared_cursor``) are
            # those whose plan is the same whatever their values, so each is planned once,
            # with its constants written in (``CompiledQuery``). PostgreSQL's own choice
            # (plan_cache_mode auto) compares estimated costs, and a time as a parameter is
            # estimated to pass a third of rows: the front page's newest stories (read by
            # an index, LIMIT 400) were planned again for every request, the planning
            # costing half what running them did. Statements not prepared are planned for
            # their values, as before. One statement per new connection.
            with connection.cursor() as cursor:
                cursor.execute("SET plan_cache_mode = force_generic_plan")
            commit = True
        return commit

    def prepared_cursor(self):
        """A cursor (Django's wrapper, as ``cursor()`` gives) whose statements are prepared:
        for a query a page runs on every request, in the same SQL each time, whose plan is
        the same whatever its values (a story by its address, a story's bylines), planning
        cost PostgreSQL several times what running it did. An ordinary cursor where
        preparing is off (OPTIONS' prepare_threshold None)."""
        with self.preparing():
            return self.cursor()

    @contextmanager
    def preparing(self):
        """Meanwhile, ``cursor()`` gives cursors whose statements are prepared (see
        ``prepared_cursor``): for the ORM's own running of a query, which asks for its
        cursor itself."""
        before, self._preparing = self._preparing, True
        try:
            yield
        finally:
            self._preparing = before

    def create_cursor(self, name=None):
        if (not self._preparing or name
                or self.settings_dict["OPTIONS"].get("prepare_threshold", 0) is None):
            return super().create_cursor(name)
        # Django's own cursor set up (its time zone), of the preparing kind.
        connection = self.connection
        factory, connection.cursor_factory = connection.cursor_factory, PreparingCursor
        try:
            return super().create_cursor(name)
        finally:
            connection.cursor_factory = factory

    def close_if_health_check_failed(self):
        if (self.connection is None or not self.health_check_enabled
                or self.health_check_done or self.pool):
            return super().close_if_health_check_failed()
        if not self.is_quietly_open():
            self.close()
        self.health_check_done = True

    def is_quietly_open(self):
        """Open as far as the client knows, idle, and sent nothing since: usable."""
        connection = self.connection
        if connection.closed or connection.broken:
            return False
        if connection.info.transaction_status != pq.TransactionStatus.IDLE:
            return self.is_usable()  # inside a transaction: ask, as Django does
        # poll, not select: select cannot watch a descriptor numbered 1024 or more, and a
        # process with many files open would then replace its connection on every request.
        poller = select.poll()
        try:
            poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
            events = poller.poll(0)
        except (OSError, ValueError):
            return False
        return not events
