// The Pulumi project's name (Pulumi.yaml `name`): the prefix of every stack config key (`messaging-platform:kafka`).
export const pulumiProject = "messaging-platform";
