#!/usr/bin/env python3
"""Generates N Kubernetes audit rules (source: k8s_audit) for the scaling benchmark.

The rules look like the official k8s_audit_rules.yaml and like the rules
security teams add on top of it: a shared base of macros (kevt, kcreate,
kmodify, pod, secret, response_successful, ...) and lists (admin users,
allowed users, sensitive mounts), then per-team lists and macros (the
team's namespaces, users and images) shared by the rules written for that
team, then the rules. A rule is drawn from about twenty templates that
mix equality, `in` lists, startswith/endswith/contains, exists,
intersects, negations, parentheses and now and then an `exceptions:`
block, with discriminating constants (namespaces, users, resources,
images, object names, user agents, config keys) drawn from pools, so that
rules differ from each other.

Most constants come from synthetic pools that the bench corpus
(bench/gen_k8s_corpus.py) never contains; a fraction of the rules
(--hot, default 0.05, at least one rule) draw theirs from the values the
corpus does contain, so that a small fraction of the rules match events.

The output is deterministic for a given --rules and --seed and lints clean
(`stoopc lint` exit 0, no warnings).

usage: gen_scaling_rules.py --rules N [--seed 1] --out FILE [--hot 0.05]
"""
import argparse
import os
import random
import re
import sys

# ---- value pools -----------------------------------------------------------

# Values the bench corpus contains (see bench/gen_k8s_corpus.py and the
# shared sample events).
HOT_NAMESPACES = ["default", "kube-system", "kube-public", "foo", "prod", "staging",
                  "monitoring", "ingress-nginx", "cert-manager", "logging"] + \
                 ["team-%02d" % i for i in range(40)]
HOT_USERS = ["user-%03d@example.com" % i for i in range(200)] + \
    ["minikube-user", "some-user", "admin", "system:anonymous", "system:node:minikube"]
HOT_IMAGES = ["nginx", "mysql"]
HOT_NAME_PREFIXES = ["nginx-deployment", "my-config", "some-reader", "myacct", "example-secret",
                     "bootstrap-token", "default-token", "nginx", "foo"]
HOT_AGENTS = ["kubectl/v1.1", "kubectl/v1.2", "kube-controller-manager/", "Go-http-client/",
              "argocd-application-controller/"]
HOT_CM_KEYS = ["aws_access_key_id", "aws-s3-access-key-id", "password", "passphrase",
               "color.good"]
HOT_SA_NAMESPACES = HOT_NAMESPACES

# Synthetic values the corpus never contains.
APPS = ["payments", "checkout", "billing", "search", "auth", "inventory", "orders", "shipping",
        "analytics", "ml-training", "data-lake", "web", "api-gateway", "notifications", "ledger",
        "catalog", "recommendations", "fraud", "reporting", "identity", "media", "chat", "edge",
        "etl", "warehouse", "pricing", "loyalty", "support", "crm", "geo"]
ENVS = ["dev", "qa", "staging", "prod", "prod-eu", "prod-us", "sandbox", "perf"]
FIRST = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
         "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter",
         "yolanda", "zoe", "omar", "li", "priya", "kenji", "ana", "lars", "fatima", "diego", "mei"]
LAST = ["smith", "jones", "garcia", "chen", "mueller", "rossi", "kim", "nguyen", "silva", "khan",
        "novak", "dubois", "tanaka", "larsen", "okafor", "ivanova", "cohen", "park", "lopez",
        "wagner"]
REGISTRIES = ["registry.corp.example", "ghcr.io/acme", "quay.io/acme", "123456789012.dkr.ecr."
              "eu-west-1.amazonaws.com", "gcr.io/acme-prod", "docker.io/acme"]
COLD_AGENTS = ["terraform-provider-kubernetes/", "helm/v3.", "kustomize/v5.", "k9s/v0.",
               "lens/6.", "spinnaker-clouddriver/", "fluxcd/kustomize-controller/",
               "jenkins-kubernetes-plugin/", "rancher/v2.", "velero/v1."]
COLD_CM_KEYS = ["db_password", "api_token", "slack_webhook", "private_key", "client_secret",
                "github_token", "stripe_secret_key", "sendgrid_api_key", "vault_token",
                "jwt_signing_key", "smtp_password", "datadog_api_key"]
HOSTPATHS = ["/etc", "/var/run/docker.sock", "/proc", "/root", "/var/lib/kubelet",
             "/run/containerd/containerd.sock", "/etc/kubernetes", "/var/log", "/dev", "/sys",
             "/home", "/var/lib/etcd"]
CORE_RESOURCES = ["pods", "configmaps", "secrets", "services", "serviceaccounts", "deployments",
                  "namespaces", "clusterroles", "clusterrolebindings"]
MORE_RESOURCES = ["roles", "rolebindings", "daemonsets", "statefulsets", "replicasets", "jobs",
                  "cronjobs", "ingresses", "networkpolicies", "persistentvolumeclaims",
                  "persistentvolumes", "endpoints", "horizontalpodautoscalers",
                  "poddisruptionbudgets", "customresourcedefinitions",
                  "mutatingwebhookconfigurations", "validatingwebhookconfigurations"]
WRITE_VERBS = ["create", "update", "patch", "delete"]
READ_VERBS = ["get", "list", "watch"]
HOT_ROLES = ["cluster-admin", "system:basic-user"]
ROLES = ["admin", "edit", "view", "system:node", "system:aggregate-to-admin",
         "system:controller:replicaset-controller", "system:auth-delegator", "system:monitoring"]
PRIORITIES = ["EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE",
              "INFORMATIONAL", "DEBUG"]
PRIO_WEIGHTS = [1, 2, 6, 10, 40, 25, 14, 2]
CODES = ["401", "403", "404", "409", "422", "500"]


def quote(s):
    """A double-quoted YAML scalar (also a valid quoted string in a condition)."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Pools:
    """Draws constants: from the corpus' values for hot rules, else synthetic ones."""

    def __init__(self, rng, nrules):
        self.rng = rng
        # Enough synthetic values that 10,000 rules rarely repeat a combination.
        self.namespaces = ["%s-%s" % (a, e) for a in APPS for e in ENVS] + \
            ["ns-%04d" % i for i in range(max(50, nrules // 4))]
        self.users = ["%s.%s@corp.example" % (f, l) for f in FIRST for l in LAST] + \
            ["svc-%s-deployer" % a for a in APPS] + ["ci-bot-%03d" % i for i in range(60)]
        self.images = ["%s/%s/%s" % (r, a, c) for r in REGISTRIES for a in APPS
                       for c in ("app", "worker", "migrate")]
        self.name_prefixes = ["%s-%s" % (a, c) for a in APPS
                              for c in ("db", "cache", "api", "worker", "cron", "config", "creds")]

    def pick(self, hot, hot_pool, cold_pool):
        return self.rng.choice(hot_pool if hot else cold_pool)

    def sample(self, pool, k):
        return self.rng.sample(pool, min(k, len(pool)))


# ---- the fixed base: macros and lists as in k8s_audit_rules.yaml ------------

BASE = '''\
- required_engine_version: 15

# Generated by bench/gen_scaling_rules.py for the scaling benchmark: do not edit.

- list: k8s_audit_stages
  items: ["ResponseComplete"]

- macro: kevt
  condition: (jevt.value[/stage] in (k8s_audit_stages))

- macro: kevt_started
  condition: (jevt.value[/stage]=ResponseStarted)

- macro: non_system_user
  condition: (not ka.user.name startswith "system:")

- list: vertical_pod_autoscaler_users
  items: ["vpa-recommender", "vpa-updater"]

- list: allowed_k8s_users
  items: ["minikube", "kubelet", "kops", "kube", "kube-proxy", "kubernetes-admin",
          vertical_pod_autoscaler_users, cluster-autoscaler, "system:addon-manager",
          "cloud-controller-manager", "system:kube-controller-manager"]

- list: admin_users
  items: ["kubernetes-admin", "cluster-admin@corp.example", "break-glass@corp.example",
          "platform-oncall@corp.example"]

- list: sensitive_host_paths
  items: [/proc, /var/run/docker.sock, /, /etc, /root, /var/run/crio/crio.sock,
          /run/containerd/containerd.sock, /var/lib/kubelet, /etc/kubernetes]

- list: platform_images
  items: [docker.io/falcosecurity/falco, registry.k8s.io/kube-proxy, quay.io/calico/node,
          docker.io/datadog/agent, gcr.io/google-containers/prometheus-to-sd]

- macro: response_successful
  condition: (ka.response.code startswith 2)

- macro: kget
  condition: ka.verb=get

- macro: kcreate
  condition: ka.verb=create

- macro: kmodify
  condition: (ka.verb in (create,update,patch))

- macro: kdelete
  condition: ka.verb=delete

- macro: kread
  condition: (ka.verb in (get,list,watch))

- macro: pod
  condition: ka.target.resource=pods and not ka.target.subresource exists

- macro: pod_subresource
  condition: ka.target.resource=pods and ka.target.subresource exists

- macro: deployment
  condition: ka.target.resource=deployments

- macro: service
  condition: ka.target.resource=services

- macro: configmap
  condition: ka.target.resource=configmaps

- macro: namespace
  condition: ka.target.resource=namespaces

- macro: serviceaccount
  condition: ka.target.resource=serviceaccounts

- macro: clusterrolebinding
  condition: ka.target.resource=clusterrolebindings

- macro: secret
  condition: ka.target.resource=secrets

- macro: health_endpoint
  condition: ka.uri=/healthz or ka.uri startswith /healthz?

- macro: privileged_container
  condition: >
    (ka.req.pod.containers.privileged intersects (true) or
     ka.req.pod.initContainers.privileged intersects (true))

- macro: admin_user
  condition: ka.user.name in (admin_users)

'''


class Team:
    def __init__(self, idx, hot, pools, rng):
        self.id = "team_%03d" % idx
        self.hot = hot
        if hot:
            self.namespaces = pools.sample(HOT_NAMESPACES, rng.randint(1, 3))
            self.users = pools.sample(pools.users, rng.randint(1, 3)) + \
                pools.sample(HOT_USERS, rng.randint(1, 3))
            self.images = pools.sample(pools.images, rng.randint(1, 3))
        else:
            self.namespaces = pools.sample(pools.namespaces, rng.randint(1, 3))
            self.users = pools.sample(pools.users, rng.randint(2, 6))
            self.images = pools.sample(pools.images, rng.randint(2, 5))

    def yaml(self):
        t = self.id
        return (
            "- list: %s_namespaces\n  items: [%s]\n\n" % (t, ", ".join(map(quote, self.namespaces))) +
            "- list: %s_users\n  items: [%s]\n\n" % (t, ", ".join(map(quote, self.users))) +
            "- list: %s_images\n  items: [%s, platform_images]\n\n" %
            (t, ", ".join(self.images)) +
            "- macro: %s_namespace\n  condition: ka.target.namespace in (%s_namespaces)\n\n" % (t, t) +
            "- macro: %s_user\n  condition: (ka.user.name in (%s_users) or admin_user)\n\n" % (t, t))


class RuleGen:
    def __init__(self, rng, pools):
        self.rng = rng
        self.p = pools

    # Each template returns (title, condition, output fields, tags); `hot`
    # says whether its discriminating constants come from the corpus' values.
    def t_ns_write(self, team, hot):
        r = self.rng
        ns = self.p.pick(hot, team.namespaces, team.namespaces)
        res = r.sample(CORE_RESOURCES if hot else CORE_RESOURCES + MORE_RESOURCES, r.randint(1, 3))
        cond = "kevt and kmodify and ka.target.resource in (%s) and ka.target.namespace = %s " \
               "and not %s_user" % (", ".join(res), quote(ns), team.id)
        return ("Write to %s in %s by non-team user" % ("/".join(res), ns), cond,
                "user=%ka.user.name verb=%ka.verb resource=%ka.target.resource "
                "name=%ka.target.name ns=%ka.target.namespace", ["k8s", "namespace"])

    def t_image(self, team, hot):
        r = self.rng
        extra = " and response_successful" if r.random() < 0.5 else ""
        cond = "kevt and pod and kcreate and %s_namespace and not " \
               "ka.req.pod.containers.image.repository in (%s_images)%s" % (team.id, team.id, extra)
        return ("Unapproved image in %s namespaces" % team.id, cond,
                "user=%ka.user.name pod=%ka.resp.name ns=%ka.target.namespace "
                "images=%ka.req.pod.containers.image", ["k8s", "images"])

    def t_secret_read(self, team, hot):
        user = self.p.pick(hot, HOT_USERS, self.p.users)
        verbs = self.rng.choice(["kget", "kread", "(kget or ka.verb=list)"])
        cond = "kevt and secret and %s and ka.user.name = %s and response_successful" % (
            verbs, quote(user))
        return ("Secret read by %s" % user, cond,
                "user=%ka.user.name secret=%ka.target.name ns=%ka.target.namespace verb=%ka.verb",
                ["k8s", "secrets"])

    def t_sa_foreign(self, team, hot):
        ns = self.p.pick(hot, HOT_SA_NAMESPACES, self.p.namespaces)
        cond = "kevt and kmodify and ka.user.name startswith %s and not ka.target.namespace in " \
               "(%s, kube-system)" % (quote("system:serviceaccount:%s:" % ns), quote(ns))
        return ("Service account of %s writes outside its namespace" % ns, cond,
                "user=%ka.user.name resource=%ka.target.resource ns=%ka.target.namespace "
                "verb=%ka.verb", ["k8s", "serviceaccount"])

    def t_exec(self, team, hot):
        ns = self.rng.choice(team.namespaces)
        cond = "kevt_started and pod_subresource and ka.target.subresource in (exec, attach) " \
               "and ka.target.namespace = %s and not %s_user" % (quote(ns), team.id)
        return ("Exec into pod in %s" % ns, cond,
                "user=%ka.user.name pod=%ka.target.name ns=%ka.target.namespace "
                "action=%ka.target.subresource command=%ka.uri.param[command]", ["k8s", "exec"])

    def t_uri(self, team, hot):
        r = self.rng
        ns = self.p.pick(hot, team.namespaces, team.namespaces)
        res = r.choice(["pods", "configmaps", "secrets", "services"] if hot else MORE_RESOURCES)
        verbs = r.sample(READ_VERBS + WRITE_VERBS, r.randint(1, 3))
        cond = "kevt and ka.uri contains %s and ka.verb in (%s) and not admin_user" % (
            quote("/namespaces/%s/%s" % (ns, res)), ", ".join(verbs))
        return ("API access to %s/%s" % (ns, res), cond,
                "user=%ka.user.name uri=%ka.uri verb=%ka.verb resp=%ka.response.code",
                ["k8s", "api"])

    def t_delete_prefix(self, team, hot):
        r = self.rng
        res = r.choice(CORE_RESOURCES if hot else MORE_RESOURCES + CORE_RESOURCES)
        pfx = self.p.pick(hot, HOT_NAME_PREFIXES, self.p.name_prefixes)
        cond = "kevt and kdelete and ka.target.resource = %s and ka.target.name startswith %s " \
               "and not ka.user.name in (allowed_k8s_users)" % (res, quote(pfx))
        return ("Deletion of protected %s %s*" % (res, pfx), cond,
                "user=%ka.user.name name=%ka.target.name ns=%ka.target.namespace",
                ["k8s", "deletion"])

    def t_configmap(self, team, hot):
        key = self.p.pick(hot, HOT_CM_KEYS, COLD_CM_KEYS)
        scope = "%s_namespace" % team.id if self.rng.random() < 0.6 else "non_system_user"
        cond = "kevt and configmap and kmodify and ka.req.configmap.obj contains %s and %s" % (
            quote(key), scope)
        return ("Configmap with %s" % key, cond,
                "user=%ka.user.name configmap=%ka.req.configmap.name ns=%ka.target.namespace",
                ["k8s", "credentials"])

    def t_forbidden(self, team, hot):
        r = self.rng
        codes = ["403"] if hot else r.sample(CODES, r.randint(1, 2))
        res = r.choice(CORE_RESOURCES if hot else MORE_RESOURCES)
        cond = "kevt and ka.response.code in (%s) and %s_user and ka.target.resource = %s" % (
            ", ".join(codes), team.id, res)
        return ("Denied %s request by %s" % (res, team.id), cond,
                "user=%ka.user.name resource=%ka.target.resource verb=%ka.verb "
                "code=%ka.response.code reason=%ka.auth.reason", ["k8s", "authz"])

    def t_agent(self, team, hot):
        r = self.rng
        agent = self.p.pick(hot, HOT_AGENTS, COLD_AGENTS)
        res = r.choice(["secrets", "configmaps", "pods"] if hot else MORE_RESOURCES)
        cond = "kevt and ka.useragent startswith %s and ka.target.resource = %s and " \
               "(kmodify or kdelete)" % (quote(agent), res)
        return ("Write to %s from %s" % (res, agent.rstrip("/.")), cond,
                "user=%ka.user.name agent=%ka.useragent resource=%ka.target.resource "
                "verb=%ka.verb", ["k8s", "tooling"])

    def t_impersonation(self, team, hot):
        ns = self.rng.choice(team.namespaces)
        cond = "kevt and ka.impuser.name exists and not admin_user and ka.target.namespace = %s" % (
            quote(ns))
        return ("Impersonated request in %s" % ns, cond,
                "user=%ka.user.name impuser=%ka.impuser.name ns=%ka.target.namespace "
                "verb=%ka.verb", ["k8s", "impersonation"])

    def t_binding(self, team, hot):
        role = self.p.pick(hot, HOT_ROLES, ROLES)
        cond = "kevt and clusterrolebinding and kcreate and ka.req.binding.role = %s and not " \
               "%s_user" % (quote(role), team.id)
        return ("Cluster role %s bound by %s outsider" % (role, team.id), cond,
                "user=%ka.user.name binding=%ka.target.name subjects=%ka.req.binding.subjects "
                "role=%ka.req.binding.role", ["k8s", "rbac"])

    def t_privileged(self, team, hot):
        cond = "kevt and pod and kcreate and privileged_container and %s_namespace and not " \
               "ka.req.pod.containers.image.repository in (%s_images)" % (team.id, team.id)
        return ("Privileged pod in %s namespaces" % team.id, cond,
                "user=%ka.user.name pod=%ka.resp.name ns=%ka.target.namespace "
                "images=%ka.req.pod.containers.image", ["k8s", "privileged"])

    def t_hostpath(self, team, hot):
        r = self.rng
        paths = ["/etc"] if hot else r.sample(HOSTPATHS[1:], r.randint(1, 3))
        cond = "kevt and pod and kcreate and ka.req.pod.volumes.hostpath intersects (%s) and " \
               "not %s_user" % (", ".join(paths), team.id)
        return ("Host path %s mounted by %s outsider" % (paths[0], team.id), cond,
                "user=%ka.user.name pod=%ka.resp.name ns=%ka.target.namespace "
                "volumes=%ka.req.pod.volumes.hostpath", ["k8s", "mounts"])

    def t_anonymous(self, team, hot):
        res = self.rng.choice(CORE_RESOURCES if hot else MORE_RESOURCES)
        cond = "kevt and ka.user.name = system:anonymous and ka.target.resource = %s and not " \
               "health_endpoint" % res
        return ("Anonymous access to %s" % res, cond,
                "user=%ka.user.name verb=%ka.verb uri=%ka.uri decision=%ka.auth.decision",
                ["k8s", "anonymous"])

    def t_namespace_lifecycle(self, team, hot):
        ns = self.rng.choice(team.namespaces)
        verb = self.rng.choice(["kcreate", "kdelete"])
        cond = "kevt and namespace and %s and ka.target.name = %s and not ka.user.name in " \
               "(allowed_k8s_users, %s_users)" % (verb, quote(ns), team.id)
        return ("Namespace %s %sd" % (ns, verb[1:]), cond,
                "user=%ka.user.name namespace=%ka.target.name verb=%ka.verb", ["k8s", "namespace"])

    def t_group(self, team, hot):
        group = "system:masters" if hot else "oidc:%s" % self.rng.choice(APPS)
        ns = self.rng.choice(team.namespaces)
        cond = "kevt and ka.user.groups intersects (%s) and ka.target.namespace = %s and " \
               "kmodify and non_system_user" % (quote(group), quote(ns))
        return ("Write in %s by %s member" % (ns, group), cond,
                "user=%ka.user.name groups=%ka.user.groups resource=%ka.target.resource",
                ["k8s", "groups"])

    def t_email_domain(self, team, hot):
        dom = "@example.com" if hot else "@%s.example" % self.rng.choice(APPS)
        res = self.rng.choice(["secrets", "clusterroles"] if hot else MORE_RESOURCES)
        cond = "kevt and ka.user.name endswith %s and ka.target.resource = %s and (kmodify or " \
               "kdelete)" % (quote(dom), res)
        return ("Write to %s by %s account" % (res, dom), cond,
                "user=%ka.user.name resource=%ka.target.resource verb=%ka.verb "
                "name=%ka.target.name", ["k8s", "accounts"])

    def t_service_type(self, team, hot):
        ns = self.rng.choice(team.namespaces)
        cond = "kevt and service and kcreate and ka.req.service.type in (NodePort, LoadBalancer) " \
               "and ka.target.namespace = %s" % quote(ns)
        return ("Exposed service in %s" % ns, cond,
                "user=%ka.user.name service=%ka.target.name ns=%ka.target.namespace "
                "type=%ka.req.service.type ports=%ka.req.service.ports", ["k8s", "network"])

    TEMPLATES = [  # (method, weight)
        ("t_ns_write", 12), ("t_image", 6), ("t_secret_read", 8), ("t_sa_foreign", 6),
        ("t_exec", 5), ("t_uri", 7), ("t_delete_prefix", 7), ("t_configmap", 5),
        ("t_forbidden", 6), ("t_agent", 5), ("t_impersonation", 3), ("t_binding", 4),
        ("t_privileged", 4), ("t_hostpath", 4), ("t_anonymous", 2), ("t_namespace_lifecycle", 4),
        ("t_group", 4), ("t_email_domain", 4), ("t_service_type", 4)]

    def rule(self, idx, team, hot):
        r = self.rng
        names, weights = zip(*self.TEMPLATES)
        method = r.choices(names, weights)[0]
        title, cond, fields, tags = getattr(self, method)(team, hot)
        name = "%s (%s #%d)" % (title, team.id, idx)
        prio = r.choices(PRIORITIES, PRIO_WEIGHTS)[0]
        lines = ["- rule: %s" % quote(name),
                 "  desc: >\n    Generated rule %d: %s." % (idx, title),
                 "  condition: >\n    %s" % cond,
                 "  output: %s" % quote("%s (%s)" % (title, fields)),
                 "  priority: %s" % prio,
                 "  source: k8s_audit",
                 "  tags: [%s]" % ", ".join(tags + [team.id])]
        if r.random() < 0.1:
            user = r.choice(self.p.users)
            ns = r.choice(team.namespaces)
            lines.append("  exceptions:\n"
                         "    - name: known_%s_automation\n"
                         "      fields: [ka.user.name, ka.target.namespace]\n"
                         "      comps: [=, =]\n"
                         "      values:\n"
                         "        - [%s, %s]" % (team.id, quote(user), quote(ns)))
        return "\n".join(lines) + "\n\n"


def generate(nrules, seed, hot_fraction):
    rng = random.Random(seed)
    pools = Pools(rng, nrules)
    nteams = max(3, nrules // 20)
    nhot = max(1, round(nrules * hot_fraction)) if hot_fraction > 0 else 0
    hot_rules = set(rng.sample(range(nrules), min(nhot, nrules)))
    nhot_teams = max(1, round(nteams * hot_fraction)) if nhot else 0
    teams = [Team(i, i < nhot_teams, pools, rng) for i in range(nteams)]
    gen = RuleGen(rng, pools)
    rules = []
    for i in range(nrules):
        hot = i in hot_rules
        pool = teams[:nhot_teams] if hot else teams[nhot_teams:] or teams
        rules.append(gen.rule(i, rng.choice(pool), hot))
    # Only the macros and lists some rule uses, directly or through others,
    # so that the file lints without LOAD_UNUSED_* warnings.
    head, _, base = BASE.partition("\n\n- list:")
    items = split_items("- list:" + base + "".join(t.yaml() for t in teams))
    conds = "\n".join(re.findall(r"condition: >\n(.*)\n", "".join(rules)))
    used = set(IDENT.findall(re.sub(r'"[^"]*"', " ", conds)))
    changed = True
    while changed:
        changed = False
        for name, text in items:
            if name in used:
                body = re.sub(r'"[^"]*"', " ", text.split("\n", 1)[1])
                new = set(IDENT.findall(body)) - used
                if new:
                    used |= new
                    changed = True
    out = [head + "\n\n"] + [text for name, text in items if name in used] + rules
    return "".join(out), nteams, len(hot_rules)


IDENT = re.compile(r"[\w.]+")  # a field (ka.target.namespace) is one token


def split_items(text):
    """(name, text) of each '- list:' / '- macro:' item of a YAML fragment."""
    items = []
    for block in re.split(r"\n(?=- )", text):
        m = re.match(r"- (?:list|macro): (\S+)", block)
        if m:
            items.append((m.group(1), block.rstrip("\n") + "\n\n"))
    return items


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rules", type=int, required=True, help="number of rules")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True, help="rules file to write ('-' for stdout)")
    ap.add_argument("--hot", type=float, default=0.05,
                    help="fraction of rules using values the bench corpus contains (default 0.05)")
    a = ap.parse_args()
    if a.rules < 0:
        sys.exit("gen_scaling_rules: --rules must be >= 0")
    text, nteams, nhot = generate(a.rules, a.seed, a.hot)
    if a.out == "-":
        sys.stdout.write(text)
    else:
        tmp = a.out + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, a.out)
        print("gen_scaling_rules: %s: %d rules (%d hot), %d teams, seed %d" %
              (a.out, a.rules, nhot, nteams, a.seed), file=sys.stderr)


if __name__ == "__main__":
    main()
