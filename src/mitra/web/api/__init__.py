"""The JSON API under ``/api/v1``: thin routes over the services, pydantic models for OpenAPI."""
