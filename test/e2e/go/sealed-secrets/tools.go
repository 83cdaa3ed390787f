//go:build tools

// Package tools pins the upstream program this module builds, so `go mod tidy` keeps it.
package tools

import _ "github.com/bitnami-labs/sealed-secrets/cmd/controller"
