/*
 * virt-lxc-init: the only code of virt-lxc that runs inside a container's namespaces.
 *
 * The Java side (org.virtlxc.nssetup.Launcher) decides everything and writes a launch plan
 * as type-length-value records (u16 type, u32 length, payload; native byte order) into fd 3.
 * fd 4 is a socket back to the caller. This program:
 *
 *   1. reads the plan until EOF on fd 3, closes every other fd except 0-2, 4 and the
 *      namespace fds the plan names, and resets signal dispositions and mask;
 *   2. joins the namespaces given by fd (setns), then clone()s the container init with the
 *      CLONE_NEW* flags of the plan and CLONE_PARENT, so that the init is a direct child of
 *      our caller (the controller), exactly like a tree CRIU restores with --restore-sibling;
 *   3. writes "pid <host pid>\n" to fd 4, writes the init's uid_map/gid_map (we are still in
 *      the caller's user namespace, as root), in a user namespace gives the init's mount
 *      namespace its tmpfs /dev with the device nodes, lets the init go on, and exits 0;
 *   4. in the init: private mounts, root bind, proc, sysfs (ro), tmpfs /dev with nodes,
 *      devpts, consoles (/dev/console = /dev/tty1, then /dev/ttyN), extra mounts, pivot_root,
 *      hostname, capability bounding set,
 *      setgid/setuid, cwd, stdio on the console, setsid; then "ready\n" on fd 4, waits for
 *      one byte on fd 4 (the caller moves veths etc. meanwhile) and execve()s argv.
 *
 * fd 4 is close-on-exec in the init: the caller reads EOF when the exec succeeded.
 * Every failure is one line "virt-lxc-init: unable to <verb> <object>: <strerror>" written to
 * fd 4 (to stderr only when fd 4 is gone: the caller reports the fd 4 line itself, and stderr is
 * the same domain log, where a second copy would double the line libvirtd shows), and a non-zero
 * exit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PLAN_FD 3
#define SYNC_FD 4

/* Record types: keep in sync with org.virtlxc.nssetup.PlanRecord. */
enum {
	REC_VERSION = 1,        /* u32 plan format version (1) */
	REC_CLONE_FLAGS = 2,    /* u32 CLONE_NEW* flags of namespaces to create */
	REC_JOIN_NS = 3,        /* u32 CLONE_NEW* type, u32 fd */
	REC_UID_MAP = 4,        /* text in /proc/PID/uid_map format */
	REC_GID_MAP = 5,        /* text in /proc/PID/gid_map format */
	REC_ROOT = 6,           /* root filesystem source directory ("/" = the host root) */
	REC_ROOT_READONLY = 7,  /* no payload */
	REC_MOUNT_BIND = 8,     /* u32 readonly, source NUL target */
	REC_MOUNT_TMPFS = 9,    /* u64 size bytes (0 = default), u32 readonly, target */
	REC_MOUNT_PROC = 10,    /* no payload */
	REC_MOUNT_SYSFS = 11,   /* no payload: sysfs read-only on /sys */
	REC_MOUNT_DEV = 12,     /* no payload: tmpfs /dev with the standard nodes */
	REC_MOUNT_DEVPTS = 13,  /* no payload: private devpts on /dev/pts, /dev/ptmx link */
	REC_CONSOLE = 14,       /* host path of a console tty; repeated, first = /dev/console */
	REC_HOSTNAME = 15,      /* hostname */
	REC_DROP_CAP = 16,      /* u32 capability number to drop from the bounding set */
	REC_ARG = 17,           /* one argv element, in order */
	REC_ENV = 18,           /* one NAME=value, in order */
	REC_CWD = 19,           /* working directory inside the container */
	REC_UID = 20,           /* u32 uid to setuid to */
	REC_GID = 21,           /* u32 gid to setgid to */
};

#define MAX_ITEMS 256

struct mount_spec {
	int tmpfs;
	int readonly;
	uint64_t size;
	char *source;
	char *target;
};

struct plan {
	unsigned clone_flags;
	int njoin;
	int join_type[8], join_fd[8];
	char *uid_map, *gid_map;
	char *root;
	int root_readonly;
	int nmounts;
	struct mount_spec mounts[MAX_ITEMS];
	int proc, sysfs, dev, devpts;
	int nconsoles;
	char *consoles[MAX_ITEMS];
	char *hostname;
	int ncaps;
	int caps[64];
	int nargs, nenv;
	char *argv[MAX_ITEMS + 1];
	char *envp[MAX_ITEMS + 1];
	char *cwd;
	int has_uid, has_gid;
	uid_t uid;
	gid_t gid;
};

static struct plan plan;

/* Writes the whole buffer, retrying on EINTR and short writes; -1 on any other error. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reports "unable to <what>: <strerror(errno)>" on fd 4 (else stderr), then exits 1. */
static void die(const char *fmt, ...)
{
	char msg[1024];
	int err = errno;
	int off = snprintf(msg, sizeof msg, "virt-lxc-init: unable to ");
	va_list ap;
	va_start(ap, fmt);
	off += vsnprintf(msg + off, sizeof msg - (size_t)off, fmt, ap);
	va_end(ap);
	if (off < (int)sizeof msg - 1)
		snprintf(msg + off, sizeof msg - (size_t)off, ": %s\n", strerror(err));
	msg[sizeof msg - 2] = '\n';
	msg[sizeof msg - 1] = '\0';
	if (write_all(SYNC_FD, msg, strlen(msg)) < 0)
		write_all(2, msg, strlen(msg));
	_exit(1);
}

static void send_line(const char *fmt, ...)
{
	char msg[128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	write_all(SYNC_FD, msg, strlen(msg));
}

/* Reads exactly len bytes; returns 0 at a clean EOF before the first byte, 1 when done. */
static int read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("read the launch plan");
		if (n == 0) {
			if (got == 0)
				return 0;
			errno = EPROTO;
			die("read the launch plan (truncated record)");
		}
		got += (size_t)n;
	}
	return 1;
}

static uint32_t u32_at(const char *p) { uint32_t v; memcpy(&v, p, sizeof v); return v; }
static uint64_t u64_at(const char *p) { uint64_t v; memcpy(&v, p, sizeof v); return v; }

static void need(uint32_t len, uint32_t min, unsigned type)
{
	if (len < min) {
		errno = EPROTO;
		die("parse plan record %u (length %u)", type, len);
	}
}

static void too_many(const char *what)
{
	errno = E2BIG;
	die("parse the launch plan (too many %s)", what);
}

/* Reads TLV records from fd 3 until EOF. Every payload gets a NUL appended. */
static void read_plan(void)
{
	int seen_version = 0;
	for (;;) {
		uint16_t type;
		uint32_t len;
		char hdr[6];
		if (!read_full(PLAN_FD, hdr, sizeof hdr))
			break;
		memcpy(&type, hdr, 2);
		memcpy(&len, hdr + 2, 4);
		if (len > (1u << 20)) {
			errno = EMSGSIZE;
			die("parse plan record %u", type);
		}
		char *p = malloc(len + 1);
		if (!p)
			die("allocate %u bytes", len);
		if (len > 0 && !read_full(PLAN_FD, p, len)) {
			errno = EPROTO;
			die("read the launch plan (truncated record)");
		}
		p[len] = '\0';
		struct mount_spec *m;
		switch (type) {
		case REC_VERSION:
			need(len, 4, type);
			if (u32_at(p) != 1) {
				errno = EPROTO;
				die("use plan format version %u", u32_at(p));
			}
			seen_version = 1;
			break;
		case REC_CLONE_FLAGS: need(len, 4, type); plan.clone_flags = u32_at(p); break;
		case REC_JOIN_NS:
			need(len, 8, type);
			if (plan.njoin == 8)
				too_many("namespaces to join");
			plan.join_type[plan.njoin] = (int)u32_at(p);
			plan.join_fd[plan.njoin++] = (int)u32_at(p + 4);
			break;
		case REC_UID_MAP: plan.uid_map = p; break;
		case REC_GID_MAP: plan.gid_map = p; break;
		case REC_ROOT: plan.root = p; break;
		case REC_ROOT_READONLY: plan.root_readonly = 1; break;
		case REC_MOUNT_BIND:
		case REC_MOUNT_TMPFS:
			if (plan.nmounts == MAX_ITEMS)
				too_many("mounts");
			m = &plan.mounts[plan.nmounts++];
			if (type == REC_MOUNT_BIND) {
				need(len, 6, type);
				m->readonly = (int)u32_at(p);
				m->source = p + 4;
				m->target = p + 4 + strlen(p + 4) + 1;
				if (m->target > p + len) {
					errno = EPROTO;
					die("parse plan record %u (no target)", type);
				}
			} else {
				need(len, 13, type);
				m->tmpfs = 1;
				m->size = u64_at(p);
				m->readonly = (int)u32_at(p + 8);
				m->target = p + 12;
			}
			break;
		case REC_MOUNT_PROC: plan.proc = 1; break;
		case REC_MOUNT_SYSFS: plan.sysfs = 1; break;
		case REC_MOUNT_DEV: plan.dev = 1; break;
		case REC_MOUNT_DEVPTS: plan.devpts = 1; break;
		case REC_CONSOLE:
			if (plan.nconsoles == MAX_ITEMS)
				too_many("consoles");
			plan.consoles[plan.nconsoles++] = p;
			break;
		case REC_HOSTNAME: plan.hostname = p; break;
		case REC_DROP_CAP:
			need(len, 4, type);
			if (plan.ncaps == 64)
				too_many("capabilities");
			plan.caps[plan.ncaps++] = (int)u32_at(p);
			break;
		case REC_ARG:
			if (plan.nargs == MAX_ITEMS)
				too_many("arguments");
			plan.argv[plan.nargs++] = p;
			break;
		case REC_ENV:
			if (plan.nenv == MAX_ITEMS)
				too_many("environment entries");
			plan.envp[plan.nenv++] = p;
			break;
		case REC_CWD: plan.cwd = p; break;
		case REC_UID: need(len, 4, type); plan.has_uid = 1; plan.uid = u32_at(p); break;
		case REC_GID: need(len, 4, type); plan.has_gid = 1; plan.gid = u32_at(p); break;
		default:
			errno = EPROTO;
			die("parse plan record of unknown type %u", type);
		}
	}
	if (!seen_version || plan.nargs == 0) {
		errno = EPROTO;
		die("parse the launch plan (no version or no argv)");
	}
	close(PLAN_FD);
}

/* Closes every fd above 4 that is not a namespace fd named by the plan. */
static void close_other_fds(void)
{
	unsigned next = SYNC_FD + 1;
	for (;;) {
		/* smallest join fd >= next */
		int lowest = -1;
		for (int i = 0; i < plan.njoin; i++)
			if (plan.join_fd[i] >= (int)next && (lowest < 0 || plan.join_fd[i] < lowest))
				lowest = plan.join_fd[i];
		if (lowest < 0) {
			syscall(SYS_close_range, next, ~0U, 0);
			return;
		}
		if ((unsigned)lowest > next)
			syscall(SYS_close_range, next, (unsigned)lowest - 1, 0);
		next = (unsigned)lowest + 1;
	}
}

static void reset_signals(void)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL); /* fails harmlessly for SIGKILL, SIGSTOP and glibc-reserved */
}

static void write_file(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		die("open %s", path);
	if (write(fd, data, strlen(data)) != (ssize_t)strlen(data))
		die("write %s", path);
	close(fd);
}

/* ---- inside the container ------------------------------------------------------------ */

static char *in_root(const char *path)
{
	static char buf[4][4096];
	static int which;
	char *b = buf[which++ % 4];
	const char *prefix = strcmp(plan.root, "/") == 0 ? "" : plan.root;
	snprintf(b, sizeof buf[0], "%s%s", prefix, path);
	return b;
}

/* mkdir -p */
static void make_dirs(const char *path, mode_t mode)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *s = tmp + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			die("create directory %s", tmp);
		*s = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		die("create directory %s", tmp);
}

/* Creates an empty file (and its parents) to bind a non-directory onto. */
static void make_file(const char *path)
{
	char parent[4096];
	snprintf(parent, sizeof parent, "%s", path);
	char *slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		make_dirs(parent, 0755);
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		die("create %s", path);
	close(fd);
}

static void do_mount(const char *src, const char *target, const char *fstype,
		     unsigned long flags, const char *data)
{
	if (mount(src, target, fstype, flags, data) < 0)
		die("mount %s on %s", fstype ? fstype : src, target);
}

/* Makes one mount read-only, keeping its other per-mount flags (a bind remount replaces them
 * all, and in a user namespace the kernel refuses to clear locked ones). */
static void remount_readonly(const char *target)
{
	struct statvfs sv;
	if (statvfs(target, &sv) < 0)
		die("read the mount flags of %s", target);
	static const struct { unsigned long st, ms; } keep[] = {
		{ ST_NOSUID, MS_NOSUID }, { ST_NODEV, MS_NODEV }, { ST_NOEXEC, MS_NOEXEC },
		{ ST_NOATIME, MS_NOATIME }, { ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME },
	};
	unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY;
	for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
		if (sv.f_flag & keep[i].st)
			flags |= keep[i].ms;
	if (mount(NULL, target, NULL, flags, NULL) < 0)
		die("remount %s read-only", target);
}

/* Detaches whatever is mounted on path (stacked mounts too, with everything below them), in our
 * private mount namespace only: on the host root, the host's /proc, /sys and /dev give way to the
 * container's own, as libvirt_lxc leaves only its own there. EINVAL: nothing (more) is mounted
 * there, or a user namespace may not detach a mount it inherited: then ours simply goes on top. */
static void detach_mounts(const char *path)
{
	for (int i = 0; i < 64; i++) {
		if (umount2(path, MNT_DETACH) == 0)
			continue;
		if (errno == EINVAL || errno == ENOENT)
			return;
		die("detach the mounts on %s", path);
	}
}

static void bind(const char *source, const char *target, int readonly)
{
	struct stat st;
	if (stat(source, &st) < 0)
		die("find bind source %s", source);
	if (S_ISDIR(st.st_mode))
		make_dirs(target, 0755);
	else
		make_file(target);
	do_mount(source, target, NULL, MS_BIND | MS_REC, NULL);
	if (readonly)
		remount_readonly(target);
}

static void make_node(const char *name, unsigned maj, unsigned min)
{
	char path[64];
	snprintf(path, sizeof path, "/dev/%s", name);
	if (mknod(in_root(path), S_IFCHR | 0666, makedev(maj, min)) == 0) {
		if (chmod(in_root(path), 0666) < 0) /* whatever our umask took away */
			die("set the mode of device node %s", path);
		return;
	}
	die("create device node %s", path);
}

static void make_link(const char *target, const char *name)
{
	if (symlink(target, in_root(name)) < 0)
		die("create symlink %s", name);
}

/* A tmpfs /dev with the nodes libvirt_lxc creates (lxcContainerPopulateDevices). */
static void populate_dev(void)
{
	make_dirs(in_root("/dev"), 0755);
	detach_mounts(in_root("/dev"));
	do_mount("devfs", in_root("/dev"), "tmpfs", MS_NOSUID, "mode=755,size=65536");
	make_node("null", 1, 3);
	make_node("zero", 1, 5);
	make_node("full", 1, 7);
	make_node("random", 1, 8);
	make_node("urandom", 1, 9);
	make_node("tty", 5, 0);
	make_link("/proc/self/fd/0", "/dev/stdin");
	make_link("/proc/self/fd/1", "/dev/stdout");
	make_link("/proc/self/fd/2", "/dev/stderr");
	make_link("/proc/self/fd", "/dev/fd");
}

/* The host id that id 0 of the container maps to, from uid_map/gid_map text; -1 if unmapped. */
static long host_id_of_root(const char *map)
{
	for (const char *p = map; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		unsigned long inside, outside, count;
		if (sscanf(p, "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0 && count > 0)
			return (long)outside;
	}
	return -1;
}

static void give_to(const char *path, long uid, long gid)
{
	if (lchown(path, (uid_t)uid, (gid_t)gid) < 0)
		die("give %s to the container's root", path);
}

/* In a user namespace the init may not create device nodes: we, still the host's root, enter its
 * mount namespace before it runs and give it a tmpfs /dev with the nodes, owned by the
 * container's root, as libvirt_lxc's controller prepares one for it. */
static void prepare_userns_dev(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/ns/mnt", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNS) < 0)
		die("enter the mount namespace of the init");
	close(fd);
	/* Nothing we mount may propagate back to the host. */
	do_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	long uid = host_id_of_root(plan.uid_map), gid = host_id_of_root(plan.gid_map);
	if (uid < 0 || gid < 0) {
		errno = EINVAL;
		die("find the host ids of the container's root in the id maps");
	}
	populate_dev();
	static const char *const entries[] = {
		"/dev", "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty",
		"/dev/stdin", "/dev/stdout", "/dev/stderr", "/dev/fd",
	};
	for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++)
		give_to(in_root(entries[i]), uid, gid);
}

static void mount_devpts(void)
{
	make_dirs(in_root("/dev/pts"), 0755);
	do_mount("devpts", in_root("/dev/pts"), "devpts", MS_NOSUID | MS_NOEXEC,
		 "newinstance,ptmxmode=0666,mode=0620,gid=5");
	if (plan.dev)
		make_link("pts/ptmx", "/dev/ptmx");
	else
		bind(in_root("/dev/pts/ptmx"), in_root("/dev/ptmx"), 0);
}

/* Moves the process into the prepared tree: pivot_root(".", ".") as runc does. */
static void enter_root(void)
{
	if (chdir(plan.root) < 0)
		die("change directory to %s", plan.root);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die("pivot_root to %s", plan.root);
	/* The old root is now stacked under "."; detach it. */
	if (umount2(".", MNT_DETACH) < 0)
		die("detach the old root");
	if (chdir("/") < 0)
		die("change directory to /");
}

/* Drops capabilities from the bounding set, and from the inheritable and ambient sets
 * so that execve() cannot give them back. */
static void drop_caps(void)
{
	if (plan.ncaps == 0)
		return;
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	if (syscall(SYS_capget, &hdr, data) < 0)
		die("read capabilities");
	for (int i = 0; i < plan.ncaps; i++) {
		int cap = plan.caps[i];
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			die("drop capability %d from the bounding set", cap);
		data[cap / 32].inheritable &= ~(1u << (cap % 32));
	}
	if (syscall(SYS_capset, &hdr, data) < 0)
		die("set inheritable capabilities");
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
}

/* Detached bind mounts of the console ttys, taken before anything is detached: on the host root,
 * the host's /dev (and with it the devpts the ttys live on) gives way to the container's. */
static int console_trees[MAX_ITEMS];

static void clone_consoles(const int *console_fds)
{
	for (int i = 0; i < plan.nconsoles; i++) {
		console_trees[i] = (int)syscall(SYS_open_tree, console_fds[i], "",
						AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		if (console_trees[i] < 0)
			die("take a bind mount of console %s", plan.consoles[i]);
	}
}

/* Attaches the console ttys: the first on /dev/tty1 and /dev/console, the Nth on /dev/ttyN
 * (lxcContainerSetupDev). */
static void bind_consoles(void)
{
	for (int i = 0; i < plan.nconsoles; i++) {
		char tty[32];
		snprintf(tty, sizeof tty, "/dev/tty%d", i + 1);
		make_file(in_root(tty));
		if (syscall(SYS_move_mount, console_trees[i], "", AT_FDCWD, in_root(tty),
			    MOVE_MOUNT_F_EMPTY_PATH) < 0)
			die("mount console %s on %s", plan.consoles[i], tty);
		close(console_trees[i]);
		if (i == 0)
			bind(in_root(tty), in_root("/dev/console"), 0);
	}
}

static void container_setup(const int *console_fds)
{
	if (plan.clone_flags & CLONE_NEWNS) {
		/* Nothing we mount may propagate back to the host. */
		do_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	}
	clone_consoles(console_fds);
	int pivot = plan.root && strcmp(plan.root, "/") != 0;
	if (!plan.root)
		plan.root = "/";
	if (pivot)
		do_mount(plan.root, plan.root, NULL, MS_BIND | MS_REC, NULL);
	if (plan.proc) {
		make_dirs(in_root("/proc"), 0555);
		detach_mounts(in_root("/proc"));
		do_mount("proc", in_root("/proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	}
	if (plan.proc) {
		/* /proc/sys read-only, as libvirt_lxc's basic mounts have it. */
		do_mount(in_root("/proc/sys"), in_root("/proc/sys"), NULL, MS_BIND, NULL);
		remount_readonly(in_root("/proc/sys"));
	}
	if (plan.sysfs) {
		/* Without a new network namespace the kernel hands back the host's sysfs superblock: it
		 * refuses it on top of itself (EBUSY), so a sysfs already there (host root) is detached
		 * first; and it is mounted read-write, then made read-only per mount, since asking for
		 * the shared superblock read-only fails too. */
		make_dirs(in_root("/sys"), 0555);
		if ((plan.clone_flags & CLONE_NEWUSER) && !(plan.clone_flags & CLONE_NEWNET)) {
			/* A user namespace that does not own the network namespace may not mount a
			 * fresh sysfs: bind the host's instead, with what is mounted below it, since a
			 * locked submount may not be left out (libvirt_lxc binds too). */
			do_mount("/sys", in_root("/sys"), NULL, MS_BIND | MS_REC, NULL);
		} else {
			detach_mounts(in_root("/sys"));
			do_mount("sysfs", in_root("/sys"), "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
		}
		remount_readonly(in_root("/sys"));
	}
	if (plan.dev && !(plan.clone_flags & CLONE_NEWUSER))
		populate_dev(); /* in a user namespace, prepare_userns_dev() did it before we ran */
	if (plan.devpts)
		mount_devpts();
	bind_consoles();
	for (int i = 0; i < plan.nmounts; i++) {
		struct mount_spec *m = &plan.mounts[i];
		if (m->tmpfs) {
			/* No mode: the tmpfs default 1777, as libvirt_lxc mounts <filesystem type='ram'>. */
			char opts[64] = "";
			if (m->size)
				snprintf(opts, sizeof opts, "size=%llu", (unsigned long long)m->size);
			make_dirs(in_root(m->target), 0755);
			do_mount("tmpfs", in_root(m->target), "tmpfs",
				 MS_NOSUID | MS_NODEV | (m->readonly ? MS_RDONLY : 0), opts);
		} else {
			bind(m->source, in_root(m->target), m->readonly);
		}
	}
	if (plan.root_readonly)
		remount_readonly(pivot ? plan.root : "/");
	if (pivot)
		enter_root();
	if (plan.hostname && sethostname(plan.hostname, strlen(plan.hostname)) < 0)
		die("set hostname %s", plan.hostname);
	drop_caps();
	if (plan.has_gid) {
		if (setgroups(0, NULL) < 0 && errno != EPERM)
			die("clear supplementary groups");
		if (setgid(plan.gid) < 0)
			die("set gid %u", plan.gid);
	}
	if (plan.has_uid && setuid(plan.uid) < 0)
		die("set uid %u", plan.uid);
	const char *cwd = plan.cwd ? plan.cwd : "/";
	if (chdir(cwd) < 0)
		die("change directory to %s", cwd);
	if (access(plan.argv[0], X_OK) < 0)
		die("find init %s", plan.argv[0]);
	if (setsid() < 0)
		die("create a session");
	if (plan.nconsoles > 0) {
		for (int fd = 0; fd < 3; fd++)
			if (dup2(console_fds[0], fd) < 0)
				die("redirect stdio to the console");
		for (int i = 0; i < plan.nconsoles; i++)
			if (console_fds[i] > 2)
				close(console_fds[i]);
		if (ioctl(0, TIOCSCTTY, 0) < 0)
			die("make %s the controlling tty", plan.consoles[0]);
	}
}

/* The container init: set up, report ready, wait for the go byte, exec. */
static void container_init(int gate_fd)
{
	char c;
	ssize_t n;
	/* Wait until the helper has reported our pid and written the id maps. */
	while ((n = read(gate_fd, &c, 1)) < 0 && errno == EINTR)
		;
	if (n != 1)
		_exit(1); /* the helper has already reported why */
	close(gate_fd);
	if (plan.clone_flags & CLONE_NEWUSER) {
		/* Our credentials are still the host's root, unmapped here: become the
		 * namespace's root (mapped now) so that files we create have an owner. */
		if (setresgid(0, 0, 0) < 0)
			die("set gid 0 in the user namespace");
		if (setresuid(0, 0, 0) < 0)
			die("set uid 0 in the user namespace");
	}
	static int console_fds[MAX_ITEMS];
	for (int i = 0; i < plan.nconsoles; i++) {
		console_fds[i] = open(plan.consoles[i], O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (console_fds[i] < 0)
			die("open console %s", plan.consoles[i]);
	}
	container_setup(console_fds);
	send_line("ready\n");
	while ((n = read(SYNC_FD, &c, 1)) < 0 && errno == EINTR)
		;
	if (n != 1) {
		errno = n == 0 ? EPIPE : errno;
		die("receive the go byte");
	}
	if (fcntl(SYNC_FD, F_SETFD, FD_CLOEXEC) < 0)
		die("set close-on-exec on fd %d", SYNC_FD);
	plan.argv[plan.nargs] = NULL;
	plan.envp[plan.nenv] = NULL;
	execve(plan.argv[0], plan.argv, plan.envp);
	die("execute %s", plan.argv[0]);
}

int main(void)
{
	reset_signals();
	read_plan();
	if (!plan.root)
		plan.root = "/";
	close_other_fds();

	for (int i = 0; i < plan.njoin; i++) {
		if (setns(plan.join_fd[i], plan.join_type[i]) < 0) {
			int t = plan.join_type[i];
			const char *kind = t == CLONE_NEWNET ? "net" : t == CLONE_NEWIPC ? "ipc"
					   : t == CLONE_NEWUTS ? "uts" : "other";
			/* EINVAL: the fd is no such namespace, e.g. a netns name libvirtd's mount
			 * namespace does not see mounted */
			die("join the shared %s namespace (fd %d)", kind, plan.join_fd[i]);
		}
		close(plan.join_fd[i]);
	}

	int gate[2];
	if (pipe2(gate, O_CLOEXEC) < 0)
		die("create a pipe");

	/* CLONE_PARENT: the init becomes a child of our caller, which waits for it directly. */
	pid_t pid = (pid_t)syscall(SYS_clone, (unsigned long)plan.clone_flags | CLONE_PARENT | SIGCHLD,
				   NULL, NULL, NULL, NULL);
	if (pid < 0)
		die("clone the container init");
	if (pid == 0) {
		close(gate[1]);
		container_init(gate[0]);
	}
	close(gate[0]);

	/* The caller learns the pid first, so it can always reap the init, even if we fail below. */
	send_line("pid %d\n", (int)pid);
	if (plan.clone_flags & CLONE_NEWUSER) {
		char path[64];
		if (plan.gid_map) {
			snprintf(path, sizeof path, "/proc/%d/gid_map", (int)pid);
			write_file(path, plan.gid_map);
		}
		if (plan.uid_map) {
			snprintf(path, sizeof path, "/proc/%d/uid_map", (int)pid);
			write_file(path, plan.uid_map);
		}
		if (plan.dev)
			prepare_userns_dev(pid);
	}
	write_all(gate[1], "g", 1);
	return 0;
}
