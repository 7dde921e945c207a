// The label the isolate fault puts on a broker pod. The charts' NetworkPolicies select only pods without it
// (charts/*/templates/_helpers.tpl, notIsolated), so an isolated pod is selected by the fault's deny-all policy alone:
// NetworkPolicies add up, and the charts' allow rules would otherwise keep admitting its peers and clients.
export const isolatedPodLabel = "messaging-platform.io/isolated";
