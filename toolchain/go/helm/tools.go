//go:build tools

// Package tools pins the helm and kubeconform main packages so `go mod tidy` keeps their dependencies.
package tools

import (
	_ "github.com/yannh/kubeconform/cmd/kubeconform"
	_ "helm.sh/helm/v3/cmd/helm"
)
