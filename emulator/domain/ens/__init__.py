"""The Event Notification Service (ENS): callbacks, subscriptions, SFMC-shaped event payloads and their
signed, retried delivery. Other channels publish through `EventNotifications.publish(mid, events)`."""

from .service import EnsDeps, EventNotifications

__all__ = ["EnsDeps", "EventNotifications"]
