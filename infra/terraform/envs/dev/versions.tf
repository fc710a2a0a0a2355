terraform {
  # 1.10 brings S3-native state locking (use_lockfile) and cross-variable validation.
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
    # Zips the freshness Lambda's code (modules/freshness).
    archive = {
      source  = "hashicorp/archive"
      version = "~> 2.7"
    }
  }

  # Partial configuration: `terraform init -backend-config=backend.hcl` supplies bucket, key,
  # region and locking for this environment.
  backend "s3" {}
}

provider "aws" {
  region              = var.aws_region
  allowed_account_ids = [var.aws_account_id]

  default_tags {
    tags = local.tags
  }
}
