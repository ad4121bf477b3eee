"""Policy evaluation cases taken from the IAM User Guide's examples.

Each case names the page it comes from; the policies are the documentation's,
the expected decisions are the ones the page states.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from lamina.iam.principal import Principal

ACCOUNT = "123456789012"
CARLOS = Principal(arn=f"arn:aws:iam::{ACCOUNT}:user/carlossalazar", account_id=ACCOUNT, kind="user",
                   name="carlossalazar", user_id="AIDACARLOS")
CARLOS_111 = Principal(arn="arn:aws:iam::111111111111:user/carlossalazar", account_id="111111111111", kind="user",
                       name="carlossalazar", user_id="AIDACARLOS111")
ROOT = Principal(arn=f"arn:aws:iam::{ACCOUNT}:root", account_id=ACCOUNT, kind="root", user_id=ACCOUNT)
SESSION = Principal(arn=f"arn:aws:sts::{ACCOUNT}:assumed-role/examplerole/examplerolesessionname",
                    account_id=ACCOUNT, kind="assumed-role", name="examplerole",
                    role_arn=f"arn:aws:iam::{ACCOUNT}:role/examplerole", user_id="AROAEXAMPLE:examplerolesessionname",
                    issued_at=1_700_000_000.0)


@dataclass
class Case:
    name: str  # the documentation page (and anchor) the case comes from
    principal: Principal
    action: str
    resource: str
    allowed: bool
    identity: list[dict[str, Any]] = field(default_factory=list)
    resource_policy: dict[str, Any] | None = None
    session: list[dict[str, Any]] | None = None
    boundary: dict[str, Any] | None = None
    context: dict[str, Any] = field(default_factory=dict)
    resource_account: str | None = None
    explicit: bool | None = None  # when denied: whether by a Deny statement


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


# reference_policies_evaluation-logic.html#policy-eval-basics: Carlos's identity policy and bucket policy.
CARLOS_POLICY = policy(
    {"Sid": "AllowS3ListRead", "Effect": "Allow",
     "Action": ["s3:GetBucketLocation", "s3:GetAccountPublicAccessBlock", "s3:ListAccessPoints",
                "s3:ListAllMyBuckets"], "Resource": "arn:aws:s3:::*"},
    {"Sid": "AllowS3Self", "Effect": "Allow", "Action": "s3:*",
     "Resource": ["arn:aws:s3:::carlossalazar/*", "arn:aws:s3:::carlossalazar"]},
    {"Sid": "DenyS3Logs", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::*log*"})
CARLOS_BUCKET = policy(
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/carlossalazar"}, "Action": "s3:*",
     "Resource": ["arn:aws:s3:::carlossalazar/*", "arn:aws:s3:::carlossalazar"]})
# reference_policies_evaluation-logic.html#AccessPolicyLanguage_Interplay
GET_LIST_NO_REPORTS = policy(
    {"Sid": "AllowGetList", "Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"},
    {"Sid": "DenyReports", "Effect": "Deny", "Action": "iam:*Report", "Resource": "*"})
# reference_policies_evaluation-logic-cross-account.html
CARLOS_111_POLICY = policy(
    {"Sid": "AllowS3ListRead", "Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"},
    {"Sid": "AllowS3ProductionObjectActions", "Effect": "Allow", "Action": "s3:*Object*",
     "Resource": "arn:aws:s3:::Production/*"},
    {"Sid": "DenyS3Logs", "Effect": "Deny", "Action": "s3:*",
     "Resource": ["arn:aws:s3:::*log*", "arn:aws:s3:::*log*/*"]})
PRODUCTION_BUCKET = policy(
    {"Effect": "Allow", "Action": ["s3:GetObject*", "s3:PutObject*", "s3:ReplicateObject", "s3:RestoreObject"],
     "Principal": {"AWS": "arn:aws:iam::111111111111:user/carlossalazar"}, "Resource": "arn:aws:s3:::Production/*"})
# reference_policies_multi-value-conditions.html
ONLY_THESE_ATTRIBUTES = policy(
    {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "arn:aws:dynamodb:*:*:table/Thread",
     "Condition": {"ForAllValues:StringEquals": {"dynamodb:Attributes": ["PostDateTime", "Message", "Tags"]}}})
NO_KEY_UPDATES = policy(
    {"Effect": "Deny", "Action": "dynamodb:PutItem", "Resource": "arn:aws:dynamodb:*:*:table/Thread",
     "Condition": {"ForAnyValue:StringEquals": {"dynamodb:Attributes": ["ID", "PostDateTime"]}}})
ALLOW_PUT = policy({"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "*"})
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/Thread"
# reference_policies_elements_condition_operators.html#Conditions_IfExists
INSTANCE_TYPES = policy(
    {"Sid": "RunInstance", "Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*",
     "Condition": {"StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}}})
INSTANCE_TYPES_NO_IFEXISTS = policy(
    {"Sid": "THISPOLICYDOESNOTWORK", "Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*",
     "Condition": {"StringLike": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}}})
# #Conditions_Null
NO_TEMPORARY_CREDENTIALS = policy(
    {"Action": "ec2:*", "Effect": "Allow", "Resource": "*", "Condition": {"Null": {"aws:TokenIssueTime": "true"}}})
# #Conditions_String, #Conditions_Boolean, #Conditions_IPAddress, #Conditions_Date
JOB_CATEGORY = policy(
    {"Effect": "Allow", "Action": "iam:*AccessKey*", "Resource": f"arn:aws:iam::{ACCOUNT}:user/*",
     "Condition": {"StringEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}}})
DENY_INSECURE = policy(
    {"Sid": "BooleanExample", "Action": "s3:*", "Effect": "Deny",
     "Resource": ["arn:aws:s3:::DOC-EXAMPLE-BUCKET", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"],
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
ALLOW_S3 = policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
FROM_RANGE = policy(
    {"Effect": "Allow", "Action": "iam:*AccessKey*", "Resource": f"arn:aws:iam::{ACCOUNT}:user/*",
     "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}})
MIXED_RANGES = policy(
    {"Effect": "Allow", "Action": "someservice:*", "Resource": "*",
     "Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]}}})
ISSUED_IN_2020 = policy(
    {"Effect": "Allow", "Action": "iam:*AccessKey*", "Resource": f"arn:aws:iam::{ACCOUNT}:user/*",
     "Condition": {"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}}})
# #Conditions_ARN: ArnLike matches component by component, StringLike across colons.
ARN_PATTERN = "arn:aws:someservice:*:111122223333:finance/*"
ARN_VALUE = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
# reference_policies_elements_notaction.html / notresource.html
ALL_BUT_IAM = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}
S3_EXCEPT_DELETE_BUCKET = {"Version": "2012-10-17",
                           "Statement": [{"Effect": "Allow", "NotAction": "s3:DeleteBucket", "Resource": "arn:aws:s3:::*"}]}
DENY_WITHOUT_MFA = policy(
    {"Sid": "DenyAllUsersNotUsingMFA", "Effect": "Deny", "NotAction": "iam:*", "Resource": "*",
     "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}})
HR_PAYROLL = {"Version": "2012-10-17", "Statement": {
    "Effect": "Deny", "Action": "s3:*",
    "NotResource": ["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"]}}
# reference_policies_variables.html
OWN_ACCESS_KEYS = policy({"Action": ["iam:*AccessKey*"], "Effect": "Allow",
                          "Resource": [f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"]})
HOME_FOLDER = policy(
    {"Action": ["s3:ListBucket"], "Effect": "Allow", "Resource": ["arn:aws:s3:::mybucket"],
     "Condition": {"StringLike": {"s3:prefix": ["${aws:username}/*"]}}},
    {"Action": ["s3:GetObject", "s3:PutObject"], "Effect": "Allow", "Resource": ["arn:aws:s3:::mybucket/${aws:username}/*"]})
TEAM_BUCKET = policy({"Effect": "Allow", "Action": "s3:*",
                      "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET-${aws:PrincipalTag/team, 'company-wide'}"})
# reference_policies_multi-value-conditions.html: negated operators with several values act as AND.
NOT_THESE_ACCOUNTS = policy(
    {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
     "Condition": {"StringNotEquals": {"aws:PrincipalAccount": ["123456789012", "444455556666"]}}})
# reference_policies_elements_notprincipal.html: Deny to all except Bob (his ARN and his account named).
EXCEPT_BOB = policy({"Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:iam::444455556666:user/Bob",
                                                                "arn:aws:iam::444455556666:root"]},
                     "Action": "s3:*", "Resource": ["arn:aws:s3:::BUCKETNAME", "arn:aws:s3:::BUCKETNAME/*"]})
BOB = Principal(arn="arn:aws:iam::444455556666:user/Bob", account_id="444455556666", kind="user", name="Bob")
ALICE_444 = Principal(arn="arn:aws:iam::444455556666:user/Alice", account_id="444455556666", kind="user",
                      name="Alice")

CASES: list[Case] = [
    Case("evaluation-logic#example: log bucket explicitly denied", CARLOS, "s3:PutObject",
         "arn:aws:s3:::carlossalazar-logs/file", False, [CARLOS_POLICY], CARLOS_BUCKET, explicit=True),
    Case("evaluation-logic#example: own bucket allowed", CARLOS, "s3:PutObject", "arn:aws:s3:::carlossalazar/file",
         True, [CARLOS_POLICY], CARLOS_BUCKET),
    Case("evaluation-logic#example: resource policy alone allows within the account", CARLOS, "s3:PutObject",
         "arn:aws:s3:::carlossalazar/file", True, [], CARLOS_BUCKET),
    Case("evaluation-logic#example: identity policy alone allows within the account", CARLOS, "s3:PutObject",
         "arn:aws:s3:::carlossalazar/file", True, [CARLOS_POLICY], None),
    Case("evaluation-logic#example: list buckets", CARLOS, "s3:ListAllMyBuckets", "arn:aws:s3:::anything", True,
         [CARLOS_POLICY]),
    Case("evaluation-logic#example: other bucket implicitly denied", CARLOS, "s3:PutObject",
         "arn:aws:s3:::someone-else/file", False, [CARLOS_POLICY], CARLOS_BUCKET, explicit=False),
    Case("evaluation-logic#Interplay: Get allowed", CARLOS, "iam:GetUser", "*", True, [GET_LIST_NO_REPORTS]),
    Case("evaluation-logic#Interplay: CreatePolicy implicitly denied", CARLOS, "iam:CreatePolicy", "*", False,
         [GET_LIST_NO_REPORTS], explicit=False),
    Case("evaluation-logic#Interplay: report explicitly denied despite another allow", CARLOS,
         "iam:GenerateCredentialReport", "*", False,
         [GET_LIST_NO_REPORTS, policy({"Effect": "Allow", "Action": "iam:GenerateCredentialReport", "Resource": "*"})],
         explicit=True),
    Case("evaluation-logic#Interplay: GetOrganizationsAccessReport denied", CARLOS, "iam:GetOrganizationsAccessReport",
         "*", False, [GET_LIST_NO_REPORTS], explicit=True),
    Case("evaluation-logic: root has full access", ROOT, "iam:DeleteRole", "*", True, []),
    Case("evaluation-logic: root is bound by an explicit deny in a resource policy", ROOT, "s3:GetObject",
         "arn:aws:s3:::b/k", False, [],
         policy({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}), explicit=True),
    Case("evaluation-logic: role session named directly by a resource policy", SESSION, "s3:GetObject",
         "arn:aws:s3:::b/k", True, [], policy({"Effect": "Allow", "Principal": {"AWS": SESSION.arn},
                                               "Action": "s3:GetObject", "Resource": "*"}), session=[]),
    Case("evaluation-logic: role ARN grant limited by a session policy", SESSION, "s3:GetObject", "arn:aws:s3:::b/k",
         False, [], policy({"Effect": "Allow", "Principal": {"AWS": SESSION.role_arn}, "Action": "s3:GetObject",
                            "Resource": "*"}),
         session=[policy({"Effect": "Allow", "Action": "sqs:*", "Resource": "*"})], explicit=False),
    Case("evaluation-logic: role ARN grant without session policy", SESSION, "s3:GetObject", "arn:aws:s3:::b/k",
         True, [], policy({"Effect": "Allow", "Principal": {"AWS": SESSION.role_arn}, "Action": "s3:GetObject",
                           "Resource": "*"})),
    Case("evaluation-logic: session policy intersects identity policy", SESSION, "s3:GetObject", "arn:aws:s3:::b/k",
         False, [ALLOW_S3], session=[policy({"Effect": "Allow", "Action": "sqs:*", "Resource": "*"})],
         explicit=False),
    Case("evaluation-logic: permissions boundary intersects identity policy", CARLOS, "s3:GetObject",
         "arn:aws:s3:::b/k", False, [ALLOW_S3], boundary=policy({"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}),
         explicit=False),
    Case("evaluation-logic: account principal only delegates to identity policies", CARLOS, "s3:GetObject",
         "arn:aws:s3:::b/k", False, [], policy({"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "s3:*",
                                                "Resource": "*"}), explicit=False),
    Case("cross-account: log bucket denied in the trusted account", CARLOS_111, "s3:PutObject",
         "arn:aws:s3:::Production-logs/f", False, [CARLOS_111_POLICY], None, resource_account="222222222222",
         explicit=True),
    Case("cross-account: both accounts allow", CARLOS_111, "s3:PutObject", "arn:aws:s3:::Production/f", True,
         [CARLOS_111_POLICY], PRODUCTION_BUCKET, resource_account="222222222222"),
    Case("cross-account: no resource policy", CARLOS_111, "s3:PutObject", "arn:aws:s3:::Production/f", False,
         [CARLOS_111_POLICY], None, resource_account="222222222222", explicit=False),
    Case("cross-account: resource policy without identity policy", CARLOS_111, "s3:PutObject",
         "arn:aws:s3:::Production/f", False, [], PRODUCTION_BUCKET, resource_account="222222222222", explicit=False),
    Case("cross-account: DeleteObject not granted by the bucket", CARLOS_111, "s3:DeleteObject",
         "arn:aws:s3:::Production/f", False, [CARLOS_111_POLICY], PRODUCTION_BUCKET, resource_account="222222222222"),
    Case("multi-value#ForAllValues: subset allowed", CARLOS, "dynamodb:GetItem", TABLE, True, [ONLY_THESE_ATTRIBUTES],
         context={"dynamodb:Attributes": ["Message", "Tags"]}),
    Case("multi-value#ForAllValues: UserName not listed", CARLOS, "dynamodb:GetItem", TABLE, False,
         [ONLY_THESE_ATTRIBUTES], context={"dynamodb:Attributes": ["PostDateTime", "UserName"]}),
    Case("multi-value#ForAllValues: true with no values in the request", CARLOS, "dynamodb:GetItem", TABLE, True,
         [ONLY_THESE_ATTRIBUTES]),
    Case("multi-value#ForAnyValue: PostDateTime update denied", CARLOS, "dynamodb:PutItem", TABLE, False,
         [NO_KEY_UPDATES, ALLOW_PUT], context={"dynamodb:Attributes": ["PostDateTime", "Message"]}, explicit=True),
    Case("multi-value#ForAnyValue: UserName only is not denied", CARLOS, "dynamodb:PutItem", TABLE, True,
         [NO_KEY_UPDATES, ALLOW_PUT], context={"dynamodb:Attributes": ["UserName"]}),
    Case("multi-value#ForAnyValue: false with no values", CARLOS, "dynamodb:PutItem", TABLE, True,
         [NO_KEY_UPDATES, ALLOW_PUT]),
    Case("multi-value: StringNotEquals with several values is an AND (other account denied)", CARLOS_111,
         "s3:GetObject", "arn:aws:s3:::b/k", False, [ALLOW_S3, NOT_THESE_ACCOUNTS], explicit=True),
    Case("multi-value: StringNotEquals with several values is an AND (listed account passes)", CARLOS,
         "s3:GetObject", "arn:aws:s3:::b/k", True, [ALLOW_S3, NOT_THESE_ACCOUNTS]),
    Case("condition-operators#IfExists: image without the key is allowed", CARLOS, "ec2:RunInstances", "*", True,
         [INSTANCE_TYPES]),
    Case("condition-operators#IfExists: t2 allowed", CARLOS, "ec2:RunInstances", "*", True, [INSTANCE_TYPES],
         context={"ec2:InstanceType": "t2.micro"}),
    Case("condition-operators#IfExists: c5 denied", CARLOS, "ec2:RunInstances", "*", False, [INSTANCE_TYPES],
         context={"ec2:InstanceType": "c5.large"}),
    Case("condition-operators#IfExists: without IfExists a missing key fails", CARLOS, "ec2:RunInstances", "*",
         False, [INSTANCE_TYPES_NO_IFEXISTS]),
    Case("condition-operators#Null: long-term keys allowed", CARLOS, "ec2:DescribeInstances", "*", True,
         [NO_TEMPORARY_CREDENTIALS]),
    Case("condition-operators#Null: temporary credentials denied", SESSION, "ec2:DescribeInstances", "*", False,
         [NO_TEMPORARY_CREDENTIALS]),
    Case("condition-operators#String: tagged admin", replace(CARLOS, tags={"job-category": "iamuser-admin"}),
         "iam:CreateAccessKey",
         f"arn:aws:iam::{ACCOUNT}:user/bob", True, [JOB_CATEGORY]),
    Case("condition-operators#String: user without the tag", CARLOS, "iam:CreateAccessKey",
         f"arn:aws:iam::{ACCOUNT}:user/bob", False, [JOB_CATEGORY]),
    Case("condition-operators#Boolean: plain HTTP denied", CARLOS, "s3:GetObject", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/k",
         False, [ALLOW_S3, DENY_INSECURE], context={"aws:SecureTransport": "false"}, explicit=True),
    Case("condition-operators#Boolean: HTTPS allowed", CARLOS, "s3:GetObject", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/k",
         True, [ALLOW_S3, DENY_INSECURE], context={"aws:SecureTransport": "true"}),
    Case("condition-operators#IPAddress: inside the range", CARLOS, "iam:ListAccessKeys",
         f"arn:aws:iam::{ACCOUNT}:user/carlossalazar", True, [FROM_RANGE], context={"aws:SourceIp": "203.0.113.7"}),
    Case("condition-operators#IPAddress: outside the range", CARLOS, "iam:ListAccessKeys",
         f"arn:aws:iam::{ACCOUNT}:user/carlossalazar", False, [FROM_RANGE], context={"aws:SourceIp": "198.51.100.7"}),
    Case("condition-operators#IPAddress: IPv6 range", CARLOS, "someservice:Do", "*", True, [MIXED_RANGES],
         context={"aws:SourceIp": "2001:db8:1234:5678::42"}),
    Case("condition-operators#Date: token issued in 2023", SESSION, "iam:ListAccessKeys",
         f"arn:aws:iam::{ACCOUNT}:user/x", True, [ISSUED_IN_2020]),
    Case("condition-operators#Date: long-term keys have no TokenIssueTime", CARLOS, "iam:ListAccessKeys",
         f"arn:aws:iam::{ACCOUNT}:user/x", False, [ISSUED_IN_2020]),
    Case("condition-operators#ARN: StringLike spans colons", CARLOS, "someservice:Do", "*", True,
         [policy({"Effect": "Allow", "Action": "someservice:*", "Resource": "*",
                  "Condition": {"StringLike": {"aws:SourceArn": ARN_PATTERN}}})], context={"aws:SourceArn": ARN_VALUE}),
    Case("condition-operators#ARN: ArnLike matches component by component", CARLOS, "someservice:Do", "*", False,
         [policy({"Effect": "Allow", "Action": "someservice:*", "Resource": "*",
                  "Condition": {"ArnLike": {"aws:SourceArn": ARN_PATTERN}}})], context={"aws:SourceArn": ARN_VALUE}),
    Case("notaction: everything but IAM", CARLOS, "sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:q", True,
         [ALL_BUT_IAM]),
    Case("notaction: IAM is not allowed", CARLOS, "iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/x", False,
         [ALL_BUT_IAM]),
    Case("notaction: all S3 but DeleteBucket", CARLOS, "s3:PutObject", "arn:aws:s3:::b/k", True,
         [S3_EXCEPT_DELETE_BUCKET]),
    Case("notaction: DeleteBucket is not allowed", CARLOS, "s3:DeleteBucket", "arn:aws:s3:::b", False,
         [S3_EXCEPT_DELETE_BUCKET]),
    Case("notaction: ListAllMyBuckets needs the * resource", CARLOS, "s3:ListAllMyBuckets", "*", False,
         [S3_EXCEPT_DELETE_BUCKET]),
    Case("notaction: non-IAM actions denied without MFA", SESSION, "s3:GetObject", "arn:aws:s3:::b/k", False,
         [ALLOW_S3, DENY_WITHOUT_MFA], explicit=True),
    Case("notaction: IfExists also denies long-term keys (no MFA key at all)", CARLOS, "s3:GetObject",
         "arn:aws:s3:::b/k", False, [ALLOW_S3, DENY_WITHOUT_MFA], explicit=True),
    Case("notaction: IAM actions are not denied by it", SESSION, "iam:ListUsers", "*", True,
         [policy({"Effect": "Allow", "Action": "iam:*", "Resource": "*"}), DENY_WITHOUT_MFA]),
    Case("notresource: payroll folder not denied", CARLOS, "s3:GetObject", "arn:aws:s3:::HRBucket/Payroll/x", True,
         [ALLOW_S3, HR_PAYROLL]),
    Case("notresource: everything else in S3 denied", CARLOS, "s3:GetObject", "arn:aws:s3:::HRBucket/Other/x", False,
         [ALLOW_S3, HR_PAYROLL], explicit=True),
    Case("notresource: other services are not affected", CARLOS, "sqs:SendMessage", "arn:aws:sqs:us-east-1:1:q", True,
         [policy({"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}), HR_PAYROLL]),
    Case("variables: own access keys", CARLOS, "iam:CreateAccessKey", CARLOS.arn, True, [OWN_ACCESS_KEYS]),
    Case("variables: someone else's access keys", CARLOS, "iam:CreateAccessKey", f"arn:aws:iam::{ACCOUNT}:user/David",
         False, [OWN_ACCESS_KEYS]),
    Case("variables: role sessions have no aws:username", SESSION, "iam:CreateAccessKey",
         f"arn:aws:iam::{ACCOUNT}:user/examplerole", False, [OWN_ACCESS_KEYS]),
    Case("variables: home folder objects", CARLOS, "s3:GetObject", "arn:aws:s3:::mybucket/carlossalazar/notes.txt",
         True, [HOME_FOLDER]),
    Case("variables: list own prefix", CARLOS, "s3:ListBucket", "arn:aws:s3:::mybucket", True, [HOME_FOLDER],
         context={"s3:prefix": "carlossalazar/photos"}),
    Case("variables: list another prefix", CARLOS, "s3:ListBucket", "arn:aws:s3:::mybucket", False, [HOME_FOLDER],
         context={"s3:prefix": "David/"}),
    Case("variables#default-values: untagged users get the company-wide bucket", CARLOS, "s3:GetObject",
         "arn:aws:s3:::DOC-EXAMPLE-BUCKET-company-wide", True, [TEAM_BUCKET]),
    Case("variables#default-values: untagged users do not get a team bucket", CARLOS, "s3:GetObject",
         "arn:aws:s3:::DOC-EXAMPLE-BUCKET-yellow", False, [TEAM_BUCKET]),
    Case("notprincipal: Bob (ARN and account named) is not denied", BOB, "s3:GetObject", "arn:aws:s3:::BUCKETNAME/k",
         True, [ALLOW_S3], EXCEPT_BOB),
    Case("notprincipal: everyone else in Bob's account is denied", ALICE_444, "s3:GetObject",
         "arn:aws:s3:::BUCKETNAME/k", False, [ALLOW_S3], EXCEPT_BOB, explicit=True),
]
