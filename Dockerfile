# The Telegram answer bot: `python bot.py`, as a non-root user, on a read-only root filesystem.
#
#   docker build -t tgbot-jerks .
#   docker run -d --name tgbot --read-only --stop-timeout 30 \
#       -e TELEGRAM_BOT_TOKEN -e OPERATOR_IDS=123456789 \
#       -v tgbot-data:/data tgbot-jerks
#
# The token comes only from the environment at run time: it is never baked into the image
# (.dockerignore keeps any .env file out of the build). Statistics and group settings live on
# the /data volume, the only place the bot writes. The curated content is baked in at
# /app/content; mount your own over it (-v ./content:/app/content:ro) or point CONTENT_DIR
# elsewhere to change answers without rebuilding.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
# The extras the image can run: webhook mode and the operators' charts. `--build-arg EXTRAS=`
# builds a polling-only image without matplotlib (about 150 MB smaller).
ARG EXTRAS=webhook,charts

# --- build: a wheel of the package, so the runtime image holds no sources or build tools ---
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# README.m[d]: the glob lets the build go on while the README is still being written.
COPY pyproject.toml constraints.txt README.m[d] ./
COPY tgbot ./tgbot
# content/ goes into the wheel too (as tgbot/_content), so the package starts on its own.
COPY content ./content
RUN pip wheel --no-deps --wheel-dir /wheels . && cp constraints.txt /wheels/

# --- runtime ---------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}

# PYTHONDONTWRITEBYTECODE: no .pyc writes on a read-only filesystem.
# PYTHONUNBUFFERED: log lines reach `docker logs` at once.
# HOME and TMPDIR point into /data, the one writable place (SQLite and tempfile use TMPDIR).
# CONTENT_DIR: the installed package cannot find content next to itself, so say where it is.
# WEBHOOK_LISTEN: loopback by default. The webhook server speaks plain HTTP and must only be
# reached through the TLS proxy: run the proxy in this container's network namespace
# (--network container:tgbot), or opt in with -e WEBHOOK_LISTEN=0.0.0.0 on a private Docker
# network and publish nothing (or only -p 127.0.0.1:8443:8443). See README, "Webhook mode".
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOME=/data \
    TMPDIR=/data \
    CONTENT_DIR=/app/content \
    STATS_DB_PATH=/data/stats.sqlite3 \
    BOT_MODE=polling \
    WEBHOOK_LISTEN=127.0.0.1 \
    WEBHOOK_PORT=8443

# A fixed uid/gid, so a bind-mounted /data can be chowned to it on the host (10001:10001).
RUN groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid bot --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin bot \
    && mkdir -p /data /app \
    && chown bot:bot /data

# The package and its runtime dependencies only (no test or dev extras), at the exact versions
# CI tested (constraints.txt).
ARG EXTRAS
COPY --from=build /wheels /wheels
RUN wheel="$(echo /wheels/*.whl)" \
    && pip install -c /wheels/constraints.txt "${wheel}${EXTRAS:+[$EXTRAS]}" \
    && rm -rf /wheels

WORKDIR /app
# Owned by root and read-only to the bot: the bot never rewrites its own code or content.
COPY bot.py ./
COPY content ./content

USER bot:bot
# A named volume starts as a copy of this directory, owned by the bot user.
VOLUME ["/data"]
# Used only in webhook mode (BOT_MODE=webhook with WEBHOOK_URL and WEBHOOK_SECRET); documents
# the port, publishes nothing.
EXPOSE 8443

# Polling mode serves no HTTP, so there is nothing to probe and the check passes; in webhook
# mode the bot's own /healthz must answer.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; os.environ.get('BOT_MODE', 'polling') != 'webhook' or urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('WEBHOOK_PORT', '8443'), timeout=4)"]

# Exec form: python is PID 1 and gets SIGTERM from `docker stop`, so the bot flushes its
# statistics and exits cleanly (python-telegram-bot handles the signal).
CMD ["python", "bot.py"]
