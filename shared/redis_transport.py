"""Kombu's Redis transport, made to survive a Redis that went away while a task was unacknowledged.

When the broker connection drops, Celery closes the channel, and closing tries to put the channel's
unacknowledged messages back on their queue, through the very connection that is gone: kombu then
raises AttributeError and the worker stops for good ("Unrecoverable error"). Skipping that restore
loses nothing: the messages stay in Redis's unacked set for the visibility-timeout sweep, and the
producers re-send every event nobody confirmed (shared.confirmations).
"""

import logging
from typing import Any

import redis
from kombu.transport import redis as kombu_redis

log = logging.getLogger(__name__)


class QoS(kombu_redis.QoS):
    """Redis QoS whose restore-on-close gives up quietly when the broker is unreachable."""

    def restore_unacked_once(self, stderr: Any = None) -> None:
        """Restore unacknowledged messages unless the broker connection is gone."""
        try:
            super().restore_unacked_once(stderr)
        except (AttributeError, redis.RedisError, OSError) as error:
            log.warning(
                "broker gone: unacknowledged messages left for the visibility sweep",
                extra={"error": repr(error)[:200]},
            )

    def ack(self, delivery_tag: Any) -> None:
        """Acknowledge a message; one taken over a connection that has since closed is left to
        the visibility sweep and the producers' re-sends."""
        try:
            super().ack(delivery_tag)
        except AttributeError:
            log.warning("broker connection closed before a message could be acknowledged")

    def reject(self, delivery_tag: Any, requeue: bool = False) -> None:
        """Reject a message, unless its connection has since closed (as for `ack`)."""
        try:
            super().reject(delivery_tag, requeue=requeue)
        except AttributeError:
            log.warning("broker connection closed before a message could be rejected")


class Channel(kombu_redis.Channel):
    """Redis channel using the QoS above."""

    QoS = QoS


class Transport(kombu_redis.Transport):
    """Redis transport using the channel above (`broker_transport` in shared.celery_app)."""

    Channel = Channel
