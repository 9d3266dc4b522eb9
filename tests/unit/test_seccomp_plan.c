/*
 * The seccomp filter plan, judged by running the exported BPF program on
 * synthetic syscalls with a small classic-BPF interpreter: every verdict of
 * docs/behaviour.md 2.1, 2.4 and 5.4, and the precedence of argument denials
 * over notification. The same programs are installed in real processes by
 * tests/integration/test_landlock_seccomp.c.
 */
#include "harness.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <sys/wait.h>

#include "policy/policy.h"
#include "seccomp/filter.h"
#include "util/nrset.h"
#include "util/cleanup.h"

#define RET_ERRNO(e) (SECCOMP_RET_ERRNO | (e))
#define RET_NOTIF SECCOMP_RET_USER_NOTIF
#define RET_ALLOW SECCOMP_RET_ALLOW
#define X32_BIT 0x40000000

/* ---- a classic BPF interpreter for seccomp programs ------------------- */
struct call {
	int nr;
	uint32_t arch;
	uint64_t args[6];
};

static uint32_t data_word(const struct call *c, uint32_t off)
{
	struct seccomp_data d = { .nr = c->nr, .arch = c->arch };

	memcpy(d.args, c->args, sizeof(d.args));
	if (off + 4 > sizeof(d))
		return 0xdeadbeef;
	uint32_t w;
	memcpy(&w, (const char *)&d + off, 4);
	return w;
}

static uint32_t alu(uint16_t op, uint32_t a, uint32_t x)
{
	switch (op) {
	case BPF_ADD:
		return a + x;
	case BPF_SUB:
		return a - x;
	case BPF_MUL:
		return a * x;
	case BPF_DIV:
		return x ? a / x : 0;
	case BPF_AND:
		return a & x;
	case BPF_OR:
		return a | x;
	case BPF_XOR:
		return a ^ x;
	case BPF_LSH:
		return a << (x & 31);
	case BPF_RSH:
		return a >> (x & 31);
	case BPF_NEG:
		return -a;
	}
	return 0xbadbad;
}

/* Instructions executed by the last run_bpf(). */
static unsigned bpf_steps;

/* Verdict of prog for c; 0xffffffff for a malformed program. */
static uint32_t run_bpf(const struct sock_fprog *prog, const struct call *c)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };

	bpf_steps = 0;
	for (unsigned pc = 0; pc < prog->len; pc++) {
		const struct sock_filter *f = &prog->filter[pc];

		bpf_steps++;
		uint32_t src = BPF_SRC(f->code) == BPF_X ? x : f->k;
		bool t;

		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			if (BPF_MODE(f->code) == BPF_ABS)
				a = data_word(c, f->k);
			else if (BPF_MODE(f->code) == BPF_IMM)
				a = f->k;
			else if (BPF_MODE(f->code) == BPF_MEM)
				a = mem[f->k % BPF_MEMWORDS];
			else
				return 0xffffffff;
			break;
		case BPF_LDX:
			if (BPF_MODE(f->code) == BPF_IMM)
				x = f->k;
			else if (BPF_MODE(f->code) == BPF_MEM)
				x = mem[f->k % BPF_MEMWORDS];
			else
				return 0xffffffff;
			break;
		case BPF_ST:
			mem[f->k % BPF_MEMWORDS] = a;
			break;
		case BPF_STX:
			mem[f->k % BPF_MEMWORDS] = x;
			break;
		case BPF_ALU:
			a = alu(BPF_OP(f->code), a, src);
			break;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		case BPF_RET:
			return BPF_RVAL(f->code) == BPF_A ? a : f->k;
		case BPF_JMP:
			if (BPF_OP(f->code) == BPF_JA) {
				pc += f->k;
				break;
			}
			switch (BPF_OP(f->code)) {
			case BPF_JEQ:
				t = a == src;
				break;
			case BPF_JGT:
				t = a > src;
				break;
			case BPF_JGE:
				t = a >= src;
				break;
			case BPF_JSET:
				t = (a & src) != 0;
				break;
			default:
				return 0xffffffff;
			}
			pc += t ? f->jt : f->jf;
			break;
		}
	}
	return 0xffffffff; /* fell off the end */
}

static uint32_t verdict(const struct sock_fprog *prog, long nr, uint64_t a0,
			uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct call c = { .nr = (int)nr,
			  .arch = AUDIT_ARCH_X86_64,
			  .args = { a0, a1, a2, a3 } };

	return run_bpf(prog, &c);
}

/* sendto with its destination address (argument 4). */
static uint32_t sendto_verdict(const struct sock_fprog *prog, uint64_t dest)
{
	struct call c = { .nr = SYS_sendto,
			  .arch = AUDIT_ARCH_X86_64,
			  .args = { 3, 0, 0, 0, dest } };

	return run_bpf(prog, &c);
}

/* Longest and mean path over the syscall numbers, for the report: the
 * kernel runs the filter once per number at install to build its cache. */
static void print_paths(const char *what, const struct sock_fprog *prog)
{
	unsigned max = 0, sum = 0, n = 0;

	for (long nr = 0; nr < 460; nr++) {
		verdict(prog, nr, 0, 0, 0, 0);
		sum += bpf_steps;
		max = bpf_steps > max ? bpf_steps : max;
		n++;
	}
	printf("  %s: %u instructions, path mean %.1f, max %u\n", what,
	       prog->len, (double)sum / n, max);
}

/* ---- fixtures ---------------------------------------------------------- */
static struct sl_policy *built_policy(const char *net_allow,
				      const char *extra_deny)
{
	struct sl_policy *p = sl_policy_new();
	struct sl_error e = { 0 };

	if (!p)
		return NULL;
	if (net_allow)
		sl_strv_push(&p->net_allow, net_allow);
	if (extra_deny)
		sl_strv_push(&p->extra_deny_syscalls, extra_deny);
	if (sl_policy_build(p, &e) < 0) {
		fprintf(stderr, "  policy build: %s\n", e.msg ? e.msg : "?");
		sl_error_clear(&e);
		sl_policy_free(p);
		return NULL;
	}
	return p;
}

static struct sl_nrset supervised_set(void)
{
	struct sl_nrset s = { 0 };

	sl_nrset_add(&s, SYS_clone);
	sl_nrset_add(&s, SYS_clone3);
	sl_nrset_add(&s, SYS_openat);
	sl_nrset_add(&s, SYS_socket);
	sl_nrset_add(&s, SYS_ioctl);
	sl_nrset_add(&s, SYS_prctl);
	return s;
}

/* ---- deny-only program ------------------------------------------------- */
TEST(default_program_denies_the_default_list)
{
	struct sl_policy *p = built_policy(NULL, NULL);
	struct sock_fprog prog = { 0 };
	struct sl_error e = { 0 };

	CHECK(p);
	CHECK_EQ_INT(sl_seccomp_build(p, NULL, &prog, &e), 0);
	print_paths("deny-only default program", &prog);
	CHECK(prog.len > 0 && prog.len <= 260);
	for (size_t i = 0; i < p->deny_syscalls.n; i++)
		CHECK_EQ_INT(verdict(&prog, p->deny_syscalls.v[i], 0, 0, 0, 0),
			     RET_ERRNO(EPERM));
	CHECK_EQ_INT(verdict(&prog, SYS_mount, 0, 0, 0, 0), RET_ERRNO(EPERM));
	CHECK_EQ_INT(verdict(&prog, SYS_ptrace, 0, 0, 0, 0), RET_ERRNO(EPERM));
	CHECK_EQ_INT(verdict(&prog, SYS_shmget, 0, 0, 0, 0), RET_ERRNO(EPERM));
	CHECK_EQ_INT(verdict(&prog, SYS_getpid, 0, 0, 0, 0), RET_ALLOW);
	CHECK_EQ_INT(verdict(&prog, SYS_openat, 0, 0, 0, 0), RET_ALLOW);
	CHECK_EQ_INT(verdict(&prog, SYS_wait4, -1, 0, 0, 0), RET_ALLOW);
	sl_seccomp_free(&prog);
	CHECK(prog.filter == NULL);
	sl_policy_free(p);
}

TEST(foreign_architectures_are_killed)
{
	struct sl_policy *p = built_policy(NULL, NULL);
	struct sock_fprog prog = { 0 };
	struct call i386 = { .nr = SYS_getpid, .arch = AUDIT_ARCH_I386 };

	CHECK(p);
	CHECK_EQ_INT(sl_seccomp_build(p, NULL, &prog, NULL), 0);
	CHECK_EQ_INT(run_bpf(&prog, &i386), SECCOMP_RET_KILL_PROCESS);
	/* x32 numbers share the x86_64 audit arch. */
	CHECK_EQ_INT(verdict(&prog, X32_BIT | SYS_getpid, 0, 0, 0, 0),
		     SECCOMP_RET_KILL_PROCESS);
	sl_seccomp_free(&prog);
	sl_policy_free(p);
}

TEST(argument_filters)
{
	struct sl_policy *p = built_policy(NULL, NULL);
	struct sock_fprog prog = { 0 };
	const uint64_t ns_flags[] = { CLONE_NEWNS,   CLONE_NEWCGROUP,
				      CLONE_NEWUTS,  CLONE_NEWIPC,
				      CLONE_NEWUSER, CLONE_NEWPID,
				      CLONE_NEWNET };
	const uint32_t ioctls[] = { 0x5412, 0x541C, 0x8910, 0x8912,
				    0x8913, 0x8915, 0x8917, 0x8919,
				    0x891B, 0x8927, 0x8933, 0x8946 };

	CHECK(p);
	CHECK_EQ_INT(sl_seccomp_build(p, NULL, &prog, NULL), 0);
	for (size_t i = 0; i < SL_ARRAY_SIZE(ns_flags); i++)
		CHECK_EQ_INT(verdict(&prog, SYS_clone, ns_flags[i] | SIGCHLD, 0,
				     0, 0),
			     RET_ERRNO(EPERM));
	CHECK_EQ_INT(verdict(&prog, SYS_clone, SIGCHLD, 0, 0, 0), RET_ALLOW);
	CHECK_EQ_INT(verdict(&prog, SYS_clone,
			     CLONE_VM | CLONE_THREAD | CLONE_SIGHAND, 0, 0, 0),
		     RET_ALLOW);
	for (size_t i = 0; i < SL_ARRAY_SIZE(ioctls); i++) {
		CHECK_EQ_INT(verdict(&prog, SYS_ioctl, 0, ioctls[i], 0, 0),
			     RET_ERRNO(EPERM));
		/* The kernel ignores the upper half of the request. */
		CHECK_EQ_INT(verdict(&prog, SYS_ioctl, 0,
				     0xabcd00000000ULL | ioctls[i], 0, 0),
			     RET_ERRNO(EPERM));
	}
	CHECK_EQ_INT(verdict(&prog, SYS_ioctl, 0, TCGETS, 0, 0), RET_ALLOW);
	CHECK_EQ_INT(verdict(&prog, SYS_prctl, PR_SET_DUMPABLE, 0, 0, 0),
		     RET_ERRNO(EPERM));
	CHECK_EQ_INT(verdict(&prog, SYS_prctl, PR_SET_SECUREBITS, 0, 0, 0),
		     RET_ERRNO(EPERM));
	CHECK_EQ_INT(verdict(&prog, SYS_prctl, PR_SET_PTRACER, 0, 0, 0),
		     RET_ERRNO(EPERM));
	CHECK_EQ_INT(verdict(&prog, SYS_prctl,
			     0xffffffff00000000ULL | PR_SET_DUMPABLE, 0, 0, 0),
		     RET_ERRNO(EPERM));
	CHECK_EQ_INT(verdict(&prog, SYS_prctl, PR_SET_NAME, 0, 0, 0),
		     RET_ALLOW);
	CHECK_EQ_INT(verdict(&prog, SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0),
		     RET_ALLOW);
	sl_seccomp_free(&prog);
	sl_policy_free(p);
}

/* Does nr (socket, socketpair) pass BPF for unix, inet, inet6 and
 * netlink only, and get EAFNOSUPPORT for every other domain? */
static bool only_four_families(const struct sock_fprog *prog, long nr)
{
	for (uint64_t af = 0; af <= 64; af++) {
		bool ok = af == AF_UNIX || af == AF_INET || af == AF_INET6 ||
			  af == AF_NETLINK;
		uint32_t v = verdict(prog, nr, af, SOCK_STREAM, 0, 0);

		if (v != (ok ? RET_ALLOW : RET_ERRNO(EAFNOSUPPORT))) {
			fprintf(stderr,
				"  syscall %ld, domain %llu: verdict "
				"%#x\n",
				nr, (unsigned long long)af, v);
			return false;
		}
	}
	return true;
}

TEST(socket_gating_without_udp_rules)
{
	struct sl_policy *p = built_policy(NULL, NULL);
	struct sock_fprog prog = { 0 };

	CHECK(p);
	CHECK_EQ_INT(sl_seccomp_build(p, NULL, &prog, NULL), 0);
	CHECK(only_four_families(&prog, SYS_socket));
	CHECK_EQ_INT(verdict(&prog, SYS_socket, (uint64_t)-1, SOCK_STREAM, 0,
			     0),
		     RET_ERRNO(EAFNOSUPPORT));
	CHECK_EQ_INT(verdict(&prog, SYS_socket, AF_INET, SOCK_RAW, 1, 0),
		     RET_ERRNO(EPERM));
	CHECK_EQ_INT(verdict(&prog, SYS_socket, AF_INET6,
			     SOCK_RAW | SOCK_CLOEXEC, 58, 0),
		     RET_ERRNO(EPERM));
	CHECK_EQ_INT(verdict(&prog, SYS_socket, AF_INET, SOCK_DGRAM, 0, 0),
		     RET_ERRNO(EPERM));
	CHECK_EQ_INT(verdict(&prog, SYS_socket, AF_INET6,
			     SOCK_DGRAM | SOCK_NONBLOCK, 0, 0),
		     RET_ERRNO(EPERM));
	CHECK_EQ_INT(verdict(&prog, SYS_socket, AF_INET,
			     SOCK_STREAM | SOCK_CLOEXEC, 0, 0),
		     RET_ALLOW);
	CHECK_EQ_INT(verdict(&prog, SYS_socket, AF_UNIX, SOCK_DGRAM, 0, 0),
		     RET_ALLOW);
	CHECK_EQ_INT(verdict(&prog, SYS_socket, AF_NETLINK, SOCK_RAW, 0, 0),
		     RET_ALLOW);
	CHECK_EQ_INT(verdict(&prog, SYS_socket, AF_NETLINK, SOCK_RAW, 9, 0),
		     RET_ERRNO(EAFNOSUPPORT));
	sl_seccomp_free(&prog);
	sl_policy_free(p);
}

TEST(udp_rule_allows_datagram_sockets_only)
{
	struct sl_policy *p = built_policy("udp://1.1.1.1:53", NULL);
	struct sock_fprog prog = { 0 };

	CHECK(p);
	CHECK_EQ_INT(sl_seccomp_build(p, NULL, &prog, NULL), 0);
	CHECK_EQ_INT(verdict(&prog, SYS_socket, AF_INET, SOCK_DGRAM, 0, 0),
		     RET_ALLOW);
	CHECK_EQ_INT(verdict(&prog, SYS_socket, AF_INET6, SOCK_DGRAM, 0, 0),
		     RET_ALLOW);
	CHECK_EQ_INT(verdict(&prog, SYS_socket, AF_INET, SOCK_RAW, 0, 0),
		     RET_ERRNO(EPERM));
	sl_seccomp_free(&prog);
	sl_policy_free(p);
}

/* The socket() allow list on AF_INET/AF_INET6 (inet_sockets.c): every
 * (type, protocol) outside it, whatever its upper bits, and the answers
 * a kernel without the protocol would give. */
static uint32_t inet_verdict(const struct sock_fprog *prog, uint64_t af,
			     uint64_t type, uint64_t proto)
{
	return verdict(prog, SYS_socket, af, type, proto, 0);
}

TEST(inet_sockets_are_an_allow_list)
{
	struct sl_policy *p = built_policy("udp://1.1.1.1:53", NULL);
	struct sock_fprog prog = { 0 };
	const uint64_t hi = 1ULL << 32;

	CHECK(p);
	CHECK_EQ_INT(sl_seccomp_build(p, NULL, &prog, NULL), 0);
	for (uint64_t af = AF_INET; af <= AF_INET6; af += AF_INET6 - AF_INET) {
		uint64_t icmp = af == AF_INET ? 1 : 58;

		for (uint64_t proto = 0; proto < 1024; proto++) {
			uint32_t want = RET_ERRNO(EPROTONOSUPPORT);

			if (proto == 0 || proto == 6)
				want = RET_ALLOW;
			CHECK_EQ_INT(inet_verdict(&prog, af, SOCK_STREAM,
						  proto),
				     want);
			want = RET_ERRNO(EPROTONOSUPPORT);
			if (proto == 0 || proto == 17)
				want = RET_ALLOW;
			else if (proto == icmp)
				want = RET_ERRNO(EPERM); /* no ICMP rule */
			CHECK_EQ_INT(inet_verdict(&prog, af,
						  SOCK_DGRAM | SOCK_NONBLOCK,
						  proto),
				     want);
			CHECK_EQ_INT(inet_verdict(&prog, af, SOCK_RAW, proto),
				     RET_ERRNO(EPERM));
		}
		for (uint64_t type = 0; type < 16; type++) {
			uint32_t want = RET_ERRNO(ESOCKTNOSUPPORT);

			if (type >= 1 && type <= 3)
				continue;
			if (type > SOCK_PACKET)
				want = RET_ERRNO(EINVAL);
			CHECK_EQ_INT(inet_verdict(&prog, af,
						  type | SOCK_CLOEXEC, 0),
				     want);
		}
		/* Upper bits of the protocol are no way around the list. */
		CHECK_EQ_INT(inet_verdict(&prog, af, SOCK_STREAM, hi | 6),
			     RET_ERRNO(EPROTONOSUPPORT));
		CHECK_EQ_INT(inet_verdict(&prog, af, SOCK_DGRAM, hi),
			     RET_ERRNO(EPROTONOSUPPORT));
		CHECK_EQ_INT(inet_verdict(&prog, af, SOCK_STREAM, (uint64_t)-1),
			     RET_ERRNO(EPROTONOSUPPORT));
		/* Nor are the upper bits of the type. */
		CHECK_EQ_INT(inet_verdict(&prog, af, hi | SOCK_STREAM, 262),
			     RET_ERRNO(EPROTONOSUPPORT));
	}
	sl_seccomp_free(&prog);
	sl_policy_free(p);
}

TEST(ping_sockets_need_an_icmp_rule)
{
	struct sl_policy *icmp = built_policy("icmp://1.1.1.1", NULL);
	struct sl_policy *udp = built_policy("udp://1.1.1.1", NULL);
	struct sock_fprog pi = { 0 }, pu = { 0 };

	CHECK(icmp && udp);
	CHECK_EQ_INT(sl_seccomp_build(icmp, NULL, &pi, NULL), 0);
	CHECK_EQ_INT(sl_seccomp_build(udp, NULL, &pu, NULL), 0);
	CHECK_EQ_INT(inet_verdict(&pi, AF_INET, SOCK_DGRAM, 1), RET_ALLOW);
	CHECK_EQ_INT(inet_verdict(&pi, AF_INET6, SOCK_DGRAM, 58), RET_ALLOW);
	CHECK_EQ_INT(inet_verdict(&pi, AF_INET, SOCK_DGRAM, 58),
		     RET_ERRNO(EPROTONOSUPPORT));
	CHECK_EQ_INT(inet_verdict(&pi, AF_INET6, SOCK_DGRAM, 1),
		     RET_ERRNO(EPROTONOSUPPORT));
	/* As the reference: an ICMP rule opens UDP sockets too. */
	CHECK_EQ_INT(inet_verdict(&pi, AF_INET, SOCK_DGRAM, 0), RET_ALLOW);
	CHECK_EQ_INT(inet_verdict(&pu, AF_INET, SOCK_DGRAM, 1),
		     RET_ERRNO(EPERM));
	CHECK_EQ_INT(inet_verdict(&pu, AF_INET6, SOCK_DGRAM, 58),
		     RET_ERRNO(EPERM));
	sl_seccomp_free(&pi);
	sl_seccomp_free(&pu);
	sl_policy_free(icmp);
	sl_policy_free(udp);
}

TEST(socketpair_only_for_unix)
{
	struct sl_policy *p = built_policy(NULL, NULL);
	struct sock_fprog prog = { 0 };

	CHECK(p);
	CHECK_EQ_INT(sl_seccomp_build(p, NULL, &prog, NULL), 0);
	/* The kernel answers EOPNOTSUPP for the three besides unix. */
	CHECK(only_four_families(&prog, SYS_socketpair));
	sl_seccomp_free(&prog);
	sl_policy_free(p);
}

/* ---- with a notification set ------------------------------------------- */
TEST(argument_denials_win_over_notification)
{
	struct sl_policy *p = built_policy(NULL, NULL);
	struct sl_nrset set = supervised_set();
	struct sock_fprog prog = { 0 };
	struct sl_error e = { 0 };

	CHECK(p);
	CHECK_EQ_INT(sl_seccomp_build(p, &set, &prog, &e), 0);
	print_paths("with clone, wait, openat, socket, ioctl, prctl notified",
		    &prog);
	CHECK(prog.len <= 400);
	CHECK_EQ_INT(verdict(&prog, SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0,
			     0),
		     RET_ERRNO(EPERM));
	CHECK_EQ_INT(verdict(&prog, SYS_clone, SIGCHLD, 0, 0, 0), RET_NOTIF);
	CHECK_EQ_INT(verdict(&prog, SYS_ioctl, 0, 0x5412, 0, 0),
		     RET_ERRNO(EPERM));
	CHECK_EQ_INT(verdict(&prog, SYS_ioctl, 0, TCGETS, 0, 0), RET_NOTIF);
	CHECK_EQ_INT(verdict(&prog, SYS_prctl, PR_SET_DUMPABLE, 0, 0, 0),
		     RET_ERRNO(EPERM));
	CHECK_EQ_INT(verdict(&prog, SYS_prctl, PR_SET_NAME, 0, 0, 0),
		     RET_NOTIF);
	CHECK_EQ_INT(verdict(&prog, SYS_socket, 17 /* AF_PACKET */, SOCK_RAW, 0,
			     0),
		     RET_ERRNO(EAFNOSUPPORT));
	CHECK_EQ_INT(verdict(&prog, SYS_socket, AF_INET, SOCK_RAW, 0, 0),
		     RET_ERRNO(EPERM));
	CHECK_EQ_INT(verdict(&prog, SYS_socket, AF_UNIX, SOCK_STREAM, 0, 0),
		     RET_NOTIF);
	CHECK_EQ_INT(verdict(&prog, SYS_openat, 0, 0, 0, 0), RET_NOTIF);
	CHECK_EQ_INT(verdict(&prog, SYS_clone3, 0, 0, 0, 0), RET_NOTIF);
	CHECK_EQ_INT(verdict(&prog, SYS_mount, 0, 0, 0, 0), RET_ERRNO(EPERM));
	CHECK_EQ_INT(verdict(&prog, SYS_getpid, 0, 0, 0, 0), RET_ALLOW);
	CHECK_EQ_INT(verdict(&prog, X32_BIT | SYS_openat, 0, 0, 0, 0),
		     SECCOMP_RET_KILL_PROCESS);
	sl_seccomp_free(&prog);
	sl_policy_free(p);
}

/* A condition narrows a syscall only while every module that asked for
 * it asked narrowly: one plain request (a custom handler) has every call
 * notified. */
TEST(narrow_conditions_apply_only_to_narrow_requests)
{
	struct sl_policy *p = built_policy(NULL, NULL);
	struct sl_nrset set = { 0 };
	struct sock_fprog prog = { 0 };

	CHECK(p);
	sl_nrset_add_narrow(&set, SYS_sendto);
	sl_nrset_add_narrow(&set, SYS_getpgid);
	sl_nrset_add_narrow(&set, SYS_setpriority);
	sl_nrset_add_narrow(&set, SYS_getsid);
	sl_nrset_add(&set, SYS_getsid);
	CHECK_EQ_INT(sl_seccomp_build(p, &set, &prog, NULL), 0);
	CHECK_EQ_INT(sendto_verdict(&prog, 0), RET_ALLOW);
	CHECK_EQ_INT(sendto_verdict(&prog, 0x1000), RET_NOTIF);
	CHECK_EQ_INT(verdict(&prog, SYS_getpgid, 0, 0, 0, 0), RET_ALLOW);
	CHECK_EQ_INT(verdict(&prog, SYS_getpgid, 77, 0, 0, 0), RET_NOTIF);
	CHECK_EQ_INT(verdict(&prog, SYS_setpriority, 0, 0, 0, 0), RET_ALLOW);
	CHECK_EQ_INT(verdict(&prog, SYS_setpriority, 0, 77, 0, 0), RET_NOTIF);
	CHECK_EQ_INT(verdict(&prog, SYS_setpriority, 1, 0, 0, 0), RET_NOTIF);
	/* asked for plainly too */
	CHECK_EQ_INT(verdict(&prog, SYS_getsid, 0, 0, 0, 0), RET_NOTIF);
	sl_seccomp_free(&prog);
	sl_policy_free(p);
}

/* Two conditions asked for one syscall by two modules: either notifies. */
TEST(two_conditions_on_one_syscall_are_a_union)
{
	struct sl_policy *p = built_policy(NULL, NULL);
	struct sl_nrset set = { 0 };
	struct sock_fprog prog = { 0 };

	CHECK(p);
	sl_nrset_add_narrow(&set, SYS_newfstatat); /* a path, not a fd */
	sl_nrset_add_at_cwd(&set, SYS_newfstatat);
	CHECK_EQ_INT(sl_seccomp_build(p, &set, &prog, NULL), 0);
	CHECK_EQ_INT(verdict(&prog, SYS_newfstatat, 5, 0, 0, AT_EMPTY_PATH),
		     RET_ALLOW);
	CHECK_EQ_INT(verdict(&prog, SYS_newfstatat, (uint32_t)AT_FDCWD, 0, 0,
			     AT_EMPTY_PATH),
		     RET_NOTIF);
	CHECK_EQ_INT(verdict(&prog, SYS_newfstatat, 5, 0, 0, 0), RET_NOTIF);
	sl_seccomp_free(&prog);
	sl_policy_free(p);
}

TEST(notification_without_argument_filters_is_one_tree)
{
	struct sl_policy *p = built_policy(NULL, NULL);
	struct sl_nrset set = { 0 };
	struct sock_fprog prog = { 0 };

	CHECK(p);
	sl_nrset_add(&set, SYS_openat);
	sl_nrset_add(&set, SYS_uname);
	CHECK_EQ_INT(sl_seccomp_build(p, &set, &prog, NULL), 0);
	print_paths("with openat, uname notified (one tree)", &prog);
	CHECK_EQ_INT(verdict(&prog, SYS_openat, 0, 0, 0, 0), RET_NOTIF);
	CHECK_EQ_INT(verdict(&prog, SYS_uname, 0, 0, 0, 0), RET_NOTIF);
	CHECK_EQ_INT(verdict(&prog, SYS_clone, CLONE_NEWNET, 0, 0, 0),
		     RET_ERRNO(EPERM));
	CHECK_EQ_INT(verdict(&prog, SYS_bpf, 0, 0, 0, 0), RET_ERRNO(EPERM));
	CHECK_EQ_INT(verdict(&prog, SYS_read, 0, 0, 0, 0), RET_ALLOW);
	sl_seccomp_free(&prog);
	sl_policy_free(p);
}

/* Architecture checks in a program: one per chained piece. */
static unsigned arch_checks(const struct sock_fprog *prog)
{
	unsigned n = 0;

	for (unsigned i = 0; i < prog->len; i++)
		if (prog->filter[i].code == (BPF_LD | BPF_W | BPF_ABS) &&
		    prog->filter[i].k == offsetof(struct seccomp_data, arch))
			n++;
	return n;
}

TEST(clone_notified_beside_its_namespace_denials_is_one_tree)
{
	struct sl_policy *p = built_policy(NULL, NULL);
	struct sl_nrset set = { 0 };
	struct sock_fprog prog = { 0 };
	const uint64_t thread = CLONE_VM | CLONE_FS | CLONE_FILES |
				CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM;

	CHECK(p);
	/* The typical set: max_processes and the unix socket gate. */
	sl_nrset_add(&set, SYS_clone);
	sl_nrset_add(&set, SYS_clone3);
	sl_nrset_add(&set, SYS_fork);
	sl_nrset_add(&set, SYS_vfork);
	sl_nrset_add(&set, SYS_connect);
	sl_nrset_add_narrow(&set, SYS_sendto);
	CHECK_EQ_INT(sl_seccomp_build(p, &set, &prog, NULL), 0);
	print_paths("with clone, fork, connect, sendto notified", &prog);
	CHECK_EQ_INT(arch_checks(&prog), 1);
	CHECK_EQ_INT(verdict(&prog, SYS_clone, SIGCHLD, 0, 0, 0), RET_NOTIF);
	CHECK_EQ_INT(verdict(&prog, SYS_clone, thread, 0, 0, 0), RET_NOTIF);
	CHECK_EQ_INT(verdict(&prog, SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0,
			     0),
		     RET_ERRNO(EPERM));
	CHECK_EQ_INT(verdict(&prog, SYS_clone, CLONE_NEWNET | thread, 0, 0, 0),
		     RET_ERRNO(EPERM));
	CHECK_EQ_INT(verdict(&prog, SYS_clone,
			     CLONE_NEWNS | CLONE_NEWPID | SIGCHLD, 0, 0, 0),
		     RET_ERRNO(EPERM));
	CHECK_EQ_INT(verdict(&prog, SYS_fork, 0, 0, 0, 0), RET_NOTIF);
	CHECK_EQ_INT(verdict(&prog, SYS_sendto, 3, 0, 0, 0), RET_ALLOW);
	CHECK_EQ_INT(verdict(&prog, SYS_connect, 3, 0, 0, 0), RET_NOTIF);
	CHECK_EQ_INT(verdict(&prog, SYS_ioctl, 0, 0x5412, 0, 0),
		     RET_ERRNO(EPERM));
	CHECK_EQ_INT(verdict(&prog, SYS_ioctl, 0, TCGETS, 0, 0), RET_ALLOW);
	CHECK_EQ_INT(verdict(&prog, SYS_socket, 17, SOCK_RAW, 0, 0),
		     RET_ERRNO(EAFNOSUPPORT));
	CHECK_EQ_INT(verdict(&prog, SYS_mount, 0, 0, 0, 0), RET_ERRNO(EPERM));
	CHECK_EQ_INT(verdict(&prog, SYS_getpid, 0, 0, 0, 0), RET_ALLOW);
	sl_seccomp_free(&prog);
	sl_policy_free(p);
}

/* Narrow notifications (nrset.h): rtnetlink's socket(), and bind and
 * connect with a sockaddr_nl's length, beside the socket denials in one
 * tree; a full notification of the same syscall wins; a denial makes a
 * narrow one moot instead of a conflict. */
TEST(narrow_notifications)
{
	struct sl_policy *p = built_policy(NULL, NULL);
	struct sl_policy *deny = built_policy(NULL, "socket");
	struct sl_nrset set = { 0 };
	struct sock_fprog prog = { 0 };

	CHECK(p && deny);
	sl_nrset_add(&set, SYS_clone);
	sl_nrset_add_narrow(&set, SYS_socket);
	sl_nrset_add_narrow(&set, SYS_bind);
	sl_nrset_add_narrow(&set, SYS_connect);
	sl_nrset_add_narrow(&set, SYS_getsockname);
	CHECK_EQ_INT(sl_seccomp_build(p, &set, &prog, NULL), 0);
	print_paths("with clone notified, socket/bind/connect narrow", &prog);
	CHECK_EQ_INT(arch_checks(&prog), 1);
	CHECK_EQ_INT(verdict(&prog, SYS_socket, AF_NETLINK, SOCK_RAW, 0, 0),
		     RET_NOTIF);
	CHECK_EQ_INT(verdict(&prog, SYS_socket, AF_NETLINK, SOCK_RAW, 9, 0),
		     RET_ERRNO(EAFNOSUPPORT));
	CHECK_EQ_INT(verdict(&prog, SYS_socket, AF_INET, SOCK_STREAM, 0, 0),
		     RET_ALLOW);
	CHECK_EQ_INT(verdict(&prog, SYS_socket, AF_INET, SOCK_STREAM, 262, 0),
		     RET_ERRNO(EPROTONOSUPPORT));
	CHECK_EQ_INT(verdict(&prog, SYS_bind, 3, 0, 12, 0), RET_NOTIF);
	CHECK_EQ_INT(verdict(&prog, SYS_bind, 3, 0, 16, 0), RET_ALLOW);
	CHECK_EQ_INT(verdict(&prog, SYS_connect, 3, 0, 12, 0), RET_NOTIF);
	CHECK_EQ_INT(verdict(&prog, SYS_connect, 3, 0, 28, 0), RET_ALLOW);
	CHECK_EQ_INT(verdict(&prog, SYS_getsockname, 3, 0, 0, 0), RET_NOTIF);
	sl_seccomp_free(&prog);

	sl_nrset_add(&set, SYS_connect);
	CHECK_EQ_INT(sl_seccomp_build(p, &set, &prog, NULL), 0);
	CHECK_EQ_INT(verdict(&prog, SYS_connect, 3, 0, 28, 0), RET_NOTIF);
	CHECK_EQ_INT(verdict(&prog, SYS_bind, 3, 0, 16, 0), RET_ALLOW);
	sl_seccomp_free(&prog);

	CHECK_EQ_INT(sl_seccomp_build(deny, &set, &prog, NULL), 0);
	CHECK_EQ_INT(verdict(&prog, SYS_socket, AF_NETLINK, SOCK_RAW, 0, 0),
		     RET_ERRNO(EPERM));
	sl_seccomp_free(&prog);
	sl_policy_free(p);
	sl_policy_free(deny);
}

TEST(extra_deny_syscalls_are_denied)
{
	struct sl_policy *p = built_policy(NULL, "getpid,ioctl");
	struct sock_fprog prog = { 0 };

	CHECK(p);
	CHECK_EQ_INT(sl_seccomp_build(p, NULL, &prog, NULL), 0);
	CHECK_EQ_INT(verdict(&prog, SYS_getpid, 0, 0, 0, 0), RET_ERRNO(EPERM));
	CHECK_EQ_INT(verdict(&prog, SYS_ioctl, 0, TCGETS, 0, 0),
		     RET_ERRNO(EPERM));
	CHECK_EQ_INT(verdict(&prog, SYS_getppid, 0, 0, 0, 0), RET_ALLOW);
	sl_seccomp_free(&prog);
	sl_policy_free(p);
}

TEST(denied_and_notified_is_a_build_error)
{
	struct sl_policy *p = built_policy(NULL, "openat");
	struct sl_nrset set = { 0 };
	struct sock_fprog prog = { 0 };
	struct sl_error e = { 0 };

	CHECK(p);
	sl_nrset_add(&set, SYS_openat);
	CHECK_EQ_INT(sl_seccomp_build(p, &set, &prog, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "syscall openat is denied but needed by ");
	CHECK(prog.filter == NULL);
	sl_error_clear(&e);
	sl_policy_free(p);
}
