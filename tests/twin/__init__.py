"""The workspace twin: runs synthesized jobs the way the Databricks Jobs service does."""

from twin.jobs import Scenario, Workspace

__all__ = ["Scenario", "Workspace"]
