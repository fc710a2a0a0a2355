"""Great Expectations as code: suites, the checkpoint that runs them, result types and Data Docs actions."""
