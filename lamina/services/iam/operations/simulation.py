"""SimulatePrincipalPolicy and SimulateCustomPolicy: the evaluator that guards every request, asked
directly (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_testing-policies.html).

Decisions are "allowed", "explicitDeny" or "implicitDeny"; which statements matched is not
reported (MatchedStatements stays empty).
"""

from __future__ import annotations

from typing import Any

from lamina.iam.context import Context, principal_keys
from lamina.iam.document import PolicyKind
from lamina.iam.evaluation import Decision, Policies, Request, evaluate
from lamina.iam.principal import Principal
from lamina.iam.statement import CompiledPolicy, compile_document
from lamina.services.context import CallContext
from lamina.services.iam import documents
from lamina.services.iam.directory import user_principal
from lamina.services.iam.errors import InvalidInputException, NoSuchEntityException
from lamina.services.iam.listing import page
from lamina.services.iam.operations.base import IamBase
from lamina.services.provider import Params, Result


def _compiled(texts: list[str] | None, kind: PolicyKind = PolicyKind.IDENTITY) -> list[CompiledPolicy]:
    return [compile_document(documents.checked(t, kind)) for t in texts or ()]


def _context(entries: list[dict[str, Any]] | None) -> Context:
    context: Context = {}
    for entry in entries or ():
        values = tuple(entry.get("ContextKeyValues") or ())
        list_type = str(entry.get("ContextKeyType", "")).endswith("List")
        context[entry["ContextKeyName"].lower()] = values if list_type else (values[0] if values else "")
    return context


def _result(action: str, resource: str, decision: Decision) -> dict[str, Any]:
    verdict = "allowed" if decision.allowed else ("explicitDeny" if decision.explicit else "implicitDeny")
    return {"EvalActionName": action, "EvalResourceName": resource, "EvalDecision": verdict,
            "MatchedStatements": [], "MissingContextValues": []}


class SimulationOperations(IamBase):
    async def _simulate(self, who: Principal, identity: list[CompiledPolicy], params: Params,
                        boundary: CompiledPolicy | None = None) -> Result:
        boundaries = _compiled(params.get("PermissionsBoundaryPolicyInputList"))
        resource_text = params.get("ResourcePolicy")
        resource = _compiled([resource_text], PolicyKind.RESOURCE)[0] if resource_text else None
        policies = Policies(identity=identity, resource=resource,
                            boundary=boundaries[0] if boundaries else boundary)
        context = {**principal_keys(who), **_context(params.get("ContextEntries"))}
        owner = params.get("ResourceOwner", "").split(":")[4] if params.get("ResourceOwner", "").count(":") >= 4 else None
        results = []
        for action in params["ActionNames"]:
            for arn in params.get("ResourceArns") or ["*"]:
                decision = evaluate(Request(who, action, arn, context, owner), policies)
                results.append(_result(action, arn, decision))
        return page(results, params.get("Marker"), params.get("MaxItems"), "EvaluationResults")

    async def simulate_principal_policy(self, ctx: CallContext, params: Params) -> Result:
        source = params["PolicySourceArn"]
        kind, _, name = source.split(":", 5)[-1].partition("/")
        name = name.rsplit("/", 1)[-1]
        extra = _compiled(params.get("PolicyInputList"))
        if kind == "user":
            user = await self.user(ctx, name)
            who = user_principal(user, ctx.account_id)
            mine = await self.directory.policies_for(who)
            return await self._simulate(who, [*mine.identity, *extra], params, mine.boundary)
        if kind == "role":
            role = await self.role(ctx, name)
            who = Principal(arn=f"arn:aws:sts::{ctx.account_id}:assumed-role/{role['RoleName']}/simulation",
                            account_id=ctx.account_id, kind="assumed-role", name=role["RoleName"],
                            role_arn=role["Arn"], user_id=f"{role['RoleId']}:simulation")
            mine = await self.directory.policies_for(who)
            return await self._simulate(who, [*mine.identity, *extra], params, mine.boundary)
        if kind == "group":
            group = await self.group(ctx, name)
            texts = list((group.get("InlinePolicies") or {}).values())
            for arn in group.get("AttachedPolicies") or ():
                text = await self.directory.default_document(arn)
                if text:
                    texts.append(text)
            who = Principal(arn=group["Arn"], account_id=ctx.account_id, kind="user", name=group["GroupName"])
            return await self._simulate(who, [*_compiled(texts), *extra], params)
        raise NoSuchEntityException(f"The entity {source} cannot be found.")

    async def simulate_custom_policy(self, ctx: CallContext, params: Params) -> Result:
        caller = params.get("CallerArn")
        if caller and ":user/" not in caller:
            raise InvalidInputException("CallerArn must be the ARN of an IAM user.")
        name = caller.rsplit("/", 1)[-1] if caller else "simulated-user"
        who = Principal(arn=caller or f"arn:aws:iam::{ctx.account_id}:user/{name}", account_id=ctx.account_id,
                        kind="user", name=name)
        return await self._simulate(who, _compiled(params["PolicyInputList"]), params)
