"""The deploy tool: bundle, plan, deployer, MWAA API client, smoke, deployment log and DORA."""
