"""Webhook delivery against a real local receiver: signature, retries with backoff, giving up."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from streams.sinks.webhook import SIGNATURE_HEADER, DeliveryFailed, WebhookConfig, WebhookSender, sign, verify
from tests.receiver import Receiver

SECRET = "s3cret"
BODY = b'{"alert_id": "alert-1"}'


class Sleeps(list):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def sender(receiver: Receiver, sleeps: Sleeps, **config) -> WebhookSender:
    return WebhookSender(WebhookConfig(url=receiver.url, secret=SECRET, **{"backoff_initial": 1.0, **config}),
                         sleep=sleeps)


def test_the_signature_is_hmac_sha256_of_the_body():
    expected = "sha256=" + hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, BODY) == expected
    assert verify(SECRET, BODY, expected) and not verify(SECRET, BODY + b" ", expected) and not verify(SECRET, BODY, None)


def test_the_secret_is_never_in_the_config_repr():
    assert SECRET not in repr(WebhookConfig(url="http://x", secret=SECRET))


async def test_delivers_signed_json_with_the_alert_id():
    async with Receiver() as receiver:
        async with sender(receiver, Sleeps()) as hook:
            assert await hook.deliver(BODY, "alert-1") == 1
    (delivery,) = receiver.deliveries
    assert delivery.body == BODY and delivery.headers["Content-Type"] == "application/json"
    assert verify(SECRET, delivery.body, delivery.headers[SIGNATURE_HEADER])
    assert delivery.headers["X-Claimwatch-Alert-Id"] == "alert-1" and delivery.headers["X-Claimwatch-Delivery"] == "1"


async def test_failures_are_retried_with_exponential_backoff():
    sleeps = Sleeps()
    async with Receiver(fail_first=3) as receiver:
        async with sender(receiver, sleeps) as hook:
            assert await hook.deliver(BODY, "alert-1") == 4
    assert sleeps == [1.0, 2.0, 4.0]
    assert [d.headers["X-Claimwatch-Delivery"] for d in receiver.deliveries] == ["1", "2", "3", "4"]
    assert all(verify(SECRET, d.body, d.headers[SIGNATURE_HEADER]) for d in receiver.deliveries)


async def test_gives_up_after_max_attempts():
    sleeps = Sleeps()
    async with Receiver(status=503) as receiver:
        async with sender(receiver, sleeps, max_attempts=3, backoff_max=1.5) as hook:
            with pytest.raises(DeliveryFailed) as caught:
                await hook.deliver(BODY, "alert-1")
    assert caught.value.attempts == 3 and "HTTP 503 after 3 attempts" in caught.value.reason
    assert sleeps == [1.0, 1.5]  # capped


@pytest.mark.parametrize("status", [400, 401, 404, 410, 422])
async def test_a_client_error_is_not_retried(status):
    async with Receiver(status=status) as receiver:
        async with sender(receiver, Sleeps()) as hook:
            with pytest.raises(DeliveryFailed, match="not retried"):
                await hook.deliver(BODY, "alert-1")
    assert len(receiver.deliveries) == 1


async def test_429_retry_after_is_honoured_up_to_the_cap():
    sleeps = Sleeps()
    async with Receiver(status=429, retry_after="30") as receiver:
        async with sender(receiver, sleeps, max_attempts=3, backoff_max=20.0) as hook:
            with pytest.raises(DeliveryFailed):
                await hook.deliver(BODY, "alert-1")
    assert sleeps == [20.0, 20.0]


async def test_a_slow_or_absent_receiver_is_retried():
    sleeps = Sleeps()
    async with Receiver(delay=1.0) as receiver:
        async with sender(receiver, sleeps, timeout=0.2, max_attempts=2) as hook:
            with pytest.raises(DeliveryFailed, match="no answer within 0.2 s"):
                await hook.deliver(BODY, "alert-1")
    async with sender(Receiver(port=1), sleeps, max_attempts=2) as hook:  # nothing listens on port 1
        with pytest.raises(DeliveryFailed, match="after 2 attempts"):
            await hook.deliver(BODY, "alert-1")


async def test_a_stop_interrupts_the_backoff_wait():
    import asyncio

    from streams.sinks.webhook import Stopping, sleep_unless

    stop = asyncio.Event()
    async with Receiver(status=503) as receiver:
        async with WebhookSender(WebhookConfig(url=receiver.url, secret=SECRET, backoff_initial=30.0),
                                 sleep=sleep_unless(stop)) as hook:
            task = asyncio.create_task(hook.deliver(BODY, "alert-1"))
            while not receiver.deliveries:
                await asyncio.sleep(0.01)
            started = asyncio.get_running_loop().time()
            stop.set()
            with pytest.raises(Stopping):
                await asyncio.wait_for(task, 5)
    assert asyncio.get_running_loop().time() - started < 1.0 and len(receiver.deliveries) == 1
    await sleep_unless(asyncio.Event())(0.01)  # a wait that is not stopped just returns
