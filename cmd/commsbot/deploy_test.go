package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// Docker and a cluster are not available here, so this test parses the
// deployment files and checks the essentials against the code: probe paths
// answer on a real `serve`, ports and environment variable names match.

func readYAML(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var docs []map[string]any
	dec := yaml.NewDecoder(f)
	for {
		var d map[string]any
		if err := dec.Decode(&d); err != nil {
			if err.Error() == "EOF" {
				break
			}
			t.Fatalf("%s: %v", path, err)
		}
		docs = append(docs, d)
	}
	return docs
}

// dig walks nested maps and lists: dig(x, "spec", "template", 0).
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func knownEnv(name string) bool {
	return slices.ContainsFunc(envVars, func(e struct{ Name, Default, Help string }) bool { return e.Name == name })
}

// manifest is one Kubernetes object and the file it came from.
type manifest struct {
	file string
	doc  map[string]any
}

func (m manifest) kind() string { return fmt.Sprint(m.doc["kind"]) }
func (m manifest) name() string { return fmt.Sprint(dig(m.doc, "metadata", "name")) }

// k8sDir is what `kubectl apply -k` and `kubectl apply -f` read.
const k8sDir = "../../deploy/k8s"

// kustomized reads deploy/k8s/kustomization.yaml and the objects of the
// files its resources list, which is what `kubectl apply -k deploy/k8s/`
// applies.
func kustomized(t *testing.T) (kust map[string]any, objs []manifest) {
	t.Helper()
	docs := readYAML(t, filepath.Join(k8sDir, "kustomization.yaml"))
	if len(docs) != 1 {
		t.Fatalf("kustomization.yaml: %d documents", len(docs))
	}
	kust = docs[0]
	res, _ := kust["resources"].([]any)
	if len(res) == 0 {
		t.Fatal("kustomization.yaml lists no resources")
	}
	for _, r := range res {
		f := filepath.Join(k8sDir, fmt.Sprint(r))
		for _, d := range readYAML(t, f) {
			if d != nil {
				objs = append(objs, manifest{f, d})
			}
		}
	}
	return kust, objs
}

// object is the only object of kind (and name, unless ""), or fails.
func object(t *testing.T, objs []manifest, kind, name string) map[string]any {
	t.Helper()
	var found []map[string]any
	for _, o := range objs {
		if o.kind() == kind && (name == "" || o.name() == name) {
			found = append(found, o.doc)
		}
	}
	if len(found) != 1 {
		t.Fatalf("deploy/k8s: %d %s named %q, want 1", len(found), kind, name)
	}
	return found[0]
}

// labelsMatch reports whether selector (matchLabels) selects labels.
func labelsMatch(selector, labels any) bool {
	sel, _ := selector.(map[string]any)
	l, _ := labels.(map[string]any)
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if l[k] != v {
			return false
		}
	}
	return true
}

func TestDeployKubernetesManifests(t *testing.T) {
	_, objs := kustomized(t)
	dep := object(t, objs, "Deployment", "commsbot")
	object(t, objs, "Service", "commsbot")
	pdb := object(t, objs, "PodDisruptionBudget", "")
	if r := dig(dep, "spec", "replicas"); r != 3 {
		t.Errorf("replicas = %v, want 3", r)
	}
	c := dig(dep, "spec", "template", "spec", "containers", 0)
	if dig(c, "securityContext", "readOnlyRootFilesystem") != true || dig(c, "securityContext", "allowPrivilegeEscalation") != false {
		t.Error("container must have a read-only root filesystem and no privilege escalation")
	}
	if dig(dep, "spec", "template", "spec", "securityContext", "runAsNonRoot") != true {
		t.Error("pod must run as non-root")
	}
	if dig(c, "resources", "limits", "memory") == nil || dig(c, "resources", "requests", "cpu") == nil {
		t.Error("container needs resource requests and limits")
	}
	port := dig(c, "ports", 0, "containerPort")
	var addr string
	for _, e := range dig(c, "env").([]any) {
		name := fmt.Sprint(dig(e, "name"))
		if !knownEnv(name) {
			t.Errorf("deployment sets %s, which commsbot does not read", name)
		}
		if name == "COMMSBOT_ADDR" {
			addr = fmt.Sprint(dig(e, "value"))
		}
	}
	if addr != fmt.Sprintf(":%v", port) {
		t.Errorf("COMMSBOT_ADDR %q does not match containerPort %v", addr, port)
	}

	// The probes' paths answer on a real server.
	paths := []string{fmt.Sprint(dig(c, "livenessProbe", "httpGet", "path")), fmt.Sprint(dig(c, "readinessProbe", "httpGet", "path"))}
	base := startServe(t, map[string]string{"COMMSBOT_NO_PLATFORM": "on"})
	for _, p := range paths {
		resp, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("probe %s: status %d", p, resp.StatusCode)
		}
	}
	if sel, tmpl := dig(pdb, "spec", "selector", "matchLabels"), dig(dep, "spec", "template", "metadata", "labels"); fmt.Sprint(sel) != fmt.Sprint(tmpl) {
		t.Errorf("PodDisruptionBudget selects %v, pods are labelled %v", sel, tmpl)
	}
}

// k8sSetInDeployment are the variables the Deployment sets itself; every
// other variable commsbot reads comes from the Secret, except
// k8sPerProcess, which one Secret shared by all replicas cannot give.
var (
	k8sSetInDeployment = []string{"COMMSBOT_ADDR", "COMMSBOT_REPLICA", "LOG_LEVEL"}
	k8sPerProcess      = []string{"DISCORD_SHARD_ID", "DISCORD_SHARD_COUNT"}
	// composeOwn are set by the compose file to its own port and Redis.
	composeOwn = []string{"COMMSBOT_ADDR", "REDIS_URL", "REDIS_SENTINEL_MASTER", "REDIS_SENTINEL_ADDRS", "REDIS_CLUSTER_ADDRS", "REDIS_PASSWORD"}
	// platformVars are those without which no platform connects (the
	// issue's list); they must stay among envVars.
	platformVars = []string{"SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "DISCORD_BOT_TOKEN", "DISCORD_APP_ID", "DISCORD_PUBLIC_KEY"}
)

// TestDeployPassesEveryVariable is issue 11's first problem: the
// deployments passed only REDIS_URL and ATIP_COORDINATORS, so a deployment
// connected to no platform. Every variable commsbot reads must now reach
// the process from the Secret (Kubernetes) or the env file (compose).
func TestDeployPassesEveryVariable(t *testing.T) {
	for _, p := range platformVars {
		if !knownEnv(p) {
			t.Errorf("commsbot no longer reads %s: update platformVars and deploy/", p)
		}
	}
	_, objs := kustomized(t)
	dep := object(t, objs, "Deployment", "commsbot")
	secretName := ""
	env := map[string]any{}
	for _, e := range dig(dep, "spec", "template", "spec", "containers", 0, "env").([]any) {
		env[fmt.Sprint(dig(e, "name"))] = e
	}
	for _, v := range envVars {
		e, ok := env[v.Name]
		switch {
		case slices.Contains(k8sPerProcess, v.Name):
			if ok {
				t.Errorf("deployment sets %s, which differs per process", v.Name)
			}
			continue
		case slices.Contains(k8sSetInDeployment, v.Name):
			if !ok {
				t.Errorf("deployment does not set %s", v.Name)
			}
			continue
		case !ok:
			t.Errorf("deployment does not pass %s from the Secret", v.Name)
			continue
		}
		ref := dig(e, "valueFrom", "secretKeyRef")
		if ref == nil {
			t.Errorf("deployment: %s is not from a Secret: %v", v.Name, e)
			continue
		}
		if key := dig(ref, "key"); key != v.Name {
			t.Errorf("deployment: %s comes from the Secret's key %v", v.Name, key)
		}
		name := fmt.Sprint(dig(ref, "name"))
		if secretName == "" {
			secretName = name
		} else if name != secretName {
			t.Errorf("deployment: %s comes from Secret %s, the others from %s", v.Name, name, secretName)
		}
		if opt := dig(ref, "optional") == true; opt != (v.Name != "REDIS_URL") {
			t.Errorf("deployment: %s has optional: %v; only REDIS_URL is required", v.Name, opt)
		}
	}

	docs := readYAML(t, "../../deploy/compose.yaml")
	cenv, _ := dig(docs[0], "services", "commsbot", "environment").(map[string]any)
	for _, v := range envVars {
		val, ok := cenv[v.Name]
		if slices.Contains(composeOwn, v.Name) {
			continue
		}
		// ${NAME:-} or ${NAME:-default}: from the env file or the shell.
		re := regexp.MustCompile(`^\$\{` + v.Name + `(:?-[^}]*)?\}$`)
		if !ok || !re.MatchString(fmt.Sprint(val)) {
			t.Errorf("compose does not pass %s from the env file: %v", v.Name, val)
		}
	}

	// The examples name only variables commsbot reads, and every platform
	// variable.
	examples := readYAML(t, "../../deploy/examples/secret.example.yaml")
	var secret map[string]any
	for _, d := range examples {
		if fmt.Sprint(d["kind"]) == "Secret" && dig(d, "metadata", "name") == secretName {
			secret = d
		}
	}
	if secret == nil {
		t.Fatalf("deploy/examples/secret.example.yaml has no Secret %s", secretName)
	}
	for k := range dig(secret, "stringData").(map[string]any) {
		if !knownEnv(k) {
			t.Errorf("secret example has %s, which commsbot does not read", k)
		}
	}
	b, err := os.ReadFile("../../deploy/examples/commsbot.env.example")
	if err != nil {
		t.Fatal(err)
	}
	envFile := string(b)
	for line := range strings.Lines(envFile) {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "#"))
		if k, _, ok := strings.Cut(line, "="); ok && regexp.MustCompile(`^[A-Z][A-Z0-9_]+$`).MatchString(k) && !knownEnv(k) {
			t.Errorf("commsbot.env.example has %s, which commsbot does not read", k)
		}
	}
	for _, p := range append(platformVars, "COMMSBOT_NO_PLATFORM") {
		if !strings.Contains(envFile, p+"=") {
			t.Errorf("commsbot.env.example does not mention %s", p)
		}
	}
}

// imageProblem says what is wrong with an image reference: no tag, or
// :latest. A digest is fine.
func imageProblem(ref string) string {
	if strings.Contains(ref, "@sha256:") {
		return ""
	}
	name := ref[strings.LastIndex(ref, "/")+1:]
	i := strings.LastIndex(name, ":")
	switch {
	case ref == "" || ref == "<nil>":
		return "no image"
	case i < 0 || i == len(name)-1:
		return "no tag"
	case name[i+1:] == "latest":
		return "tag latest"
	}
	return ""
}

// TestDeployImagesPinned: `image: commsbot:latest` was pulled from a public
// registry and ended in ImagePullBackOff. Every image has a tag other than
// latest, and commsbot's comes from the kustomization's images:.
func TestDeployImagesPinned(t *testing.T) {
	kust, objs := kustomized(t)
	var images []string
	for _, o := range objs {
		pod := dig(o.doc, "spec", "template", "spec")
		for _, c := range append(anyList(dig(pod, "containers")), anyList(dig(pod, "initContainers"))...) {
			images = append(images, fmt.Sprint(dig(c, "image")))
		}
	}
	overridden := map[string]bool{}
	for _, im := range anyList(kust["images"]) {
		name, newName := fmt.Sprint(dig(im, "name")), fmt.Sprint(dig(im, "newName"))
		ref := newName + ":" + fmt.Sprint(dig(im, "newTag"))
		if d := dig(im, "digest"); d != nil {
			ref = newName + "@" + fmt.Sprint(d)
		}
		if p := imageProblem(ref); p != "" || dig(im, "newTag") == nil && dig(im, "digest") == nil {
			t.Errorf("kustomization images: %s → %s: %s", name, ref, p)
		}
		overridden[name] = true
	}
	dep := object(t, objs, "Deployment", "commsbot")
	depImage := fmt.Sprint(dig(dep, "spec", "template", "spec", "containers", 0, "image"))
	if name, _, _ := strings.Cut(depImage, ":"); !overridden[name] {
		t.Errorf("the Deployment's image %s is not set by the kustomization's images: (%v)", depImage, kust["images"])
	}
	docs := readYAML(t, "../../deploy/compose.yaml")
	for name, svc := range dig(docs[0], "services").(map[string]any) {
		im := fmt.Sprint(dig(svc, "image"))
		images = append(images, im)
		if dig(svc, "build") != nil && dig(svc, "pull_policy") != "build" && dig(svc, "pull_policy") != "never" {
			t.Errorf("compose: %s is built here but may be pulled (pull_policy %v)", name, dig(svc, "pull_policy"))
		}
	}
	for _, im := range images {
		if p := imageProblem(im); p != "" {
			t.Errorf("image %q: %s", im, p)
		}
	}
	if len(images) < 4 {
		t.Errorf("found only images %v", images)
	}
}

// anyList is v as a YAML list, or nil.
func anyList(v any) []any {
	l, _ := v.([]any)
	return l
}

// TestDeployExampleSecretNotApplied: `kubectl apply -f deploy/k8s/` applied
// the example Secret with CHANGE-ME. No file kubectl reads in deploy/k8s
// (-f, -R or -k) holds a Secret, and the kustomization lists every manifest
// there and nothing outside it.
func TestDeployExampleSecretNotApplied(t *testing.T) {
	kust, _ := kustomized(t)
	var listed []string
	for _, r := range anyList(kust["resources"]) {
		s := fmt.Sprint(r)
		if strings.Contains(s, "/") || strings.Contains(s, "example") {
			t.Errorf("kustomization resource %s: want only the manifests in deploy/k8s, no examples", s)
		}
		listed = append(listed, s)
	}
	for _, key := range []string{"secretGenerator", "generators", "components"} {
		if kust[key] != nil {
			t.Errorf("kustomization has %s: Secrets are created by the operator", key)
		}
	}
	var applied int
	err := filepath.WalkDir(k8sDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ext := filepath.Ext(path)
		if ext != ".yaml" && ext != ".yml" && ext != ".json" {
			return nil
		}
		rel, _ := filepath.Rel(k8sDir, path)
		if rel != "kustomization.yaml" && !slices.Contains(listed, rel) {
			t.Errorf("deploy/k8s/%s is applied by kubectl apply -f but not listed in the kustomization", rel)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, d := range readYAML(t, path) {
			applied++
			if fmt.Sprint(d["kind"]) == "Secret" {
				t.Errorf("deploy/k8s/%s holds a Secret (%v): kubectl apply would create it", rel, dig(d, "metadata", "name"))
			}
		}
		if strings.Contains(string(b), "CHANGE-ME") && rel != "kustomization.yaml" {
			t.Errorf("deploy/k8s/%s contains CHANGE-ME", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if applied == 0 {
		t.Fatal("nothing read in deploy/k8s")
	}
	if _, err := os.Stat(filepath.Join(k8sDir, "secret.example.yaml")); err == nil {
		t.Error("deploy/k8s/secret.example.yaml is back")
	}
}

// TestDeployDrain: a preStop pause lets the pod leave the endpoints before
// SIGTERM, and the grace period covers the pause and serve's shutdown.
func TestDeployDrain(t *testing.T) {
	_, objs := kustomized(t)
	dep := object(t, objs, "Deployment", "commsbot")
	pre := dig(dep, "spec", "template", "spec", "containers", 0, "lifecycle", "preStop")
	if pre == nil {
		t.Fatal("the commsbot container has no preStop hook")
	}
	// The image is distroless: no shell, no sleep binary for an exec hook.
	if dig(pre, "exec") != nil {
		t.Errorf("preStop exec %v: the image has no shell or sleep; use the sleep action", dig(pre, "exec"))
	}
	secs, ok := dig(pre, "sleep", "seconds").(int)
	if !ok || secs < 1 {
		t.Errorf("preStop sleep seconds = %v, want a pause of a few seconds", dig(pre, "sleep", "seconds"))
	}
	grace, _ := dig(dep, "spec", "template", "spec", "terminationGracePeriodSeconds").(int)
	if time.Duration(grace)*time.Second <= time.Duration(secs)*time.Second+shutdownTimeout {
		t.Errorf("terminationGracePeriodSeconds %d does not cover preStop %d s and serve's shutdown %v", grace, secs, shutdownTimeout)
	}
	docs := readYAML(t, "../../deploy/compose.yaml")
	d, err := time.ParseDuration(fmt.Sprint(dig(docs[0], "services", "commsbot", "stop_grace_period")))
	if err != nil || d <= shutdownTimeout {
		t.Errorf("compose stop_grace_period %v (%v) does not cover serve's shutdown %v", d, err, shutdownTimeout)
	}
}

// TestDeployNetworkPolicy: commsbot accepts only its HTTP port and connects
// only to Redis, DNS and HTTPS; Redis accepts only commsbot.
func TestDeployNetworkPolicy(t *testing.T) {
	_, objs := kustomized(t)
	dep := object(t, objs, "Deployment", "commsbot")
	redis := object(t, objs, "StatefulSet", "commsbot-redis")
	podLabels := dig(dep, "spec", "template", "metadata", "labels")
	redisLabels := dig(redis, "spec", "template", "metadata", "labels")
	c := dig(dep, "spec", "template", "spec", "containers", 0)
	httpPort, httpName := dig(c, "ports", 0, "containerPort"), dig(c, "ports", 0, "name")
	redisPort := dig(redis, "spec", "template", "spec", "containers", 0, "ports", 0, "containerPort")

	var pol, redisPol map[string]any
	for _, o := range objs {
		if o.kind() != "NetworkPolicy" {
			continue
		}
		switch sel := dig(o.doc, "spec", "podSelector", "matchLabels"); {
		case labelsMatch(sel, podLabels):
			pol = o.doc
		case labelsMatch(sel, redisLabels):
			redisPol = o.doc
		}
	}
	if pol == nil || redisPol == nil {
		t.Fatalf("want a NetworkPolicy for the commsbot pods and one for Redis; found %v and %v", pol != nil, redisPol != nil)
	}
	for _, p := range []map[string]any{pol, redisPol} {
		types := fmt.Sprint(dig(p, "spec", "policyTypes"))
		if !strings.Contains(types, "Ingress") || !strings.Contains(types, "Egress") {
			t.Errorf("NetworkPolicy %v: policyTypes %s, want Ingress and Egress", dig(p, "metadata", "name"), types)
		}
	}
	ingress := anyList(dig(pol, "spec", "ingress"))
	if len(ingress) == 0 {
		t.Error("commsbot NetworkPolicy allows no ingress: Slack, Discord and the probes could not reach it")
	}
	for _, r := range ingress {
		ports := anyList(dig(r, "ports"))
		if len(ports) == 0 {
			t.Errorf("ingress rule %v allows every port", r)
		}
		for _, p := range ports {
			if port := dig(p, "port"); port != httpPort && port != httpName {
				t.Errorf("ingress to port %v, want only the HTTP port %v (%v)", port, httpPort, httpName)
			}
		}
	}
	egress := anyList(dig(pol, "spec", "egress"))
	allowed := map[string]bool{}
	for _, r := range egress {
		ports := anyList(dig(r, "ports"))
		if len(ports) == 0 {
			t.Errorf("egress rule %v allows every port", r)
		}
		toRedis := false
		for _, to := range anyList(dig(r, "to")) {
			toRedis = toRedis || labelsMatch(dig(to, "podSelector", "matchLabels"), redisLabels)
		}
		for _, p := range ports {
			key := fmt.Sprintf("%v/%v", dig(p, "protocol"), dig(p, "port"))
			if toRedis {
				key = "redis:" + key
			}
			allowed[key] = true
		}
	}
	for _, want := range []string{"UDP/53", "TCP/53", "TCP/443", fmt.Sprintf("redis:TCP/%v", redisPort)} {
		if !allowed[want] {
			t.Errorf("commsbot egress does not allow %s (allows %v)", want, allowed)
		}
	}
	if len(allowed) != 4 {
		t.Errorf("commsbot egress allows %v, want only Redis, DNS and HTTPS", allowed)
	}
	rIngress := anyList(dig(redisPol, "spec", "ingress"))
	if len(rIngress) != 1 || len(anyList(dig(rIngress[0], "from"))) != 1 || !labelsMatch(dig(rIngress[0], "from", 0, "podSelector", "matchLabels"), podLabels) || dig(rIngress[0], "from", 0, "namespaceSelector") != nil {
		t.Errorf("Redis NetworkPolicy ingress %v: want only from the commsbot pods", rIngress)
	}
	if len(anyList(dig(redisPol, "spec", "egress"))) != 0 {
		t.Errorf("Redis NetworkPolicy egress %v: Redis connects nowhere", dig(redisPol, "spec", "egress"))
	}
}

// TestDeployRedisPersistence: review tickets are kept two years, so Redis
// keeps its data on a volume in an append-only file, in Kubernetes and in
// compose, and the example REDIS_URL points at it.
func TestDeployRedisPersistence(t *testing.T) {
	_, objs := kustomized(t)
	sts := object(t, objs, "StatefulSet", "commsbot-redis")
	svc := object(t, objs, "Service", fmt.Sprint(dig(sts, "spec", "serviceName")))
	if !labelsMatch(dig(svc, "spec", "selector"), dig(sts, "spec", "template", "metadata", "labels")) {
		t.Errorf("Service %v does not select the Redis pods", dig(svc, "metadata", "name"))
	}
	if r := dig(sts, "spec", "replicas"); r != 1 {
		t.Errorf("Redis replicas = %v: several independent servers would split the data", r)
	}
	c := dig(sts, "spec", "template", "spec", "containers", 0)
	args := strings.Join(slices.Collect(func(yield func(string) bool) {
		for _, a := range append(anyList(dig(c, "command")), anyList(dig(c, "args"))...) {
			if !yield(fmt.Sprint(a)) {
				return
			}
		}
	}), " ")
	for _, want := range []string{"--appendonly yes", "--maxmemory-policy noeviction", "--requirepass"} {
		if !strings.Contains(args, want) {
			t.Errorf("Redis command %q lacks %s", args, want)
		}
	}
	dir := "/data"
	if _, after, ok := strings.Cut(args, "--dir "); ok {
		dir, _, _ = strings.Cut(after, " ")
	}
	claims := map[string]bool{}
	for _, v := range anyList(dig(sts, "spec", "volumeClaimTemplates")) {
		if dig(v, "spec", "resources", "requests", "storage") == nil {
			t.Errorf("volume claim %v has no size", dig(v, "metadata", "name"))
		}
		claims[fmt.Sprint(dig(v, "metadata", "name"))] = true
	}
	mounted := false
	for _, m := range anyList(dig(c, "volumeMounts")) {
		mounted = mounted || dig(m, "mountPath") == dir && claims[fmt.Sprint(dig(m, "name"))]
	}
	if !mounted {
		t.Errorf("Redis's directory %s is not on a PersistentVolumeClaim (claims %v)", dir, claims)
	}

	var url string
	for _, d := range readYAML(t, "../../deploy/examples/secret.example.yaml") {
		if u := dig(d, "stringData", "REDIS_URL"); u != nil {
			url = fmt.Sprint(u)
		}
	}
	host := fmt.Sprintf("@%v:%v/", dig(svc, "metadata", "name"), dig(svc, "spec", "ports", 0, "port"))
	if !strings.Contains(url, host) {
		t.Errorf("the example REDIS_URL %q does not point at the Redis Service (%s)", url, host)
	}

	docs := readYAML(t, "../../deploy/compose.yaml")
	redisCmd := fmt.Sprint(dig(docs[0], "services", "redis", "command"))
	if !strings.Contains(redisCmd, "--appendonly yes") {
		t.Errorf("compose: Redis must persist with AOF, command is %s", redisCmd)
	}
	vol := false
	for _, v := range anyList(dig(docs[0], "services", "redis", "volumes")) {
		src, dst, _ := strings.Cut(fmt.Sprint(v), ":")
		_, named := dig(docs[0], "volumes").(map[string]any)[src]
		vol = vol || named && dst == "/data"
	}
	if !vol {
		t.Error("compose: Redis's /data is not on a named volume")
	}
}

func TestDeployComposeAndDockerfile(t *testing.T) {
	docs := readYAML(t, "../../deploy/compose.yaml")
	svc := dig(docs[0], "services", "commsbot")
	for name := range dig(svc, "environment").(map[string]any) {
		if !knownEnv(name) {
			t.Errorf("compose sets %s, which commsbot does not read", name)
		}
	}
	if dig(svc, "read_only") != true {
		t.Error("compose: commsbot must run with a read-only filesystem")
	}
	b, err := os.ReadFile("../../deploy/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`CGO_ENABLED=0 go build .* \./cmd/commsbot`),
		regexp.MustCompile(`(?m)^USER 65532`),
		regexp.MustCompile(`(?m)^FROM .* AS build`),
	} {
		if !want.MatchString(df) {
			t.Errorf("Dockerfile does not match %s", want)
		}
	}
}

// TestServeRefusesWithoutPlatform: serve with neither Slack nor Discord
// configured started, logged "commsbot serving" and reported ready. Now it
// does not start, says what to set, and starts with COMMSBOT_NO_PLATFORM=on.
func TestServeRefusesWithoutPlatform(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want []string
		not  []string
	}{
		{"nothing", map[string]string{}, []string{"no chat platform is configured", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "DISCORD_BOT_TOKEN", "DISCORD_PUBLIC_KEY", "COMMSBOT_NO_PLATFORM=on"}, nil},
		{"off", map[string]string{"COMMSBOT_NO_PLATFORM": "off", "REDIS_URL": "redis://127.0.0.1:1/0"}, []string{"no chat platform is configured"}, nil},
		// Every problem at once.
		{"and another problem", map[string]string{"RATE_LIMIT": "lots"}, []string{"RATE_LIMIT", "no chat platform is configured"}, nil},
		// Incomplete platform settings say what is missing themselves.
		{"incomplete Slack", map[string]string{"SLACK_SIGNING_SECRET": "s3cret"}, []string{"SLACK_BOT_TOKEN is not"}, []string{"no chat platform is configured", "s3cret"}},
		{"bad opt-out", map[string]string{"COMMSBOT_NO_PLATFORM": "please"}, []string{`COMMSBOT_NO_PLATFORM="please": want on or off`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.env["COMMSBOT_ADDR"] = "127.0.0.1:0"
			getenv := func(k string) string { return tc.env[k] }
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var stderr strings.Builder
			w := &lockedWriter{w: &stderr}
			ready := make(chan string, 1)
			done := make(chan error, 1)
			go func() { done <- serveCmd(ctx, nil, w, getenv, ready) }()
			select {
			case addr := <-ready:
				cancel()
				<-done
				t.Fatalf("serve started on %s and would report ready", addr)
			case err := <-done:
				w.mu.Lock()
				out := stderr.String()
				w.mu.Unlock()
				if err != errConfig {
					t.Errorf("serve: %v, want errConfig\n%s", err, out)
				}
				for _, want := range tc.want {
					if !strings.Contains(out, want) {
						t.Errorf("stderr lacks %q:\n%s", want, out)
					}
				}
				for _, not := range tc.not {
					if strings.Contains(out, not) {
						t.Errorf("stderr has %q:\n%s", not, out)
					}
				}
			case <-time.After(time.Until(reportBy(t))):
				t.Fatal("serve neither started nor failed")
			}
		})
	}

	// On purpose: serve starts and is ready.
	for _, on := range []string{"on", "true", "1"} {
		base := startServe(t, map[string]string{"COMMSBOT_NO_PLATFORM": on})
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("COMMSBOT_NO_PLATFORM=%s: /readyz %d", on, resp.StatusCode)
		}
	}
}

// startServe runs `commsbot serve` in-process on a free loopback port and
// returns its base URL; it is stopped when the test ends.
func startServe(t *testing.T, env map[string]string) string {
	t.Helper()
	env["COMMSBOT_ADDR"] = "127.0.0.1:0"
	getenv := func(k string) string { return env[k] }
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var stderr strings.Builder
	go func() { done <- serveCmd(ctx, nil, &lockedWriter{w: &stderr}, getenv, ready) }()
	select {
	case addr := <-ready:
		t.Cleanup(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("serve: %v", err)
				}
			case <-time.After(time.Until(reportBy(t))):
				t.Error("serve did not shut down")
			}
		})
		return "http://" + addr
	case err := <-done:
		cancel()
		t.Fatalf("serve stopped: %v\n%s", err, stderr.String())
	case <-time.After(time.Until(reportBy(t))):
		cancel()
		t.Fatal("serve did not start")
	}
	return ""
}

// lockedWriter serialises writes from the server's goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestREADMEListsEveryVariable keeps the README's environment tables in
// step with the variables commsbot reads.
func TestREADMEListsEveryVariable(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range envVars {
		if !strings.Contains(string(b), "`"+e.Name+"`") {
			t.Errorf("README does not document %s", e.Name)
		}
	}
}

// TestAdminAddr: with COMMSBOT_ADMIN_ADDR, /healthz, /readyz and /metrics
// answer on their own listener and no longer on the public port.
func TestAdminAddr(t *testing.T) {
	t.Parallel()
	admin := fmt.Sprintf("127.0.0.1:%d", freeTCPPort(t))
	base := startServe(t, map[string]string{"COMMSBOT_NO_PLATFORM": "on", "COMMSBOT_ADMIN_ADDR": admin})
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		var code int
		waitUntil(t, "the admin listener", func() bool {
			resp, err := http.Get("http://" + admin + path)
			if err != nil {
				return false
			}
			resp.Body.Close()
			code = resp.StatusCode
			return true
		})
		if code != http.StatusOK {
			t.Errorf("admin %s: %d, want 200", path, code)
		}
		if code, _ := getStatus(t, base+path); code != http.StatusNotFound {
			t.Errorf("public %s: %d, want 404 (it moved to the admin listener)", path, code)
		}
	}
}

// TestPprofOnlyWhenAskedAndOffThePublicPort: COMMSBOT_PPROF=on adds Go's
// profiler to the admin listener only; without it, or on the public port,
// there is none.
func TestPprofOnlyWhenAskedAndOffThePublicPort(t *testing.T) {
	t.Parallel()
	for _, on := range []bool{true, false} {
		admin := fmt.Sprintf("127.0.0.1:%d", freeTCPPort(t))
		env := map[string]string{"COMMSBOT_NO_PLATFORM": "on", "COMMSBOT_ADMIN_ADDR": admin}
		if on {
			env["COMMSBOT_PPROF"] = "on"
		}
		base := startServe(t, env)
		var code int
		waitUntil(t, "the admin listener", func() bool {
			resp, err := http.Get("http://" + admin + "/debug/pprof/")
			if err != nil {
				return false
			}
			resp.Body.Close()
			code = resp.StatusCode
			return true
		})
		if want := map[bool]int{true: http.StatusOK, false: http.StatusNotFound}[on]; code != want {
			t.Errorf("COMMSBOT_PPROF on=%v: admin /debug/pprof/ %d, want %d", on, code, want)
		}
		if code, _ := getStatus(t, base+"/debug/pprof/"); code != http.StatusNotFound {
			t.Errorf("public /debug/pprof/: %d, want 404", code)
		}
	}
}
