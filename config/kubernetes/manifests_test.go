package kubernetes

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// render builds the kustomization in dir as "kubectl kustomize" would.
func render(t *testing.T, dir string) [][]byte {
	t.Helper()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	res, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	var docs [][]byte
	for _, r := range res.Resources() {
		b, err := r.MarshalJSON()
		if err != nil {
			t.Fatalf("%s: %v", r.CurId(), err)
		}
		docs = append(docs, b)
	}
	return docs
}

// objects holds one overlay's manifests, each decoded into its API type.
type objects struct {
	deployments  []appsv1.Deployment
	statefulSets []appsv1.StatefulSet
	services     []corev1.Service
	configMaps   []corev1.ConfigMap
	accounts     []corev1.ServiceAccount
	pdbs         []policyv1.PodDisruptionBudget
}

// decodeStrict decodes every manifest into its Kubernetes type, failing on
// any field the type does not have: a misspelt or misplaced key would
// otherwise be dropped silently by the API server's client.
func decodeStrict(t *testing.T, docs [][]byte) objects {
	t.Helper()
	var o objects
	for _, doc := range docs {
		var meta struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := json.Unmarshal(doc, &meta); err != nil {
			t.Fatal(err)
		}
		var target any
		switch meta.APIVersion + " " + meta.Kind {
		case "apps/v1 Deployment":
			o.deployments = append(o.deployments, appsv1.Deployment{})
			target = &o.deployments[len(o.deployments)-1]
		case "apps/v1 StatefulSet":
			o.statefulSets = append(o.statefulSets, appsv1.StatefulSet{})
			target = &o.statefulSets[len(o.statefulSets)-1]
		case "v1 Service":
			o.services = append(o.services, corev1.Service{})
			target = &o.services[len(o.services)-1]
		case "v1 ConfigMap":
			o.configMaps = append(o.configMaps, corev1.ConfigMap{})
			target = &o.configMaps[len(o.configMaps)-1]
		case "v1 ServiceAccount":
			o.accounts = append(o.accounts, corev1.ServiceAccount{})
			target = &o.accounts[len(o.accounts)-1]
		case "policy/v1 PodDisruptionBudget":
			o.pdbs = append(o.pdbs, policyv1.PodDisruptionBudget{})
			target = &o.pdbs[len(o.pdbs)-1]
		default:
			t.Fatalf("manifest of unexpected kind %s %s: add it to decodeStrict", meta.APIVersion, meta.Kind)
		}
		if err := strictUnmarshal(doc, target); err != nil {
			t.Errorf("%s: %v\n%s", meta.Kind, err, doc)
		}
	}
	return o
}

// strictUnmarshal decodes doc as the API server does in strict mode:
// field names match exactly (encoding/json would take "clusterIp" for
// "clusterIP"), and unknown or repeated fields are errors.
func strictUnmarshal(doc []byte, v any) error {
	strict, err := kjson.UnmarshalStrict(doc, v)
	if err != nil {
		return err
	}
	return errors.Join(strict...)
}

func TestStrictUnmarshalRefusesWhatKubernetesWould(t *testing.T) {
	for _, doc := range []string{
		`{"apiVersion":"v1","kind":"Service","metadata":{"name":"x"},"spec":{"clusterIp":"None"}}`,
		`{"apiVersion":"v1","kind":"Service","metadata":{"name":"x"},"spec":{"ports":[{"port":80,"targetport":"http"}]}}`,
		`{"apiVersion":"v1","kind":"Service","metadata":{"name":"x","labels":{}},"spec":{},"status":{},"extra":1}`,
	} {
		var svc corev1.Service
		if err := strictUnmarshal([]byte(doc), &svc); err == nil {
			t.Errorf("decoded without error: %s", doc)
		}
	}
}

func TestHTTPOverlay(t *testing.T) {
	o := decodeStrict(t, render(t, "overlays/http"))
	if len(o.deployments) != 1 || len(o.services) != 1 || len(o.pdbs) != 1 || len(o.statefulSets) != 0 {
		t.Fatalf("want one Deployment, Service and PodDisruptionBudget, got %d, %d, %d (and %d StatefulSets)",
			len(o.deployments), len(o.services), len(o.pdbs), len(o.statefulSets))
	}
	d := o.deployments[0]
	if d.Spec.Replicas == nil || *d.Spec.Replicas < 2 {
		t.Error("the Deployment should run several replicas")
	}
	if min := o.pdbs[0].Spec.MinAvailable; min == nil || min.IntValue() >= int(*d.Spec.Replicas) {
		t.Errorf("the PodDisruptionBudget (minAvailable %v) must let one of %d replicas go", min, *d.Spec.Replicas)
	}
	selects(t, "Service", o.services[0].Spec.Selector, d.Spec.Template.Labels)
	selects(t, "PodDisruptionBudget", o.pdbs[0].Spec.Selector.MatchLabels, d.Spec.Template.Labels)
	checkPod(t, d.Spec.Template.Spec, o.configMaps)
	env := botEnv(t, d.Spec.Template.Spec, o.configMaps)
	if env["BRIEFBOT_SLACK_MODE"] != "http" {
		t.Errorf("BRIEFBOT_SLACK_MODE = %q, want http", env["BRIEFBOT_SLACK_MODE"])
	}
}

func TestGatewayOverlay(t *testing.T) {
	o := decodeStrict(t, render(t, "overlays/gateway"))
	if len(o.statefulSets) != 1 || len(o.services) != 1 || len(o.deployments) != 0 {
		t.Fatalf("want one StatefulSet and one Service, got %d and %d (and %d Deployments)", len(o.statefulSets), len(o.services), len(o.deployments))
	}
	s, svc := o.statefulSets[0], o.services[0]
	if svc.Spec.ClusterIP != corev1.ClusterIPNone || s.Spec.ServiceName != svc.Name {
		t.Errorf("the StatefulSet's service %q must be the headless Service %q (clusterIP %q)", s.Spec.ServiceName, svc.Name, svc.Spec.ClusterIP)
	}
	selects(t, "Service", svc.Spec.Selector, s.Spec.Template.Labels)
	checkPod(t, s.Spec.Template.Spec, o.configMaps)
	env := botEnv(t, s.Spec.Template.Spec, o.configMaps)
	if got, want := env["BRIEFBOT_DISCORD_SHARD_COUNT"], fmt.Sprint(*s.Spec.Replicas); got != want {
		t.Errorf("BRIEFBOT_DISCORD_SHARD_COUNT = %q, want the StatefulSet's %s replicas", got, want)
	}
	shard := container(t, s.Spec.Template.Spec, "briefbot").Env
	i := slices.IndexFunc(shard, func(e corev1.EnvVar) bool { return e.Name == "BRIEFBOT_DISCORD_SHARD_ID" })
	if i < 0 || shard[i].ValueFrom == nil || shard[i].ValueFrom.FieldRef == nil ||
		shard[i].ValueFrom.FieldRef.FieldPath != "metadata.labels['apps.kubernetes.io/pod-index']" {
		t.Error("BRIEFBOT_DISCORD_SHARD_ID must come from the pod's ordinal (the apps.kubernetes.io/pod-index label)")
	}
}

func selects(t *testing.T, what string, selector, labels map[string]string) {
	t.Helper()
	if len(selector) == 0 {
		t.Errorf("%s selects everything", what)
	}
	for k, v := range selector {
		if labels[k] != v {
			t.Errorf("%s selects %s=%s, which the pods do not carry (%v)", what, k, v, labels)
		}
	}
}

func container(t *testing.T, pod corev1.PodSpec, name string) corev1.Container {
	t.Helper()
	for _, c := range pod.Containers {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no container %q", name)
	return corev1.Container{}
}

// botEnv is the briefbot container's environment: its ConfigMaps and its
// plain values.
func botEnv(t *testing.T, pod corev1.PodSpec, cms []corev1.ConfigMap) map[string]string {
	t.Helper()
	env := map[string]string{}
	c := container(t, pod, "briefbot")
	for _, from := range c.EnvFrom {
		if from.ConfigMapRef == nil {
			continue
		}
		i := slices.IndexFunc(cms, func(cm corev1.ConfigMap) bool { return cm.Name == from.ConfigMapRef.Name })
		if i < 0 {
			t.Fatalf("container briefbot reads ConfigMap %q, which is not rendered", from.ConfigMapRef.Name)
		}
		for k, v := range cms[i].Data {
			env[k] = v
		}
	}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	return env
}

// checkPod holds what every briefbot pod needs: probes on the endpoints
// serve has, a locked-down security context, resources, secrets mounted
// as files and named by *_FILE variables, and briefings from git-sync.
func checkPod(t *testing.T, pod corev1.PodSpec, cms []corev1.ConfigMap) {
	t.Helper()
	sc := pod.SecurityContext
	if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.SeccompProfile == nil {
		t.Error("the pod must run as non-root with a seccomp profile")
	}
	if pod.AutomountServiceAccountToken != nil && *pod.AutomountServiceAccountToken {
		t.Error("briefbot does not talk to the Kubernetes API: do not mount a token")
	}
	for _, c := range append(slices.Clone(pod.InitContainers), pod.Containers...) {
		s := c.SecurityContext
		if s == nil || s.AllowPrivilegeEscalation == nil || *s.AllowPrivilegeEscalation ||
			s.ReadOnlyRootFilesystem == nil || !*s.ReadOnlyRootFilesystem || s.Capabilities == nil || !slices.Contains(s.Capabilities.Drop, "ALL") {
			t.Errorf("container %s: securityContext must forbid escalation, drop ALL capabilities and mount / read-only", c.Name)
		}
		if c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
			t.Errorf("container %s: set memory requests and limits", c.Name)
		}
	}
	bot := container(t, pod, "briefbot")
	for name, p := range map[string]*corev1.Probe{"readiness": bot.ReadinessProbe, "liveness": bot.LivenessProbe, "startup": bot.StartupProbe} {
		if p == nil || p.HTTPGet == nil {
			t.Errorf("briefbot has no HTTP %s probe", name)
			continue
		}
		want := "/healthz"
		if name == "readiness" {
			want = "/readyz"
		}
		if p.HTTPGet.Path != want {
			t.Errorf("%s probe on %s, want %s", name, p.HTTPGet.Path, want)
		}
	}
	env := botEnv(t, pod, cms)
	mounts := map[string]string{}
	for _, m := range bot.VolumeMounts {
		mounts[m.Name] = m.MountPath
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		volumes[v.Name] = v
	}
	secretFiles := 0
	for k, v := range env {
		if !strings.HasSuffix(k, "_FILE") {
			continue
		}
		secretFiles++
		dir := v[:strings.LastIndexByte(v, '/')]
		found := false
		for name, path := range mounts {
			if path == dir && volumes[name].Secret != nil {
				found = true
			}
		}
		if !found {
			t.Errorf("%s=%s is not in a mounted Secret", k, v)
		}
	}
	if secretFiles == 0 {
		t.Error("no secret is read from a file")
	}
	for k := range env {
		for _, secret := range []string{"TOKEN", "SECRET", "STORE_URL"} {
			if strings.HasSuffix(k, secret) {
				t.Errorf("%s is a secret in plain environment: use %s_FILE", k, k)
			}
		}
	}
	briefings := env["BRIEFBOT_BRIEFINGS_DIR"]
	if !strings.HasPrefix(briefings, mounts["briefings"]+"/") || volumes["briefings"].EmptyDir == nil {
		t.Errorf("BRIEFBOT_BRIEFINGS_DIR=%s must be inside the briefings volume (%s)", briefings, mounts["briefings"])
	}
	sync := container(t, pod, "git-sync")
	if !slices.ContainsFunc(sync.VolumeMounts, func(m corev1.VolumeMount) bool { return m.Name == "briefings" && !m.ReadOnly }) {
		t.Error("git-sync must write the briefings volume")
	}
	if !slices.ContainsFunc(pod.InitContainers, func(c corev1.Container) bool { return slices.Contains(c.Args, "--one-time") }) {
		t.Error("no initial git-sync: briefbot would start without briefings")
	}
}
