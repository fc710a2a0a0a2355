"""The IAM evaluator the local check decides with follows AWS's evaluation logic, not moto's."""

from __future__ import annotations

import pytest

from tooling.local.iam_policy import decide, without_action

BUCKET = "arn:aws:s3:::dataops-local-artifacts"


def policy(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource, **extra) -> dict:
    return {"Sid": f"Allow{len(extra)}", "Effect": "Allow", "Action": action, "Resource": resource, **extra}


def test_an_explicit_deny_wins_over_any_allow():
    doc = policy(
        allow("s3:*", "*"), {"Sid": "No", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}
    )

    assert decide(doc, "s3:GetObject", f"{BUCKET}/k", {}).allowed
    assert not decide(doc, "s3:PutObject", f"{BUCKET}/k", {}).allowed
    assert decide(doc, "s3:PutObject", f"{BUCKET}/k", {}).statement == "No"


def test_nothing_granted_is_the_implicit_deny():
    assert (
        decide(
            policy(allow("sns:Publish", "arn:aws:sns:r:1:t")), "sns:Publish", "arn:aws:sns:r:1:u", {}
        ).statement
        == ""
    )


@pytest.mark.parametrize(
    ("pattern", "resource", "allowed"),
    [
        (f"{BUCKET}/*", f"{BUCKET}/a/b.json", True),
        (f"{BUCKET}/*", BUCKET, False),
        (f"{BUCKET}/dt=????-??-??.json", f"{BUCKET}/dt=2026-10-01.json", True),
        (f"{BUCKET}/DT=*", f"{BUCKET}/dt=1", False),  # resources are case-sensitive
    ],
)
def test_resource_wildcards(pattern, resource, allowed):
    assert decide(policy(allow("s3:GetObject", pattern)), "s3:GetObject", resource, {}).allowed is allowed


def test_actions_match_case_insensitively_and_by_wildcard():
    doc = policy(allow(["S3:get*"], "*"))

    assert decide(doc, "s3:GetObjectVersion", "x", {}).allowed
    assert not decide(doc, "s3:PutObject", "x", {}).allowed


def test_not_action_and_not_resource():
    doc = policy({"Effect": "Allow", "NotAction": "iam:*", "NotResource": f"{BUCKET}/secret/*"})

    assert decide(doc, "s3:GetObject", f"{BUCKET}/public", {}).allowed
    assert not decide(doc, "s3:GetObject", f"{BUCKET}/secret/x", {}).allowed
    assert not decide(doc, "iam:CreateUser", "*", {}).allowed


def test_a_condition_key_the_request_lacks_fails_the_positive_operators_only():
    equals = policy(
        allow("cloudwatch:PutMetricData", "*", Condition={"StringEquals": {"cloudwatch:namespace": "A"}})
    )
    not_equals = policy(allow("s3:GetObject", "*", Condition={"StringNotEquals": {"s3:prefix": "x"}}))
    if_exists = policy(allow("s3:GetObject", "*", Condition={"StringEqualsIfExists": {"s3:prefix": "x"}}))

    assert decide(equals, "cloudwatch:PutMetricData", "*", {"cloudwatch:namespace": "A"}).allowed
    assert not decide(equals, "cloudwatch:PutMetricData", "*", {"cloudwatch:namespace": "B"}).allowed
    assert not decide(equals, "cloudwatch:PutMetricData", "*", {}).allowed
    assert decide(not_equals, "s3:GetObject", "*", {}).allowed
    assert decide(if_exists, "s3:GetObject", "*", {}).allowed


def test_set_qualifiers_and_other_operators():
    all_values = policy(
        allow("s3:GetObject", "*", Condition={"ForAllValues:StringLike": {"k": ["a*", "b*"]}})
    )
    arn_like = policy(
        allow("sns:Publish", "*", Condition={"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:1:t"}})
    )
    boolean = policy(allow("s3:GetObject", "*", Condition={"Bool": {"aws:SecureTransport": "true"}}))
    null = policy(allow("s3:GetObject", "*", Condition={"Null": {"aws:TokenIssueTime": "true"}}))

    assert decide(all_values, "s3:GetObject", "*", {"k": ["ab", "bc"]}).allowed
    assert not decide(all_values, "s3:GetObject", "*", {"k": ["ab", "cd"]}).allowed
    assert decide(arn_like, "sns:Publish", "*", {"aws:SourceArn": "arn:aws:sns:ca-central-1:1:t"}).allowed
    assert not decide(boolean, "s3:GetObject", "*", {"aws:SecureTransport": "false"}).allowed
    assert decide(null, "s3:GetObject", "*", {}).allowed
    assert not decide(null, "s3:GetObject", "*", {"aws:TokenIssueTime": "now"}).allowed


def test_without_action_drops_the_action_and_any_statement_left_empty():
    doc = policy(allow(["s3:GetObject", "s3:PutObject"], "*"), allow(["s3:PutObject"], "x"))

    reduced = without_action(doc, "s3:putobject")

    assert reduced["Statement"] == [allow(["s3:GetObject"], "*")]
