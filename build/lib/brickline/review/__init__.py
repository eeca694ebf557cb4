"""Pull-request review: what a change does to the pipelines (diff of two synthesized
revisions) and what a Terraform plan will do (plan-report), in the pipeline's words."""
