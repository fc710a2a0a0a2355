"""The freshness Lambda: DataFreshness per table against its dbt SLA, every few minutes."""
