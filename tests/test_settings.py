"""Settings come from the environment; production refuses to start half-configured."""

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, env):
    base = {k: v for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "REDIS_URL",
                         "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env},
        capture_output=True, text=True, timeout=120,
    )


@pytest.fixture
def production_env(tmp_path):
    return {
        "NEWSROOM_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "news.example",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "NEWSROOM_VAR_DIR": str(tmp_path / "var"),
        "STATIC_ROOT": str(tmp_path / "static"),
    }


def test_production_settings_pass_check_deploy_with_no_warnings(production_env):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without_a_required_variable(production_env, missing):
    del production_env[missing]
    result = manage("check", env=production_env)
    assert result.returncode != 0
    assert f"{missing} must be set when NEWSROOM_ENV=production" in result.stderr


def test_development_generates_and_keeps_a_secret_key(tmp_path):
    env = {"NEWSROOM_VAR_DIR": str(tmp_path / "var"), "STATIC_ROOT": str(tmp_path / "static")}
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = manage("shell", "-c", code, env=env)
    second = manage("shell", "-c", code, env=env)
    assert first.returncode == 0, first.stderr
    key = (tmp_path / "var" / "secret_key").read_text()
    assert len(key) >= 50
    assert key in first.stdout and key in second.stdout


def test_a_key_another_process_wrote_first_is_the_key_everyone_uses(tmp_path, monkeypatch):
    # The moment that matters: another worker's key lands between this one's look (no file)
    # and its write. Its own key must not replace the one already in use.
    from newsroom.settings import _development_secret_key

    path = tmp_path / "var" / "secret_key"
    generate = secrets.token_urlsafe

    def rival_lands_first(n):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("the-rival-workers-key")
        return generate(n)

    monkeypatch.setattr(secrets, "token_urlsafe", rival_lands_first)
    assert _development_secret_key(path) == "the-rival-workers-key"
    assert path.read_text() == "the-rival-workers-key"
    assert not list(path.parent.glob("secret_key.*"))


def test_processes_starting_together_on_a_new_checkout_agree_on_one_key(tmp_path):
    # As gunicorn's workers do on a first start: each reads the settings at once.
    start = time.time() + 1.5
    code = ("import time, django.core.exceptions, dj_database_url, js_asset.js\n"
            f"while time.time() < {start}: pass\n"
            "import newsroom.settings as s; print(s.SECRET_KEY)")
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["NEWSROOM_VAR_DIR"] = str(tmp_path / "var")
    processes = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env,
                                  stdout=subprocess.PIPE, text=True) for _ in range(8)]
    keys = {process.communicate(timeout=60)[0].strip() for process in processes}
    assert keys == {(tmp_path / "var" / "secret_key").read_text()}
    assert not list((tmp_path / "var").glob("secret_key.*"))  # no key left half-chosen
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o777 == 0o600


def test_settings_read_the_environment(tmp_path):
    env = {
        "NEWSROOM_VAR_DIR": str(tmp_path / "var"), "STATIC_ROOT": str(tmp_path / "static"),
        "DEBUG": "true", "TIME_ZONE": "Europe/Berlin", "REDIS_URL": "redis://127.0.0.1:6379/3",
        "DATABASE_URL": "postgres://newsroom:pw@db.example:5432/herald",
        "MEDIA_ROOT": str(tmp_path / "uploads"),
    }
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.TIME_ZONE, s.USE_TZ, s.CACHES['default']['BACKEND'], "
        "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.MEDIA_ROOT)"
    )
    result = manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-7:] == [
        "True", "Europe/Berlin", "True", "newsroom.redis_cache.RedisCache",
        "newsroom.postgresql", "herald", str(tmp_path / "uploads"),
    ]


def test_prepared_statements_can_be_turned_off(tmp_path):
    # Behind a relay that cannot keep prepared statements: no query is prepared
    # (newsroom/postgresql/base.py's prepared_cursor then gives an ordinary cursor).
    code = ("from django.conf import settings as s; "
            "print(repr(s.DATABASES['default']['OPTIONS'].get('prepare_threshold', 'unset')))")
    base = {"NEWSROOM_VAR_DIR": str(tmp_path), "DATABASE_URL": "postgres://n:pw@db.example/h"}
    default = manage("shell", "-c", code, env=base)
    off = manage("shell", "-c", code, env={**base, "DATABASE_PREPARED_STATEMENTS": "false"})
    assert default.returncode == 0 and off.returncode == 0, default.stderr + off.stderr
    assert default.stdout.split()[-1] == "'unset'"
    assert off.stdout.split()[-1] == "None"


def test_debug_is_off_by_default():
    from django.conf import settings

    assert settings.DEBUG is False


def test_a_bad_boolean_is_a_clear_error(tmp_path):
    result = manage("check", env={"DEBUG": "maybe", "NEWSROOM_VAR_DIR": str(tmp_path)})
    assert "DEBUG must be a boolean" in result.stderr


def test_uploads_go_to_an_s3_bucket_when_one_is_configured(tmp_path):
    env = {"NEWSROOM_VAR_DIR": str(tmp_path / "var"), "STATIC_ROOT": str(tmp_path / "static"),
           "S3_BUCKET": "herald-media", "S3_ENDPOINT_URL": "http://127.0.0.1:9000",
           "S3_REGION": "us-east-1"}
    code = (
        "from django.core.files.storage import storages; d = storages['default']; from django.conf import "
        "settings as s; print(type(d).__name__, d.bucket_name, d.endpoint_url, s.SERVE_MEDIA)"
    )
    result = manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-4:] == [
        "S3Storage", "herald-media", "http://127.0.0.1:9000", "False"]


def test_uploads_stay_on_the_local_disk_by_default(tmp_path):
    env = {"NEWSROOM_VAR_DIR": str(tmp_path / "var"), "STATIC_ROOT": str(tmp_path / "static")}
    code = "from django.core.files.storage import storages; print(type(storages['default']).__name__)"
    assert manage("shell", "-c", code, env=env).stdout.split()[-1] == "FileSystemStorage"


@pytest.mark.django_db
def test_postgresql_pages_run_without_jit_or_parallel_workers():
    """Short page queries: compiling them or starting workers costs more than it saves."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner settings")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"


def test_sqlite_only_warns_of_nothing_it_cannot_do(tmp_path):
    """The listing indexes' INCLUDE column is PostgreSQL's; SQLite builds them without it,
    and `manage.py check --database default` stays quiet about that alone."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "NEWSROOM_ENV": "development"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--database", "default", "--fail-level",
         "WARNING"],
        cwd=Path(__file__).resolve().parent.parent, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
