// Policy pack: `pulumi preview --policy-pack infra/policy`. Every policy is mandatory: a violation fails the preview.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("messaging-platform", { enforcementLevel: "mandatory", policies });
