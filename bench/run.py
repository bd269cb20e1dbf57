"""Newsroom's benchmark: real HTTP load on gunicorn + PostgreSQL + Redis, with a floor.

    make bench                      # 10,000 stories
    make bench ARTICLES=100000      # or 1000000

Seeds (once per size) a PostgreSQL database. Then, in up to four rounds (--rounds: the
page cache on; off, pages built from cached parts; every cache off; the page cache on
behind the repository's nginx front, readers' pages answered from files), it starts gunicorn
with production settings and 2 workers, and loads each page with wrk for a fixed time at
fixed concurrency (--seconds, --connections), each right after a short run of the floor
(--floor-seconds), so that a page and its floor share the machine's mood. Then it times each page unloaded: one connection, one request at a time,
for --unloaded-seconds, which gives the latency of a single request on an idle server
(unloaded_p50_ms and unloaded_p99_ms). In the same run it loads a bare Django view
returning a constant response, "the floor", so that results read as a fraction of what
this machine can do at all. Results go to bench/results/<size>-<time>.json and .md.

The search page is not one query: every run rotates through SEARCH_QUERIES, with a wrk Lua
script, on the search path that `manage.py bench_urls` gives.

The hot-story case (--rounds hot) loads the lists a live story is on (home, its section,
tag and author, the feed) in turn, first quiet, then while an editor saves that story every
--hot-every seconds (`manage.py bench_hot_story`, through the ORM), with stale copies after
a save on (as deployed) and off: readers' throughput in the storm against the quiet run.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

# What readers type into search: one and two words of the seeded stories' vocabulary
# (WORDS in articles/management/commands/seed_newsroom.py).
SEARCH_QUERIES = [
    "harbor budget", "ferry", "school board", "wildfire", "council vote", "library",
    "transit fare", "hospital", "storm repair", "housing permit",
]


def log(message):
    print(f"[bench] {message}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_wrk():
    if shutil.which("wrk"):
        return
    log("installing wrk (Debian package)")
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def ensure_database(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def manage(env, *args, quiet=False):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL if quiet else None)


def start_gunicorn(env, port, workers, app=("newsroom.wsgi",)):
    proc = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", *app, "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--worker-class", "sync", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_bench/floor/", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def worker_rss_mb(master_pid):
    """Resident memory of each gunicorn worker (children of the master), in MB."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master_pid}$", text, re.M):
            kb = int(re.search(r"^VmRSS:\s+(\d+)", text, re.M).group(1))
            sizes.append(round(kb / 1024, 1))
    return sizes


def probe(url):
    """Size, query count and status of one request (query count from the bench header,
    which counts only when asked)."""
    request = urllib.request.Request(url, headers={"X-Newsroom-Count-Queries": "1"})
    try:
        response = urllib.request.urlopen(request, timeout=30)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        body = response.read()
        return {
            "status": response.status,
            "bytes": len(body),
            # A page-cache hit is answered before Django's middleware: no query counter.
            # nginx answering from a page file: no Python at all.
            "queries": int(response.headers.get(
                "X-Newsroom-Queries",
                0 if response.headers.get("X-Newsroom-Cache") in ("hit", "nginx") else -1)),
            "cache": response.headers.get("X-Newsroom-Cache", ""),
        }


def search_paths(path):
    """The search path from bench_urls once per query in SEARCH_QUERIES (q replaced)."""
    parts = urlsplit(path)
    params = [(key, value) for key, value in parse_qsl(parts.query) if key != "q"]
    return [parts._replace(query=urlencode([*params, ("q", query)])).geturl()
            for query in SEARCH_QUERIES]


def rotation_script(paths):
    """A wrk Lua script that sends each request to the next of paths, round and round."""
    lua_paths = ", ".join(json.dumps(path) for path in paths)
    return (
        f"local paths = {{{lua_paths}}}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i])\n'
        "end\n"
    )


def wrk(url, *, seconds, connections, threads=2, rotate=None):
    """Load url with wrk; rotate: paths on url's host to request in turn instead."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if rotate:
            script.write(rotation_script(rotate))
            script.flush()
            command += ["-s", script.name]
        out = subprocess.run([*command, url], capture_output=True, text=True,
                             check=True).stdout

    def latency_ms(label):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return round(value * {"us": 0.001, "ms": 1, "s": 1000}[unit], 2)

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": latency_ms(50),
        "p99_ms": latency_ms(99),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
    }


def page_urls(env):
    """The pages to load, chosen by the project itself (see bench_urls command)."""
    out = subprocess.run([PYTHON, "manage.py", "bench_urls"], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def wait_for_queue_to_drain(loaded, connections):
    """wrk stops with a request in flight on each connection, and gunicorn still serves
    them all: about connections / rps seconds. An unloaded run must not queue behind them."""
    time.sleep(1.5 * connections / max(loaded["rps"], 1) + 0.5)


NGINX_SITE = ROOT / "newsroom" / "deploy" / "nginx.conf"
# The pages nginx may answer from the page cache's files (HTML, no query string).
NGINX_PAGES = ("home", "article", "section", "tag", "author")


def start_nginx(workdir, *, listen, upstream, page_files, static_root):
    """Debian's nginx with the repository's front (newsroom/deploy/nginx.conf), its EDIT
    lines pointed at this run's ports and folders."""
    prefix = workdir / "nginx"
    (prefix / "logs").mkdir(parents=True, exist_ok=True)
    site = NGINX_SITE.read_text()
    for old, new in {"server 127.0.0.1:8000;": f"server 127.0.0.1:{upstream};",
                     "listen 80;": f"listen 127.0.0.1:{listen};",
                     "alias /srv/newsroom/var/static/;": f"alias {static_root}/;",
                     "alias /srv/newsroom/media/;": f"alias {ROOT / 'media'}/;",
                     "root /srv/newsroom/var/page-files;": f"root {page_files};"}.items():
        if old not in site:
            raise RuntimeError(f"{NGINX_SITE} no longer has {old!r}")
        site = site.replace(old, new)
    temp = "\n".join(f"  {kind}_temp_path {prefix}/{kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (prefix / "nginx.conf").write_text(
        f"worker_processes auto;\npid {prefix}/nginx.pid;\n"
        f"error_log {prefix}/logs/error.log warn;\n"
        f"events {{ worker_connections 4096; }}\n"
        f"http {{\n  include /etc/nginx/mime.types;\n  access_log off;\n{temp}\n{site}\n}}\n")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    proc = subprocess.Popen([nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
                             "-g", "daemon off;"], start_new_session=True)
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", listen), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("nginx did not start")


# The rounds, each with its own gunicorn: what is cached in each.
ROUNDS = {
    # As deployed: whole pages for readers without a session.
    "cached": ("Full-page cache on", {}),
    # Every page is built, from parts cached apart (the story, its In Other News, the
    # masthead): what a reader with a session gets, and anyone just after a change.
    "uncached": ("Full-page cache off", {"NEWSROOM_PAGE_CACHE": "false"}),
    # Every page is built from the database (only the host's publication stays cached).
    "cold": ("Every cache off", {"NEWSROOM_PAGE_CACHE": "false",
                                 "NEWSROOM_FRAGMENT_CACHE": "false"}),
    # The page cache on and the repository's nginx front before gunicorn: readers' pages
    # answered from the page cache's files (docs/caching.md), against the floor of the
    # same gunicorn, loaded directly (Python's floor).
    "nginx": ("Through nginx, pages from files", {}),
}


# A bare Django application (bench/bare_django.py): the floor's view with no middleware.
BARE_DJANGO = ("--pythonpath", "bench", "bare_django:application")


def floor_against_bare_django(base, bare, args):
    """The floor (Newsroom's middleware stack) and a bare Django app, loaded one right
    after the other --repeat times; the pair with the median ratio."""
    pairs = []
    for _ in range(args.repeat):
        floor = wrk(base + "/_bench/floor/", seconds=args.seconds,
                    connections=args.connections)
        wait_for_queue_to_drain(floor, args.connections)
        django = wrk(bare + "/_bench/floor/", seconds=args.seconds,
                     connections=args.connections)
        wait_for_queue_to_drain(django, args.connections)
        pairs.append((django, floor))
    django, floor = median_pair(pairs)
    return {"floor_rps": floor["rps"], "bare_django_rps": django["rps"],
            "ratio": round(floor["rps"] / django["rps"], 3) if django["rps"] else None,
            "runs": [{"floor_rps": f["rps"], "bare_django_rps": d["rps"]} for d, f in pairs]}


def run_server_round(env, pages, rotations, args, label, workdir=None):
    """Each page (floor first) under load, then unloaded. rotations: page -> paths to
    request in turn instead of the page's own path. With ``workdir`` (the nginx round),
    the pages go through nginx and the floor straight to gunicorn."""
    port = free_port()
    front = None
    if workdir:
        env = {**env, "NEWSROOM_PAGE_FILES_DIR": str(workdir / "page-files")}
        workdir.chmod(0o755)  # mkdtemp's 0700 would keep nginx's workers out
        pages = {name: path for name, path in pages.items() if name in NGINX_PAGES}
    proc = start_gunicorn(env, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    page_base = base
    results = {}
    bare = None
    try:
        if args.bare_django:
            bare_port = free_port()
            bare_proc = start_gunicorn(env, bare_port, args.workers, app=BARE_DJANGO)
            try:
                bare = floor_against_bare_django(base, f"http://127.0.0.1:{bare_port}", args)
            finally:
                os.killpg(bare_proc.pid, signal.SIGTERM)
                bare_proc.wait(timeout=30)
            log(f"{label}: floor {bare['floor_rps']:.0f} req/s, bare Django "
                f"{bare['bare_django_rps']:.0f} req/s ({bare['ratio']})")
        if workdir:
            listen = free_port()
            front = start_nginx(workdir, listen=listen, upstream=port,
                                page_files=workdir / "page-files",
                                static_root=env["STATIC_ROOT"])
            page_base = f"http://127.0.0.1:{listen}"
        for name, path in [("floor", "/_bench/floor/"), *pages.items()]:
            url = (base if name == "floor" else page_base) + path
            rotation = rotations.get(name)
            for other in rotation or []:
                probe(page_base + other)
            for _ in range(3):  # warm up: templates, connections, the page cache
                info = probe(url)
            if info["status"] != 200:
                log(f"{label}: {name} {path} answered {info['status']}; not loaded")
                continue
            log(f"{label}: {name} {path} ({info['bytes']} bytes, {info['queries']} queries"
                f"{', ' + info['cache'] if info['cache'] else ''})")
            pairs = []
            for _ in range(args.repeat if name != "floor" else 1):
                paired = None
                if name != "floor" and args.floor_seconds:
                    # The floor again, right before this page: a shared machine has slow
                    # minutes, and the ratio should compare the two under the same ones.
                    paired = wrk(base + "/_bench/floor/", seconds=args.floor_seconds,
                                 connections=args.connections)
                    wait_for_queue_to_drain(paired, args.connections)
                loaded = wrk(url, seconds=args.seconds, connections=args.connections,
                             rotate=rotation)
                wait_for_queue_to_drain(loaded, args.connections)
                pairs.append((paired, loaded))
            paired, loaded = median_pair(pairs)
            unloaded = wrk(url, seconds=args.unloaded_seconds, connections=1, threads=1,
                           rotate=rotation)
            results[name] = {"path": path, **info, **loaded,
                             "unloaded_p50_ms": unloaded["p50_ms"],
                             "unloaded_p99_ms": unloaded["p99_ms"],
                             "floor_rps": paired["rps"] if paired else None,
                             "runs": [{"rps": page["rps"],
                                       "floor_rps": floor["rps"] if floor else None}
                                      for floor, page in pairs]}
        rss = worker_rss_mb(proc.pid)
    finally:
        for server in (front, proc):
            if server is not None:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
    add_ratios(results)
    return {"pages": results, "worker_rss_mb": rss, "bare_django": bare}


# The lists the hot story is on, loaded in turn (bench_urls's pages are those of the
# newest public story, the one bench_hot_story saves).
HOT_STORY_PAGES = ("home", "section", "tag", "author", "feed")
HOT_STORY_CASES = {
    "stale copies on": {},  # as deployed
    "stale copies off": {"NEWSROOM_PAGE_CACHE_STALE_SECONDS": "0"},  # every reader rebuilds
}


def saving_the_hot_story(env, seconds, every):
    """``manage.py bench_hot_story`` started; returns once it has begun saving."""
    proc = subprocess.Popen(
        [PYTHON, "manage.py", "bench_hot_story", "--seconds", str(seconds), "--every",
         str(every)], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    log(proc.stdout.readline().strip())
    return proc


def run_hot_story(env, pages, args):
    """Each case with its own gunicorn: the hot story's lists in turn, quiet then in the
    storm of saves, --repeat times; the pair whose storm/quiet ratio is the median."""
    paths = [pages[name] for name in HOT_STORY_PAGES if name in pages]
    results = {}
    for case, overrides in HOT_STORY_CASES.items():
        port = free_port()
        proc = start_gunicorn({**env, **overrides}, port, args.workers)
        base = f"http://127.0.0.1:{port}"
        pairs = []
        try:
            for path in paths * 2:
                probe(base + path)
            for _ in range(args.repeat):
                quiet = wrk(base + paths[0], seconds=args.seconds,
                            connections=args.connections, rotate=paths)
                wait_for_queue_to_drain(quiet, args.connections)
                saver = saving_the_hot_story(env, args.seconds + 2, args.hot_every)
                storm = wrk(base + paths[0], seconds=args.seconds,
                            connections=args.connections, rotate=paths)
                saves = json.loads(saver.communicate(timeout=120)[0].strip().splitlines()[-1])
                wait_for_queue_to_drain(storm, args.connections)
                pairs.append((quiet, {**storm, **saves}))
                log(f"hot story, {case}: quiet {quiet['rps']:.0f} req/s, p99 "
                    f"{quiet['p99_ms']} ms; storm {storm['rps']:.0f} req/s, p99 "
                    f"{storm['p99_ms']} ms ({saves['saves']} saves)")
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        quiet, storm = median_pair(pairs)
        results[case] = {"quiet": quiet, "storm": storm,
                         "ratio": round(storm["rps"] / quiet["rps"], 3) if quiet["rps"] else None,
                         "runs": [{"quiet_rps": q["rps"], "storm_rps": s["rps"]}
                                  for q, s in pairs]}
    return {"paths": paths, "every": args.hot_every, "cases": results}


def median_pair(pairs):
    """Of several (floor, page) runs, the one whose ratio is the median (the upper one of
    an even number): one unlucky minute neither sinks nor flatters a page."""
    def ratio(pair):
        floor, page = pair
        return page["rps"] / floor["rps"] if floor and floor["rps"] else page["rps"]

    return sorted(pairs, key=ratio)[len(pairs) // 2]


def add_ratios(results):
    """Each page's requests/second over its own floor run (else the round's first)."""
    for result in results.values():
        floor = result["floor_rps"] or results["floor"]["rps"]
        result["ratio_to_floor"] = round(result["rps"] / floor, 3) if floor else None


def markdown(report):
    lines = [
        f"# Benchmark: {report['articles']:,} stories, {report['when']}",
        "",
        f"gunicorn {report['workers']} sync workers, wrk {report['connections']} connections "
        f"for {report['seconds']} s per page, then unloaded (1 connection) for "
        f"{report['unloaded_seconds']} s, PostgreSQL + Redis on this machine "
        f"({report['cpus']} CPUs). Search rotates through: "
        + ", ".join(f"`{query}`" for query in report["search_queries"]) + ".",
        "",
    ]
    for round_name, data in report["rounds"].items():
        lines += [
            f"## {round_name}",
            "",
            "| page | path | req/s | p50 ms | p99 ms | unloaded p50 ms | unloaded p99 ms "
            "| floor req/s | × floor | queries | bytes | errors |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, r in data["pages"].items():
            lines.append(
                f"| {name} | `{r['path']}` | {r['rps']:.0f} | {r['p50_ms']} | {r['p99_ms']} | "
                f"{r['unloaded_p50_ms']} | {r['unloaded_p99_ms']} | "
                f"{r['floor_rps'] or r['rps']:.0f} | {r['ratio_to_floor']:.2f} | {r['queries']} | {r['bytes']:,} | {r['errors']} |"
            )
        lines += ["", f"Worker memory after the run (RSS, MB): {data['worker_rss_mb']}", ""]
        bare = data.get("bare_django")
        if bare:
            lines += [f"The floor (Newsroom's middleware stack) against a bare Django app "
                      f"(bench/bare_django.py), one right after the other: "
                      f"{bare['floor_rps']:.0f} against {bare['bare_django_rps']:.0f} req/s, "
                      f"**{bare['ratio']:.2f}**.", ""]
    hot = report.get("hot_story")
    if hot:
        lines += [
            "## A hot story",
            "",
            f"The lists a live story is on ({', '.join(f'`{p}`' for p in hot['paths'])}) "
            f"loaded in turn, quiet and while the story is saved every {hot['every']} s.",
            "",
            "| case | quiet req/s | quiet p99 ms | storm req/s | storm p99 ms | storm ÷ quiet "
            "| saves | errors |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for case, r in hot["cases"].items():
            q, s = r["quiet"], r["storm"]
            lines.append(f"| {case} | {q['rps']:.0f} | {q['p99_ms']} | {s['rps']:.0f} | "
                         f"{s['p99_ms']} | {r['ratio']:.2f} | {s['saves']} | "
                         f"{q['errors'] + s['errors']} |")
        lines.append("")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--unloaded-seconds", type=int, default=3,
                        help="seconds per page at 1 connection, after the loaded run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default=None,
                        help="default: postgres://postgres@127.0.0.1:5432/newsroom_bench_<N>")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--floor-seconds", type=int, default=5,
                        help="the floor is loaded again for this long right before each page, "
                             "and the page's ratio is to that run (0: to the first floor only)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="load each page (with its floor run) this many times and "
                             "report the run with the median ratio to the floor")
    parser.add_argument("--rounds", nargs="+", choices=[*ROUNDS, "hot"],
                        default=[*ROUNDS, "hot"],
                        help="which rounds to run (default: all); hot: the hot-story case")
    parser.add_argument("--hot-every", type=float, default=0.3,
                        help="seconds between two saves of the hot story (default 0.3)")
    parser.add_argument("--bare-django", action=argparse.BooleanOptionalAction, default=True,
                        help="compare the floor with a bare Django app (bench/bare_django.py) "
                             "at the start of each round (default: on)")
    parser.add_argument("--pages", nargs="+", metavar="PAGE",
                        help="load only these of bench_urls's pages (default: all), e.g. "
                             "api-list api-list-deep api-story api-story-ninjs")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = parser.parse_args()

    ensure_wrk()
    db_url = args.database_url or (
        f"postgres://postgres@127.0.0.1:5432/newsroom_bench_{args.articles}")
    ensure_database(db_url)
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-bench-"))
    env = {
        **os.environ,
        "NEWSROOM_ENV": "production",
        "SECRET_KEY": "benchmark-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": db_url,
        "REDIS_URL": args.redis_url,
        "SECURE_SSL_REDIRECT": "false",
        "SERVE_MEDIA": "true",
        "STATIC_ROOT": str(workdir / "static"),
        "NEWSROOM_BENCHMARK": "true",
        "LOG_LEVEL": "WARNING",
        # The content API's rate limit still runs (its cost is measured) but never refuses:
        # wrk is one client asking thousands of times a second.
        "NEWSROOM_API_ANON_RATE": "100000000/second",
    }
    log(f"database {db_url}")
    manage(env, "migrate", "--noinput", quiet=True)
    manage(env, "seed_newsroom", "--articles", str(args.articles))
    manage(env, "collectstatic", "--noinput", quiet=True)
    pages = page_urls(env)
    if args.pages:
        unknown = set(args.pages) - set(pages)
        if unknown:
            parser.error(f"no such page: {', '.join(sorted(unknown))} (pages: {', '.join(pages)})")
        pages = {name: path for name, path in pages.items() if name in args.pages}
    rotations = {"search": search_paths(pages["search"])} if "search" in pages else {}
    subprocess.run(["redis-cli", "-u", args.redis_url, "FLUSHDB"], check=False,
                   stdout=subprocess.DEVNULL)

    report = {
        "articles": args.articles, "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "workers": args.workers, "connections": args.connections, "seconds": args.seconds,
        "unloaded_seconds": args.unloaded_seconds, "search_queries": SEARCH_QUERIES,
        "cpus": os.cpu_count(), "rounds": {},
    }
    for name in args.rounds:
        if name == "hot":
            log("round: a hot story")
            report["hot_story"] = run_hot_story(env, pages, args)
            continue
        title, overrides = ROUNDS[name]
        log(f"round: {title}")
        report["rounds"][title] = run_server_round(
            {**env, **overrides}, pages, rotations, args, name,
            workdir=workdir if name == "nginx" else None)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{args.articles}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}"
    (out / f"{stem}.json").write_text(json.dumps(report, indent=2))
    table = markdown(report)
    (out / f"{stem}.md").write_text(table + "\n")
    print(table)
    log(f"written {out / stem}.json and .md")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
