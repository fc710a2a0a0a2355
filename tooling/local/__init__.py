"""The local stack: the AWS emulator, `make run`, sample data, the local Glue runner and test helpers."""
