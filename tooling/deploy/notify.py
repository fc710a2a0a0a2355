"""The deploy tool's one SNS message: a deployment's outcome on the notifications topic."""

from __future__ import annotations

from typing import Any


def notify(sns: Any, topic_arn: str, subject: str, message: str) -> None:
    """Announce a deployment on the notifications topic; SNS refuses subjects over 100 characters."""
    sns.publish(TopicArn=topic_arn, Subject=subject[:100], Message=message)
