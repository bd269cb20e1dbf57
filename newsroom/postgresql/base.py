"""PostgreSQL as Django's backend has it, with a health check that costs no round trip.

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

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
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
