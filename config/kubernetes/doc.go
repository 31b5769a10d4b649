// Package kubernetes holds briefbot's Kubernetes manifests (a kustomize
// base and the http and gateway overlays) and, in its tests, their
// validation: every overlay is rendered with kustomize and each manifest
// decoded strictly into the Kubernetes API types.
//
// It is a module of its own so that the Kubernetes libraries stay out of
// briefbot's; CI runs "cd config/kubernetes && go test ./...".
package kubernetes
