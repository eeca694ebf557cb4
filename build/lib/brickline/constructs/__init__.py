"""cdktf constructs that turn a StackPlan into Terraform resources."""
