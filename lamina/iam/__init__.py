"""Identities and the policy language (shared by the gateway and the services)."""
