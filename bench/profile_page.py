"""Time (and profile) one page in a single process, without HTTP or load.

    .venv/bin/python bench/profile_page.py /                       # page cache off
    .venv/bin/python bench/profile_page.py /feed/ --cache cold --profile
    .venv/bin/python bench/profile_page.py /_bench/floor/ --bare   # bench/bare_django.py

Calls the WSGI application (``newsroom.wsgi``, the page cache's front door included) with
a reader's request for PATH, --requests times after a warm-up, on the database `make bench`
seeded (production settings, ``NEWSROOM_BENCHMARK`` on, as bench/run.py runs gunicorn), and
prints milliseconds per request: the Python a page costs, which `make bench` cannot show on a
machine whose other core is busy. --cache says what is cached, as bench/run.py's rounds do:
``page`` (the page cache on), ``parts`` (pages built from cached parts), ``cold`` (every cache
off). --profile adds cProfile's table (--sort, --top).
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHES = {
    "page": {},
    "parts": {"NEWSROOM_PAGE_CACHE": "false"},
    "cold": {"NEWSROOM_PAGE_CACHE": "false", "NEWSROOM_FRAGMENT_CACHE": "false"},
}


def bench_environment(database_url, articles, **extra):
    """The environment of Newsroom as bench/run.py runs it (production settings, benchmark
    mode) on ``database_url``, by default the bench database of ``articles`` stories."""
    return {
        "NEWSROOM_ENV": "production",
        "SECRET_KEY": "benchmark-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url
        or f"postgres://postgres@127.0.0.1:5432/newsroom_bench_{articles}",
        "SECURE_SSL_REDIRECT": "false",
        "SERVE_MEDIA": "true",
        "NEWSROOM_BENCHMARK": "true",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", help="the page's path, e.g. / or /feed/")
    parser.add_argument("--cache", choices=CACHES, default="parts",
                        help="what is cached (default: parts, the page cache off)")
    parser.add_argument("--requests", type=int, default=50, help="timed requests (default 50)")
    parser.add_argument("--articles", type=int, default=10_000,
                        help="the bench database's size (newsroom_bench_<N>; default 10000)")
    parser.add_argument("--database-url", help="instead of the bench database")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--bare", action="store_true",
                        help="time bench/bare_django.py instead (its only path: /_bench/floor/)")
    parser.add_argument("--save", metavar="FILE",
                        help="write the first answer's body to FILE (to compare pages before and after)")
    parser.add_argument("--queries", action="store_true",
                        help="add each query's time, in the order the page runs them")
    parser.add_argument("--profile", action="store_true", help="add cProfile's table")
    parser.add_argument("--sort", default="cumulative", help="cProfile's order (default cumulative)")
    parser.add_argument("--top", type=int, default=50, help="rows of the table (default 50)")
    args = parser.parse_args()

    os.environ.update(bench_environment(
        args.database_url, args.articles, REDIS_URL=args.redis_url,
        STATIC_ROOT=str(ROOT / "var" / "bench-static"), **CACHES[args.cache]))
    sys.path.insert(0, str(ROOT))
    if args.bare:
        sys.path.insert(0, str(ROOT / "bench"))
        from bare_django import application
    else:
        from django.core.management import call_command

        from newsroom.wsgi import application

        call_command("collectstatic", interactive=False, verbosity=0)  # pages name the files

    def request():
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": args.path, "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr,
        }
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, dict(headers)

        answer["body"] = b"".join(application(environ, start_response))
        return answer

    first = request()
    if args.save:
        Path(args.save).write_bytes(first["body"])
    headers = first["headers"]
    print(f"{args.path}: {first['status']}, {len(first['body']):,} bytes, "
          f"{headers.get('X-Newsroom-Queries', '?')} queries, "
          f"cache {headers.get('X-Newsroom-Cache', '-')}")
    for _ in range(min(args.requests, 20)):
        request()
    started = time.perf_counter()
    for _ in range(args.requests):
        request()
    elapsed = (time.perf_counter() - started) / args.requests
    print(f"{elapsed * 1000:.3f} ms per request ({args.requests} requests, cache: {args.cache})")
    if args.queries:
        print_query_times(request, args.requests)
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.requests):
            request()
        profile.disable()
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)


def print_query_times(request, requests):
    """Each query the page runs, its mean time over ``requests`` requests (the database's
    answer and the driver's reading of it, as the page waits for them) and its SQL's start."""
    from django.db import connection

    times = {}

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            times.setdefault(position[0], [sql, 0.0])[1] += time.perf_counter() - started
            position[0] += 1

    position = [0]
    with connection.execute_wrapper(timed):
        for _ in range(requests):
            position[0] = 0
            request()
    for sql, total in times.values():
        print(f"{total / requests * 1000:7.3f} ms  {len(sql):6,} chars  {sql[:90]}")


if __name__ == "__main__":
    main()
