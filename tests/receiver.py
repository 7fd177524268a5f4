"""A real local webhook receiver for tests: records every POST, fails the first attempts on demand."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field

from aiohttp import web

from .feedserver import serve


@dataclass
class Delivery:
    body: bytes
    headers: dict[str, str]
    status: int


@dataclass
class Receiver:
    fail_first: int = 0  # answer 500 to the first N attempts of each alert id
    status: int = 200  # the answer after that
    delay: float = 0.0
    retry_after: str | None = None
    deliveries: list[Delivery] = field(default_factory=list)
    _attempts: Counter[str] = field(default_factory=Counter)
    _runner: web.AppRunner | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def accepted(self) -> list[Delivery]:
        return [d for d in self.deliveries if 200 <= d.status < 300]

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        alert_id = request.headers.get("X-Claimwatch-Alert-Id", "")
        self._attempts[alert_id] += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        status = 500 if self._attempts[alert_id] <= self.fail_first else self.status
        self.deliveries.append(Delivery(body, dict(request.headers), status))
        headers = {"Retry-After": self.retry_after} if self.retry_after and status >= 400 else None
        return web.Response(status=status, text="ok" if status < 300 else "no", headers=headers)

    async def __aenter__(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self._runner, self.port = await serve(app)
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
