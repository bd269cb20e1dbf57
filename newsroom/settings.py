"""Newsroom settings: one module, read from the environment.

Every setting has a safe default for a developer's machine. ``NEWSROOM_ENV=production``
switches on the production rules: a missing ``SECRET_KEY``, ``ALLOWED_HOSTS`` or
``DATABASE_URL`` stops the process at start-up instead of running half-configured, and
the HTTPS/cookie hardening that ``manage.py check --deploy`` asks for is on.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from js_asset.js import static_lazy

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("NEWSROOM_VAR_DIR", BASE_DIR / "var"))


def env(name, default=None):
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name, default=False):
    value = env(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {value!r}.")


def env_list(name, default=()):
    value = env(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name, default):
    value = env(name)
    try:
        return default if value is None else int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


NEWSROOM_ENV = env("NEWSROOM_ENV", "development")
if NEWSROOM_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("NEWSROOM_ENV must be development or production.")
PRODUCTION = NEWSROOM_ENV == "production"


def required(name):
    """A variable production cannot run without; development gets None."""
    value = env(name)
    if PRODUCTION and value is None:
        raise ImproperlyConfigured(f"{name} must be set when NEWSROOM_ENV=production.")
    return value


def _development_secret_key(path):
    # A key generated once per checkout and kept under var/, so that sessions and
    # signed preview links survive a restart without a secret living in the repo.
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    # On a new checkout several processes may get here at once (each of gunicorn's workers
    # reads the settings): the first key to land is everyone's, or a session one worker
    # signs is "corrupted" to the next. A link never replaces a file, and a reader never
    # sees one half written.
    path.parent.mkdir(parents=True, exist_ok=True)
    candidate = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(8)}")
    descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_urlsafe(50))
    try:
        os.link(candidate, path)
    except FileExistsError:
        pass
    finally:
        candidate.unlink()
    return path.read_text().strip()


SECRET_KEY = required("SECRET_KEY") or _development_secret_key(VAR_DIR / "secret_key")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") if PRODUCTION else env_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", ".localhost", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when NEWSROOM_ENV=production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # django.contrib.admin, whose site keeps every search within bounds (newsroom/admin_site.py).
    "newsroom.admin_site.NewsroomAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_filters",
    # Login throttling: failed logins per account and per address, lockouts in the admin.
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_prose_editor",
    "taggit",
    "people",
    "articles",
]

# The body editor's pictures come from the library: our own Image extension keeps the
# picture's id (``data-image-id``) and a Credit mark keeps the credit in a figure's caption;
# without them the editor would drop both on the next save (articles/admin/editor.py).
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "js": [static_lazy("articles/admin/library_image.js")],
        "extensions": {
            "Image": "articles.admin.editor.library_image_allowlist",
            "Credit": "articles.admin.editor.credit_allowlist",
        },
    },
]

MIDDLEWARE = [
    # An upload larger than Newsroom accepts is refused before its body is read.
    "newsroom.limits.RequestSizeLimitMiddleware",
    # Readers without a session are served cached pages before anything else runs: one
    # round trip to Redis (articles/caching/pages.py). Everyone else goes on through the stack.
    "articles.caching.pages.PageCacheMiddleware",
    # newsroom.middleware's classes are Django's, answering exactly as Django's do, made
    # cheap for every request (newsroom/middleware.py).
    "newsroom.middleware.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETag on every page, and 304 Not Modified for a repeat request.
    "newsroom.middleware.ConditionalGetMiddleware",
    # Cache-Control and surrogate keys for browsers and a CDN.
    "articles.caching.headers.HttpCacheHeadersMiddleware",
    "newsroom.middleware.SessionMiddleware",
    "newsroom.middleware.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "newsroom.middleware.AuthenticationMiddleware",
    "newsroom.middleware.MessageMiddleware",
    "newsroom.middleware.XFrameOptionsMiddleware",
    "articles.reading.middleware.PublicationMiddleware",
    # Answers a login refused for too many failures with the lockout page (last, as axes asks).
    "axes.middleware.AxesMiddleware",
]
# Django's deploy checks look for its security, clickjacking and session middleware by
# name, and would find them missing: newsroom/middleware.py runs those checks for its
# subclasses, and reports what they find under its own ids (newsroom.W001 and so on).
SILENCED_SYSTEM_CHECKS = ["security.W001", "security.W002", "security.W010", "security.W011",
                          "security.W012", "security.W013", "security.W014", "security.W015"]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.reading.context_processors.publication",
            ],
            # {% url %} with each address reversed once per process (newsroom/addresses.py).
            "builtins": ["newsroom.url_tag"],
        },
    },
]

# Widgets render through TEMPLATES, so the project's templates/ can add form widgets.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: SQLite in var/ unless DATABASE_URL says otherwise
# (e.g. postgres://user:password@127.0.0.1:5432/newsroom).
DATABASES = {
    "default": dj_database_url.parse(
        required("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'newsroom.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60 if PRODUCTION else 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's, with a health check that needs no round trip (newsroom/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "newsroom.postgresql"
    # Pages run short queries. PostgreSQL's JIT compiler can spend far longer compiling
    # one than running it (measured: 480 ms of 600 on an "In Other News" query), and
    # starting parallel workers costs a page more than they save while taking cores from
    # the requests beside it (In Other News at a million stories: 33 ms in parallel, 22
    # without; the sitemap index's scan of every month takes 250 ms either way).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", "-c jit=off -c max_parallel_workers_per_gather=0"
    )
    # Pages' fixed queries are prepared statements, each planned once per connection
    # (newsroom/postgresql/base.py); a relay that cannot keep them (pgbouncer's transaction
    # pooling before 1.21) needs them off, and then every query is planned for its values.
    if not env_bool("DATABASE_PREPARED_STATEMENTS", True):
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets readers go on while an editor saves.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # The listing indexes carry the embargo time as a non-key column for PostgreSQL's
    # index-only scans; SQLite builds them without it, which is all this warning says.
    SILENCED_SYSTEM_CHECKS.append("models.W040")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (e.g. redis://127.0.0.1:6379/0). Without it, files under
# var/cache/: every gunicorn worker of the machine shares them, so the workers agree on a
# feed's ETag, on which publication a host is and on what changed when (a per-process
# memory cache gave each worker its own answers). A network of servers needs Redis.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "newsroom.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "newsroom"),
            # Redis is a cache, not a dependency (newsroom/redis_cache.py): a connection
            # or a reply taking longer than this is a failure, and the site goes on
            # without the cache, asking again after half a second, then less and less
            # often, up to every REDIS_RETRY_SECONDS.
            "OPTIONS": {
                "socket_connect_timeout": env_int("REDIS_CONNECT_TIMEOUT_MS", 50) / 1000,
                "socket_timeout": env_int("REDIS_TIMEOUT_MS", 100) / 1000,
                "retry_after": env_int("REDIS_RETRY_SECONDS", 3),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env("NEWSROOM_FILE_CACHE_DIR", str(VAR_DIR / "cache")),
            # Culling forgets entries at random; generations it forgets are treated as new
            # (articles/caching), so this only bounds the disk the cache takes.
            "OPTIONS": {"MAX_ENTRIES": env_int("NEWSROOM_FILE_CACHE_ENTRIES", 20_000)},
        }
    }

# Login throttling (django-axes, kept in the database so it works whatever the cache does).
# After NEWSROOM_LOGIN_FAILURE_LIMIT wrong passwords for one account, or from one address,
# further logins for it are refused for NEWSROOM_LOGIN_COOLOFF_MINUTES (each new try while
# locked starts the wait again); a successful login clears the count. Lockouts are listed
# in the admin under "Axes" (Access attempts), where an admin can also lift one.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("NEWSROOM_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("NEWSROOM_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "newsroom.client_ip.client_ip"
# How many proxies of ours stand before the application (each adds the address it saw
# to X-Forwarded-For). 0: none, the connection's address is the client's. Never more than
# there are: a client could then choose its own address and escape per-address throttling.
NEWSROOM_PROXY_COUNT = env_int("NEWSROOM_PROXY_COUNT", 0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: times are stored in UTC and shown in the newsroom's own zone.
LANGUAGE_CODE = env("LANGUAGE_CODE", "en-us")
TIME_ZONE = env("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

# Static files are served by WhiteNoise (compressed, cache-busting names);
# uploads go to MEDIA_ROOT.
STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env("MEDIA_ROOT", BASE_DIR / "media"))
# Without a front server for uploads (a developer's machine, the demo), Django serves them.
SERVE_MEDIA = env_bool("SERVE_MEDIA", not PRODUCTION and not env("S3_BUCKET"))
# Uploads live on the local disk unless an S3-compatible bucket is configured
# (AWS S3, MinIO, Cloudflare R2, …), through django-storages.
S3_BUCKET = env("S3_BUCKET")
if S3_BUCKET:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env("S3_ENDPOINT_URL"),
            "region_name": env("S3_REGION"),
            "access_key": env("S3_ACCESS_KEY_ID"),
            "secret_key": env("S3_SECRET_ACCESS_KEY"),
            "custom_domain": env("S3_CUSTOM_DOMAIN"),
            "default_acl": None,
            "querystring_auth": env_bool("S3_QUERYSTRING_AUTH", False),
            "file_overwrite": False,
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    # Production serves collected, compressed files with content-hashed names; elsewhere
    # WhiteNoise finds files in the apps directly, so nothing needs collecting first.
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760

# Email: printed to the console unless an SMTP host is configured.
EMAIL_HOST = env("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "newsroom@localhost")

# Security. Production sits behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Failed logins and lockouts are warnings; every successful login is not news.
        "axes": {"level": env("AXES_LOG_LEVEL", "WARNING")},
    },
}

# Newsroom's own settings.
NEWSROOM_NAME = env("NEWSROOM_NAME", "Newsroom")
# Admin searches (the list search box and autocompletes) read at most this many words and
# characters: each word becomes a condition on every search field.
NEWSROOM_ADMIN_SEARCH_MAX_TERMS = env_int("NEWSROOM_ADMIN_SEARCH_MAX_TERMS", 10)
NEWSROOM_ADMIN_SEARCH_MAX_CHARS = env_int("NEWSROOM_ADMIN_SEARCH_MAX_CHARS", 200)
# Upload limits for images (bytes and pixels). Pillow refuses larger images before
# decoding them, so a decompression bomb costs no memory.
NEWSROOM_IMAGE_MAX_BYTES = env_int("NEWSROOM_IMAGE_MAX_BYTES", 20 * 1024 * 1024)
NEWSROOM_IMAGE_MAX_PIXELS = env_int("NEWSROOM_IMAGE_MAX_PIXELS", 40_000_000)
# The largest request body read at all: the largest image and the form around it. Keep
# nginx's client_max_body_size in step (newsroom/deploy/nginx.conf).
NEWSROOM_REQUEST_MAX_BYTES = env_int("NEWSROOM_REQUEST_MAX_BYTES",
                                     NEWSROOM_IMAGE_MAX_BYTES + 1024 * 1024)
# The longest story body accepted, in bytes of HTML (UTF-8). A longer one is refused with
# a form error (or, in an import, reported and skipped): cleaning and rendering a body take
# time in proportion to its size. 1 MiB is well over 100,000 words of prose.
NEWSROOM_BODY_MAX_BYTES = env_int("NEWSROOM_BODY_MAX_BYTES", 1024 * 1024)
NEWSROOM_DEMO_PASSWORD = env("NEWSROOM_DEMO_PASSWORD", "newsroom-demo")
# The longest an import may spend fetching one picture over HTTP, redirects included, in
# seconds (each read also times out after 15 s of silence).
NEWSROOM_FETCH_SECONDS = env_int("NEWSROOM_FETCH_SECONDS", 60)
# Stories in each RSS/Atom feed (at most 200, whatever this says).
NEWSROOM_FEED_ITEMS = env_int("NEWSROOM_FEED_ITEMS", 50)
# Addresses per sitemap page (the protocol allows 50,000).
NEWSROOM_SITEMAP_LIMIT = env_int("NEWSROOM_SITEMAP_LIMIT", 10_000)

# Caching. Whole pages are cached for anonymous readers in the shared cache (Redis), and
# invalidated the moment a story changes (articles/caching/pages.py). Without Redis each process
# would keep its own copy and miss others' invalidations, so the page cache is off unless
# REDIS_URL is set (or NEWSROOM_PAGE_CACHE says otherwise).
NEWSROOM_PAGE_CACHE = env_bool("NEWSROOM_PAGE_CACHE", bool(REDIS_URL))
NEWSROOM_PAGE_CACHE_ALIAS = "default"
NEWSROOM_PAGE_CACHE_SECONDS = env_int("NEWSROOM_PAGE_CACHE_SECONDS", 600)
# After a save (never after an unpublish or a deletion), readers keep getting the page as it
# was for at most this long while one request builds it again: a story saved every few
# seconds does not make every reader rebuild every list at once. 0: rebuilt by all at once.
NEWSROOM_PAGE_CACHE_STALE_SECONDS = env_int("NEWSROOM_PAGE_CACHE_STALE_SECONDS", 2)
# Pages for nginx: a folder where the page cache also writes each current page for readers
# without a session, which newsroom/deploy/nginx.conf serves without reaching Python
# (articles/caching/page_files.py). Empty: off. Set it for every process of the machine
# (gunicorn, the worker, management commands): each change removes the files it outdates.
NEWSROOM_PAGE_FILES_DIR = env("NEWSROOM_PAGE_FILES_DIR", "")
# The longest a page file is kept (Python writes it again from the cache when next asked).
NEWSROOM_PAGE_FILES_SECONDS = env_int("NEWSROOM_PAGE_FILES_SECONDS", 30)
# How long the cache is trusted before its journal of refreshes it may have missed (Redis
# out of reach) is looked at again: the longest a page can miss a change after Redis comes
# back from an outage nobody else noticed (articles/caching/journal.py). Whole seconds.
NEWSROOM_CACHE_JOURNAL_SECONDS = max(1, env_int("NEWSROOM_CACHE_JOURNAL_SECONDS", 1))
# Parts of pages (a story's text, its "In Other News" list) are cached apart, under the
# same keys, so a page that must be built reuses what has not changed (articles/caching/fragments.py).
NEWSROOM_FRAGMENT_CACHE = env_bool("NEWSROOM_FRAGMENT_CACHE", bool(REDIS_URL))
NEWSROOM_FRAGMENT_CACHE_SECONDS = env_int("NEWSROOM_FRAGMENT_CACHE_SECONDS", 24 * 3600)
# What a CDN and browsers are told (Cache-Control); see docs/caching.md.
NEWSROOM_CDN_CACHE_SECONDS = env_int("NEWSROOM_CDN_CACHE_SECONDS", 300)
# Browsers revalidate every time (a cheap 304 with the ETag), so a reader never sees an old copy.
NEWSROOM_BROWSER_CACHE_SECONDS = env_int("NEWSROOM_BROWSER_CACHE_SECONDS", 0)
NEWSROOM_STALE_WHILE_REVALIDATE_SECONDS = env_int("NEWSROOM_STALE_WHILE_REVALIDATE_SECONDS", 60)
# Dotted path of a function called with the surrogate keys to purge from a CDN.
NEWSROOM_PURGE_HOOK = env("NEWSROOM_PURGE_HOOK", "")
NEWSROOM_UNCACHED_PREFIXES = ("/admin/", "/preview/", "/media/", "/static/", "/_bench/")

# Benchmark mode (bench/run.py): a constant "floor" view at /_bench/floor/ and a query
# count header on every response. Off everywhere else.
NEWSROOM_BENCHMARK = env_bool("NEWSROOM_BENCHMARK", False)
if NEWSROOM_BENCHMARK:
    MIDDLEWARE.insert(0, "newsroom.benchmark.QueryCountMiddleware")
# How long a shared preview link for an unpublished story works, in hours.
NEWSROOM_PREVIEW_HOURS = env_int("NEWSROOM_PREVIEW_HOURS", 48)

# The address of a publication without a domain of its own (a single-site install), for
# the links machines are sent, e.g. in webhooks: https://news.example.
NEWSROOM_SITE_URL = env("NEWSROOM_SITE_URL", "http://localhost:8000")
# Webhook endpoints must be on the public internet (newsroom/outbound.py). Addresses listed
# here are accepted anyway; only tests set it (to 127.0.0.1), so it is not read from the
# environment.
NEWSROOM_WEBHOOK_ALLOWED_ADDRESSES = ()

# The read-only content API (articles/api/, docs/api.md). Anyone may read it, within a rate
# per client address; a partner's API key (made in the admin) carries its own rate.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["articles.api.access.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": ["articles.api.access.ClientRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Newsroom content API",
    "DESCRIPTION": "Read-only: the public stories, sections, tags, people and corrections "
    "of the masthead whose host you ask. See docs/api.md.",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # What may be left out is said by each field (``fields=`` may leave out any of a
    # resource's own), not assumed from its being read-only.
    "COMPONENT_NO_READ_ONLY_REQUIRED": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "articles.api.schema.add_error_responses"],
}
# Requests a client address may make each minute without a key (a key has its own rate).
NEWSROOM_API_ANON_RATE = env("NEWSROOM_API_ANON_RATE", "120/minute")
# Trust X-Forwarded-For for the client's address only behind a front that sets it (the
# nginx front in newsroom/deploy/nginx.conf does): otherwise anyone could claim any address
# and escape the rate limit. The number of proxies in front of gunicorn.
NEWSROOM_API_TRUSTED_PROXIES = env_int("NEWSROOM_API_TRUSTED_PROXIES", 0)
REST_FRAMEWORK["NUM_PROXIES"] = NEWSROOM_API_TRUSTED_PROXIES
