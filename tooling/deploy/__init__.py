"""The deploy tool: CLI, release checks, bundle, plan, deployer, MWAA API client, smoke, log, notice."""
