"""What the invoke path reads: each API's stages with their deployed routes, integrations,
authorizers and CORS, compiled once per change of the API (a cache of the store's documents)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lamina.proxy.cors import CorsPolicy
from lamina.services.apigatewayv2.routing import Router


@dataclass(slots=True)
class CompiledStage:
    name: str
    variables: dict[str, str]
    access_log: dict[str, Any] | None
    default_route_settings: dict[str, Any]
    route_settings: dict[str, dict[str, Any]]
    router: Router
    integrations: dict[str, dict[str, Any]]
    authorizers: dict[str, dict[str, Any]]
    cors: CorsPolicy | None

    def detailed_metrics(self, route_key: str) -> bool:
        settings = self.route_settings.get(route_key) or {}
        if "DetailedMetricsEnabled" in settings:
            return bool(settings["DetailedMetricsEnabled"])
        return bool(self.default_route_settings.get("DetailedMetricsEnabled"))


@dataclass(slots=True)
class CompiledApi:
    api_id: str
    account: str
    region: str
    stages: dict[str, CompiledStage] = field(default_factory=dict)

    @classmethod
    def of(cls, document: dict[str, Any]) -> CompiledApi:
        api = cls(document["api"]["ApiId"], document["account"], document["region"])
        for name, stage in document["stages"].items():
            deployment = document["deployments"].get(stage.get("DeploymentId") or "")
            if deployment is None:
                continue  # a stage with nothing deployed serves nothing
            taken = deployment["snapshot"]
            api.stages[name] = CompiledStage(
                name=name, variables=dict(stage.get("StageVariables") or {}),
                access_log=stage.get("AccessLogSettings"),
                default_route_settings=stage.get("DefaultRouteSettings") or {},
                route_settings=stage.get("RouteSettings") or {},
                router=Router(list(taken["routes"].values())),
                integrations=taken["integrations"], authorizers=taken["authorizers"],
                cors=CorsPolicy.of(taken.get("cors")))
        return api

    def stage_for(self, raw_path: str) -> tuple[CompiledStage, str, str] | None:
        """(stage, path within it, the stage's URL prefix): a named stage by its first segment,
        else the ``$default`` stage at the root."""
        first, _, rest = raw_path.lstrip("/").partition("/")
        stage = self.stages.get(first) if first and first != "$default" else None
        if stage is not None:
            return stage, "/" + rest, "/" + first
        default = self.stages.get("$default")
        return (default, raw_path, "") if default is not None else None
