"""lamina: a self-hosted serverless platform that speaks the AWS wire APIs."""

__version__ = "0.1.0"
