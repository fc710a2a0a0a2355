# The two topics the settings name (sns.alerts_topic, sns.notifications_topic): alerts for
# failures a human must act on, notifications for run summaries. Both are KMS-encrypted.

data "aws_caller_identity" "current" {}

locals {
  topics = {
    alerts        = "${var.name_prefix}-alerts"
    notifications = "${var.name_prefix}-notifications"
  }

  subscriptions = merge(
    { for email in var.alert_emails : "alerts:${email}" => { topic = "alerts", email = email } },
    { for email in var.notification_emails : "notifications:${email}" => { topic = "notifications", email = email } },
  )
}

resource "aws_sns_topic" "this" {
  for_each = local.topics

  name              = each.value
  kms_master_key_id = var.kms_key_arn
  tags              = var.tags
}

# CloudWatch alarms and EventBridge rules of this account publish to the topics; nobody else.
data "aws_iam_policy_document" "topic" {
  for_each = aws_sns_topic.this

  statement {
    sid       = "AccountManagesTopic"
    actions   = ["sns:GetTopicAttributes", "sns:Publish", "sns:Subscribe", "sns:ListSubscriptionsByTopic"]
    resources = [each.value.arn]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  statement {
    sid       = "AlarmsAndRulesPublish"
    actions   = ["sns:Publish"]
    resources = [each.value.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com", "events.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sns:Publish"]
    resources = [each.value.arn]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sns_topic_policy" "this" {
  for_each = aws_sns_topic.this

  arn    = each.value.arn
  policy = data.aws_iam_policy_document.topic[each.key].json
}

resource "aws_sns_topic_subscription" "email" {
  for_each = local.subscriptions

  topic_arn = aws_sns_topic.this[each.value.topic].arn
  protocol  = "email"
  endpoint  = each.value.email
}
