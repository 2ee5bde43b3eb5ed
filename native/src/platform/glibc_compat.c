/* The shipped liblamina.so must load on glibc 2.28 (Debian 10, RHEL 8, Ubuntu 18.10) although it
 * is built on a newer glibc: the linker binds every libc/libm reference to the newest version of
 * its symbol, and the static libstdc++/libgcc linked into the library bring references of their
 * own (threads, random_device, the unwinder). cmake/LaminaGlibcBaseline.cmake links with
 * -Wl,--wrap=SYMBOL for each symbol whose default version is newer than 2.28, so the reference
 * becomes __wrap_SYMBOL, defined here: either a call to the old version of the same function
 * (bound with .symver) or, for what did not exist in 2.28, an emulation over older functions.
 * tests/native/check_glibc_symbols.sh fails the build when a newer version slips through.
 *
 * Linux/glibc only; the file is compiled into the shared library and the test binaries. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
#define LM_GLIBC_OLD "GLIBC_2.2.5"
#define LM_STAT_VER 1 /* _STAT_VER_LINUX of <bits/stat.h> before 2.33 */
#elif defined(__aarch64__)
#define LM_GLIBC_OLD "GLIBC_2.17"
#define LM_STAT_VER 0
#else
#error "glibc_compat.c knows the old symbol versions of x86_64 and aarch64 only"
#endif

#define LM_OLD(local, name) __asm__(".symver " #local "," #name "@" LM_GLIBC_OLD)
#define LM_HIDDEN __attribute__((visibility("hidden")))

/* ---- libm: 2.29 rewrote exp/log/pow and gave them new versions; the old ones compute the same
 * values (they differ only in SVID error handling, which nothing here uses). */
double lm_old_pow(double, double);
double lm_old_log(double);
double lm_old_log2(double);
double lm_old_exp(double);
LM_OLD(lm_old_pow, pow);
LM_OLD(lm_old_log, log);
LM_OLD(lm_old_log2, log2);
LM_OLD(lm_old_exp, exp);
LM_HIDDEN double __wrap_pow(double x, double y) { return lm_old_pow(x, y); }
LM_HIDDEN double __wrap_log(double x) { return lm_old_log(x); }
LM_HIDDEN double __wrap_log2(double x) { return lm_old_log2(x); }
LM_HIDDEN double __wrap_exp(double x) { return lm_old_exp(x); }

/* ---- stat family: exported functions since 2.33; before, inline wrappers over __xstat & co. */
int lm_old_xstat(int, const char *, struct stat *);
int lm_old_lxstat(int, const char *, struct stat *);
int lm_old_fxstat(int, int, struct stat *);
int lm_old_fxstat64(int, int, struct stat64 *);
LM_OLD(lm_old_xstat, __xstat);
LM_OLD(lm_old_lxstat, __lxstat);
LM_OLD(lm_old_fxstat, __fxstat);
LM_OLD(lm_old_fxstat64, __fxstat64);
LM_HIDDEN int __wrap_stat(const char *path, struct stat *buf) { return lm_old_xstat(LM_STAT_VER, path, buf); }
LM_HIDDEN int __wrap_lstat(const char *path, struct stat *buf) { return lm_old_lxstat(LM_STAT_VER, path, buf); }
LM_HIDDEN int __wrap_fstat(int fd, struct stat *buf) { return lm_old_fxstat(LM_STAT_VER, fd, buf); }
LM_HIDDEN int __wrap_fstat64(int fd, struct stat64 *buf) { return lm_old_fxstat64(LM_STAT_VER, fd, buf); }

/* ---- pthread: moved from libpthread.so.0 into libc in 2.34 under new versions. The old version
 * names resolve in libpthread.so.0 on old systems (the library lists it as DT_NEEDED) and in
 * libc.so.6 on new ones, which keeps them for exactly this purpose. */
int lm_old_pthread_create(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
int lm_old_pthread_join(pthread_t, void **);
int lm_old_pthread_detach(pthread_t);
int lm_old_pthread_once(pthread_once_t *, void (*)(void));
int lm_old_pthread_key_create(pthread_key_t *, void (*)(void *));
int lm_old___pthread_key_create(pthread_key_t *, void (*)(void *));
int lm_old_pthread_key_delete(pthread_key_t);
void *lm_old_pthread_getspecific(pthread_key_t);
int lm_old_pthread_setspecific(pthread_key_t, const void *);
LM_OLD(lm_old_pthread_create, pthread_create);
LM_OLD(lm_old_pthread_join, pthread_join);
LM_OLD(lm_old_pthread_detach, pthread_detach);
LM_OLD(lm_old_pthread_once, pthread_once);
LM_OLD(lm_old_pthread_key_create, pthread_key_create);
LM_OLD(lm_old___pthread_key_create, __pthread_key_create);
LM_OLD(lm_old_pthread_key_delete, pthread_key_delete);
LM_OLD(lm_old_pthread_getspecific, pthread_getspecific);
LM_OLD(lm_old_pthread_setspecific, pthread_setspecific);
LM_HIDDEN int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*f)(void *), void *arg) {
    return lm_old_pthread_create(t, a, f, arg);
}
LM_HIDDEN int __wrap_pthread_join(pthread_t t, void **r) { return lm_old_pthread_join(t, r); }
LM_HIDDEN int __wrap_pthread_detach(pthread_t t) { return lm_old_pthread_detach(t); }
LM_HIDDEN int __wrap_pthread_once(pthread_once_t *o, void (*f)(void)) { return lm_old_pthread_once(o, f); }
LM_HIDDEN int __wrap_pthread_key_create(pthread_key_t *k, void (*d)(void *)) { return lm_old_pthread_key_create(k, d); }
LM_HIDDEN int __wrap___pthread_key_create(pthread_key_t *k, void (*d)(void *)) { return lm_old___pthread_key_create(k, d); }
LM_HIDDEN int __wrap_pthread_key_delete(pthread_key_t k) { return lm_old_pthread_key_delete(k); }
LM_HIDDEN void *__wrap_pthread_getspecific(pthread_key_t k) { return lm_old_pthread_getspecific(k); }
LM_HIDDEN int __wrap_pthread_setspecific(pthread_key_t k, const void *v) { return lm_old_pthread_setspecific(k, v); }

/* pthread_cond_clockwait (2.30; libstdc++'s condition_variable waits on steady_clock with it).
 * The condition variables here use the default clock, CLOCK_REALTIME, so the monotonic deadline
 * becomes the same distance from now on that clock. A wall-clock step during the wait shifts the
 * wake-up, as it did before 2.30; the callers re-check their own steady-clock deadline. */
LM_HIDDEN int __wrap_pthread_cond_clockwait(pthread_cond_t *cond, pthread_mutex_t *mutex, clockid_t clock,
                                            const struct timespec *abstime) {
    if (clock == CLOCK_REALTIME) {
        return pthread_cond_timedwait(cond, mutex, abstime);
    }
    if (clock != CLOCK_MONOTONIC) {
        return EINVAL;
    }
    struct timespec now_mono, now_real;
    clock_gettime(CLOCK_MONOTONIC, &now_mono);
    clock_gettime(CLOCK_REALTIME, &now_real);
    long long rel_ns = (long long)(abstime->tv_sec - now_mono.tv_sec) * 1000000000LL
                       + (abstime->tv_nsec - now_mono.tv_nsec);
    if (rel_ns <= 0) {
        return ETIMEDOUT; /* the mutex stays locked, as after a real timeout */
    }
    long long deadline_ns = (long long)now_real.tv_nsec + rel_ns % 1000000000LL;
    struct timespec deadline;
    deadline.tv_sec = now_real.tv_sec + (time_t)(rel_ns / 1000000000LL) + (time_t)(deadline_ns / 1000000000LL);
    deadline.tv_nsec = (long)(deadline_ns % 1000000000LL);
    return pthread_cond_timedwait(cond, mutex, &deadline);
}

/* ---- arc4random (2.36; std::random_device): getrandom (2.25), else /dev/urandom. A random
 * device that cannot deliver must not hand out predictable numbers, so the last resort aborts,
 * as glibc's own arc4random does. */
static ssize_t lm_getrandom_some(void *ctx, unsigned char *p, size_t n) {
    (void)ctx;
    return getrandom(p, n, 0);
}

static ssize_t lm_read_some(void *ctx, unsigned char *p, size_t n) { return read(*(int *)ctx, p, n); }

/* Reads from `source` until n bytes arrived or it fails (EINTR retried); returns what is missing. */
static size_t lm_read_fully(ssize_t (*source)(void *, unsigned char *, size_t), void *ctx, unsigned char *p, size_t n) {
    while (n > 0) {
        ssize_t got = source(ctx, p, n);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            break;
        }
        p += got;
        n -= (size_t)got;
    }
    return n;
}

static void lm_fill_random(void *buf, size_t n) {
    unsigned char *p = buf;
    size_t missing = lm_read_fully(lm_getrandom_some, NULL, p, n);
    if (missing != 0) {
        int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            missing = lm_read_fully(lm_read_some, &fd, p + (n - missing), missing);
            close(fd);
        }
    }
    if (missing != 0) {
        abort();
    }
}
LM_HIDDEN uint32_t __wrap_arc4random(void) {
    uint32_t v;
    lm_fill_random(&v, sizeof v);
    return v;
}
LM_HIDDEN void __wrap_arc4random_buf(void *buf, size_t n) { lm_fill_random(buf, n); }

/* ---- __libc_single_threaded (2.32): libstdc++ skips atomic reference counting when it is set.
 * Defined here as "never known to be single-threaded", which is always correct. */
LM_HIDDEN char __libc_single_threaded = 0;

/* ---- _dl_find_object (2.35): libgcc's unwinder uses it to find the .eh_frame_hdr of the object
 * a PC belongs to and, when it fails, does NOT fall back to dl_iterate_phdr (unwind-dw2-fde-dip.c
 * returns no FDE, so every C++ throw would terminate). It is therefore implemented here with
 * dl_iterate_phdr, the way libgcc searched before 2.35. */
struct lm_find_state {
    uintptr_t pc;
    struct dl_find_object *result;
    int found;
};

static int lm_find_callback(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    struct lm_find_state *state = data;
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    int contains = 0;
    const ElfW(Phdr) *eh = NULL;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD) {
            uintptr_t start = info->dlpi_addr + ph->p_vaddr;
            uintptr_t end = start + ph->p_memsz;
            if (start < lo) lo = start;
            if (end > hi) hi = end;
            if (state->pc >= start && state->pc < end) contains = 1;
        } else if (ph->p_type == PT_GNU_EH_FRAME) {
            eh = ph;
        }
    }
    if (!contains) {
        return 0;
    }
    memset(state->result, 0, sizeof *state->result);
    state->result->dlfo_map_start = (void *)lo;
    state->result->dlfo_map_end = (void *)hi;
    state->result->dlfo_eh_frame = eh != NULL ? (void *)(info->dlpi_addr + eh->p_vaddr) : NULL;
    state->found = 1;
    return 1;
}

LM_HIDDEN int __wrap__dl_find_object(void *pc, struct dl_find_object *result) {
    struct lm_find_state state = {(uintptr_t)pc, result, 0};
    dl_iterate_phdr(lm_find_callback, &state);
    return state.found ? 0 : -1;
}
