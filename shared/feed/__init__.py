"""Change feed for provincial big-data platforms and other departments' systems.

Every service offers its own stream two ways (docs/FEED.md):

- **pull**: ``GET /<service>/v1/feed/events?after=<seq>`` pages through the stream by sequence;
- **push**: webhooks ops configure in ``<SERVICE>_FEED_SUBSCRIPTIONS``, delivered in signed
  batches at least once and in order by a periodic job (``FeedDelivery``).

State lives in JetStream (durable consumers, a key-value bucket for status), none in the database
except a session advisory lock that keeps one deliverer per subscription.
"""

# Kept light: shared.settings imports the subscription model from here. The router, the
# delivery job and the signing helpers are imported from their modules.
from shared.feed.config import FeedSubscription

__all__ = ["FeedSubscription"]
