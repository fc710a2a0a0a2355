# terraform init -backend-config=backend.hcl
# The state bucket is created once per account, before the first init (docs/infrastructure.md).
bucket       = "dataops-dev-tfstate"
key          = "infra/terraform.tfstate"
region       = "ca-central-1"
encrypt      = true
use_lockfile = true
