"""KMS's wire protocol: JSON 1.1 requests and answers, validated against botocore's model."""
