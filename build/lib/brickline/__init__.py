"""brickline: pipeline YAML to Terraform for Databricks, through CDK for Terraform."""

__version__ = "0.1.0"
