"""Read what an SNS topic received, over HTTP, through a throwaway SQS queue.

The same way on the emulator and on AWS, so end-to-end tests and `make run` can show the alerts
and summaries a run sent. A test helper: it never ships to MWAA.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from include.dataops.observability.notify import SnsMessage
from include.dataops.settings import Settings


class TopicCapture:
    """Collect what an SNS topic receives while open, through a throwaway SQS queue.

    with TopicCapture(settings, settings.alerts_topic_arn) as alerts:
        ...  # run something that publishes
        messages = alerts.wait_for(1)
    """

    def __init__(self, settings: Settings, topic_arn: str) -> None:
        self.settings = settings
        self.topic_arn = topic_arn
        self.queue_name = f"capture-{uuid.uuid4().hex[:16]}"
        self._queue_url = ""
        self._subscription_arn = ""
        self._received: list[SnsMessage] = []

    def __enter__(self) -> TopicCapture:
        sqs, sns = self._client("sqs"), self._client("sns")
        self._queue_url = sqs.create_queue(QueueName=self.queue_name)["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=self._queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        self._subscription_arn = sns.subscribe(TopicArn=self.topic_arn, Protocol="sqs", Endpoint=queue_arn)[
            "SubscriptionArn"
        ]
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._subscription_arn:
            self._client("sns").unsubscribe(SubscriptionArn=self._subscription_arn)
        if self._queue_url:
            self._client("sqs").delete_queue(QueueUrl=self._queue_url)

    def wait_for(
        self,
        count: int = 1,
        timeout_seconds: int = 10,
        subject_contains: str = "",
        message_contains: str = "",
    ) -> list[SnsMessage]:
        """Every message received so far whose subject contains `subject_contains` and whose body
        `message_contains`, waiting up to the timeout for at least `count` of them. Other publishers
        share the topic: the emulator's topics serve every test worker's runs at once, so a test
        expecting its own page filters by what only its page holds (its run id)."""
        import time

        sqs = self._client("sqs")
        deadline = time.monotonic() + timeout_seconds
        while True:
            response = sqs.receive_message(
                QueueUrl=self._queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
            )
            for raw in response.get("Messages", []):
                envelope = json.loads(raw["Body"])
                self._received.append(SnsMessage(envelope.get("Subject") or "", envelope.get("Message", "")))
                sqs.delete_message(QueueUrl=self._queue_url, ReceiptHandle=raw["ReceiptHandle"])
            matching = [
                m for m in self._received if subject_contains in m.subject and message_contains in m.message
            ]
            if len(matching) >= count or time.monotonic() >= deadline:
                return matching

    def _client(self, service: str) -> Any:
        from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook

        return AwsBaseHook(
            aws_conn_id=self.settings.aws_conn_id, client_type=service, region_name=self.settings.aws_region
        ).get_conn()
