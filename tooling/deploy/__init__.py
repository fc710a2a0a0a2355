"""The deploy tool: bundle, plan, deployer, MWAA API client, smoke, checks, deployment log, DORA."""
