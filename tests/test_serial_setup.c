/* Serial links: opening (errors a user can act on), "auto" selection on
 * fake port lists, the OpenMV USB ID table, the latency timer on a fake
 * sysfs tree, and the link's pacing. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pty_pair.h"
#include "serial/serial_internal.h"
#include "test_support.h"

/* A log hook that keeps every line, for checking what a user is told. */
typedef struct captured {
    char text[8192];
    int warnings;
} captured;

static void capture(void *user, omv_rpc_log_level level, const char *message)
{
    captured *c = user;
    size_t used = strlen(c->text);
    snprintf(c->text + used, sizeof c->text - used, "%s\n", message);
    if (level == OMV_RPC_LOG_WARNING) {
        c->warnings++;
    }
}

static void make_temp_dir(char *dir, size_t size)
{
    snprintf(dir, size, "/tmp/omv-rpc-serial-XXXXXX");
    assert_non_null(mkdtemp(dir));
    assert_int_equal(chmod(dir, 0755), 0); /* reachable by an unprivileged child */
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

static void read_file(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* Run fn(arg, log) in a child process without root's privileges (root
 * ignores file permissions); returns fn's status, and the log lines in
 * *out. Skips the test when privileges cannot be dropped. */
typedef omv_rpc_status (*unprivileged_fn)(const char *arg, const omv_rpc_log *log);
static omv_rpc_status run_unprivileged(unprivileged_fn fn, const char *arg, captured *out)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) {
            _exit(100);
        }
        static captured c;
        omv_rpc_log log = {capture, &c};
        omv_rpc_status st = fn(arg, &log);
        ssize_t w = write(fds[1], c.text, strlen(c.text));
        (void)w;
        /* Link statuses are -40..-49: the exit code carries both. */
        _exit(c.warnings * 10 + (st <= -40 && st >= -49 ? (int)-st - 40 : 9));
    }
    close(fds[1]);
    memset(out, 0, sizeof *out);
    size_t used = 0;
    ssize_t n;
    while ((n = read(fds[0], out->text + used, sizeof out->text - 1 - used)) > 0) {
        used += (size_t)n;
    }
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 100) {
        skip();
    }
    out->warnings = WEXITSTATUS(status) / 10;
    return (omv_rpc_status) - (WEXITSTATUS(status) % 10 + 40);
}

/* ------------------------------------------------------------ opening */

static void test_no_such_port(void **state)
{
    (void)state;
    captured c = {0};
    omv_rpc_log log = {capture, &c};
    omv_rpc_link link;
    assert_int_equal(omv_rpc_serial_open(&link, "/dev/ttyNOSUCHPORT9", 0, &log),
                     OMV_RPC_ERR_NO_SUCH_PORT);
    assert_non_null(strstr(c.text, "/dev/ttyNOSUCHPORT9"));
    assert_int_equal(omv_rpc_serial_open(NULL, "/dev/x", 0, NULL), OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_serial_open(&link, "", 0, NULL), OMV_RPC_ERR_INVALID_ARG);
    /* An empty name is said to be empty, not "cannot open : ...". */
    memset(&c, 0, sizeof c);
    assert_int_equal(omv_rpc_serial_open(&link, "", 0, &log), OMV_RPC_ERR_INVALID_ARG);
    assert_non_null(strstr(c.text, "port name is empty"));
    assert_int_equal(omv_rpc_serial_open(&link, NULL, 0, NULL), OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_serial_open_fd(&link, -1, "x", 0, NULL), OMV_RPC_ERR_INVALID_ARG);
    omv_rpc_master *m = (omv_rpc_master *)&link;
    assert_int_equal(omv_rpc_uart_master_new(&m, "/dev/ttyNOSUCHPORT9", 0, NULL),
                     OMV_RPC_ERR_NO_SUCH_PORT);
    assert_null(m);
    omv_rpc_slave *s = (omv_rpc_slave *)&link;
    assert_int_equal(omv_rpc_usb_vcp_slave_new(&s, "/dev/ttyNOSUCHPORT9", NULL),
                     OMV_RPC_ERR_NO_SUCH_PORT);
    assert_null(s);
}

static void test_not_a_tty(void **state)
{
    (void)state;
    char dir[64], path[128];
    make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/plain_file", dir);
    write_file(path, "not a tty", 0666);
    captured c = {0};
    omv_rpc_log log = {capture, &c};
    omv_rpc_link link;
    assert_int_equal(omv_rpc_serial_open(&link, path, 115200, &log), OMV_RPC_ERR_NO_SUCH_PORT);
    assert_non_null(strstr(c.text, "not a serial port"));
    unlink(path);
    rmdir(dir);
}

/* A directory is no port (open fails with EISDIR), not an I/O error. */
static void test_directory(void **state)
{
    (void)state;
    char dir[64];
    make_temp_dir(dir, sizeof dir);
    captured c = {0};
    omv_rpc_log log = {capture, &c};
    omv_rpc_link link;
    assert_int_equal(omv_rpc_serial_open(&link, dir, 0, &log), OMV_RPC_ERR_NO_SUCH_PORT);
    assert_non_null(strstr(c.text, "no serial port"));
    assert_null(strstr(c.text, "nput/output"));
    rmdir(dir);
}

static void test_busy(void **state)
{
    (void)state;
    pty_pair pty;
    pty_pair_open(&pty);
    omv_rpc_link first, second;
    captured c = {0};
    omv_rpc_log log = {capture, &c};
    assert_int_equal(omv_rpc_serial_open(&first, pty.path, 0, &log), OMV_RPC_OK);
    assert_int_equal(omv_rpc_serial_open(&second, pty.path, 0, &log), OMV_RPC_ERR_BUSY);
    assert_non_null(strstr(c.text, "in use"));
    omv_rpc_link_close(&first);
    /* Free again once the first is closed. */
    assert_int_equal(omv_rpc_serial_open(&second, pty.path, 0, &log), OMV_RPC_OK);
    omv_rpc_link_close(&second);
    pty_pair_close(&pty);
}

/* The OpenMV-style constructors on a real terminal; UART 0 means 9600. */
static void test_constructors(void **state)
{
    (void)state;
    pty_pair pty;
    pty_pair_open(&pty);
    omv_rpc_master *m = NULL;
    assert_int_equal(omv_rpc_uart_master_new(&m, pty.path, 0, NULL), OMV_RPC_OK);
    omv_rpc_link *link = omv_rpc_master_link(m);
    assert_int_equal(link->ops->transfer_ms(link->ctx, 960), 1001); /* 9600 baud */
    /* The master holds the port. */
    omv_rpc_slave *s = NULL;
    assert_int_equal(omv_rpc_usb_vcp_slave_new(&s, pty.path, NULL), OMV_RPC_ERR_BUSY);
    omv_rpc_master_free(m);
    assert_int_equal(omv_rpc_usb_vcp_slave_new(&s, pty.path, NULL), OMV_RPC_OK);
    link = omv_rpc_slave_link(s);
    assert_int_equal(link->ops->transfer_ms(link->ctx, 1000000), 1001); /* USB pace */
    omv_rpc_slave_free(s);
    assert_int_equal(omv_rpc_uart_slave_new(&s, pty.path, 250000, NULL), OMV_RPC_OK);
    omv_rpc_slave_free(s);
    assert_int_equal(omv_rpc_usb_vcp_master_new(&m, pty.path, NULL), OMV_RPC_OK);
    omv_rpc_master_free(m);
    assert_int_equal(omv_rpc_uart_master_new(NULL, pty.path, 0, NULL), OMV_RPC_ERR_INVALID_ARG);
    pty_pair_close(&pty);
}

static omv_rpc_status open_for_child(const char *path, const omv_rpc_log *log)
{
    omv_rpc_link link;
    omv_rpc_status st = omv_rpc_serial_open(&link, path, 9600, log);
    if (st == OMV_RPC_OK) {
        omv_rpc_link_close(&link);
    }
    return st;
}

/* Denied access to a device whose group may read and write it: join the
 * group. Denied access where the group may not (root:root, mode 0600):
 * joining the group would not help, so the owner and a udev rule. */
static void test_permission(void **state)
{
    (void)state;
    char dir[64], path[128];
    make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/ttyFAKE0", dir);
    write_file(path, "", 0660); /* owned by us; the group (ours) may use it */
    captured c;
    assert_int_equal(run_unprivileged(open_for_child, path, &c), OMV_RPC_ERR_PERMISSION);
    assert_non_null(strstr(c.text, "permission denied"));
    assert_non_null(strstr(c.text, "usermod -aG"));
    assert_null(strstr(c.text, "udev"));

    assert_int_equal(chmod(path, 0600), 0); /* only the owner may */
    assert_int_equal(run_unprivileged(open_for_child, path, &c), OMV_RPC_ERR_PERMISSION);
    assert_non_null(strstr(c.text, "permission denied"));
    assert_null(strstr(c.text, "usermod"));
    assert_non_null(strstr(c.text, "udev rule"));
    assert_non_null(strstr(c.text, "mode 0600"));
    const struct passwd *me = getpwuid(geteuid());
    if (me) {
        char owner[160];
        snprintf(owner, sizeof owner, "belongs to user '%s'", me->pw_name);
        assert_non_null(strstr(c.text, owner));
    }
    unlink(path);
    rmdir(dir);
}

static void test_errno_mapping(void **state)
{
    (void)state;
    static const ts_errno_case map[] = {
        {ENOENT, OMV_RPC_ERR_NO_SUCH_PORT},
        {ENODEV, OMV_RPC_ERR_NO_SUCH_PORT},
        {ENXIO, OMV_RPC_ERR_NO_SUCH_PORT},
        {ENOTTY, OMV_RPC_ERR_NO_SUCH_PORT},
        {EISDIR, OMV_RPC_ERR_NO_SUCH_PORT},
        {EACCES, OMV_RPC_ERR_PERMISSION},
        {EPERM, OMV_RPC_ERR_PERMISSION},
        {EBUSY, OMV_RPC_ERR_BUSY},
        {EWOULDBLOCK, OMV_RPC_ERR_BUSY},
        {ENOMEM, OMV_RPC_ERR_NO_MEMORY},
        {EIO, OMV_RPC_ERR_LINK},
    };
    ts_check_errno_map(omvrpc_serial_status_from_errno, map, sizeof map / sizeof map[0]);
}

/* --------------------------------------------------------------- auto */

static omv_rpc_port_info port(const char *name, uint16_t vid, uint16_t pid)
{
    omv_rpc_port_info p;
    memset(&p, 0, sizeof p);
    snprintf(p.name, sizeof p.name, "%s", name);
    snprintf(p.description, sizeof p.description, "fake %s", name);
    p.usb_vid = vid;
    p.usb_pid = pid;
    p.is_usb = vid != 0;
    p.is_openmv = omv_rpc_serial_is_openmv_usb_id(vid, pid);
    return p;
}

static void test_openmv_ids(void **state)
{
    (void)state;
    const uint16_t cams[][2] = {
        {0x37C5, 0x1202}, {0x37C5, 0x1203}, {0x37C5, 0x1204}, {0x37C5, 0x124A}, {0x37C5, 0x1205},
        {0x37C5, 0x16E3}, {0x37C5, 0x1206}, {0x37C5, 0x1060}, {0x1209, 0xABD1}, {0x2341, 0x045B},
        {0x2341, 0x045F}, {0x2341, 0x0466}, {0x2341, 0x015A}, {0x2341, 0x015E}, {0x2E8A, 0x0005}};
    for (size_t i = 0; i < sizeof cams / sizeof cams[0]; i++) {
        assert_true(omv_rpc_serial_is_openmv_usb_id(cams[i][0], cams[i][1]));
    }
    assert_false(omv_rpc_serial_is_openmv_usb_id(0x0403, 0x6001)); /* FTDI */
    assert_false(omv_rpc_serial_is_openmv_usb_id(0x2341, 0x0043)); /* Arduino Uno */
    assert_false(omv_rpc_serial_is_openmv_usb_id(0x1209, 0x0001));
    assert_false(omv_rpc_serial_is_openmv_usb_id(0x2E8A, 0x000A));
    assert_false(omv_rpc_serial_is_openmv_usb_id(0, 0));
}

static void test_auto_selection(void **state)
{
    (void)state;
    char name[64];
    captured c = {0};
    omv_rpc_log log = {capture, &c};
    /* None at all. */
    assert_int_equal(omvrpc_serial_pick_openmv(NULL, 0, name, sizeof name, &log),
                     OMV_RPC_ERR_NO_DEVICE);
    /* Only other devices. */
    omv_rpc_port_info others[] = {port("/dev/ttyS0", 0, 0), port("/dev/ttyUSB0", 0x0403, 0x6001)};
    assert_int_equal(omvrpc_serial_pick_openmv(others, 2, name, sizeof name, &log),
                     OMV_RPC_ERR_NO_DEVICE);
    assert_non_null(strstr(c.text, "/dev/ttyUSB0"));
    /* One camera among others. */
    omv_rpc_port_info one[] = {port("/dev/ttyS0", 0, 0), port("/dev/ttyACM1", 0x37C5, 0x1204),
                               port("/dev/ttyUSB0", 0x0403, 0x6001)};
    assert_int_equal(omvrpc_serial_pick_openmv(one, 3, name, sizeof name, &log), OMV_RPC_OK);
    assert_string_equal(name, "/dev/ttyACM1");
    /* Too small a buffer for the name. */
    char tiny[4];
    assert_int_equal(omvrpc_serial_pick_openmv(one, 3, tiny, sizeof tiny, &log),
                     OMV_RPC_ERR_BUFFER_TOO_SMALL);
    /* Several cameras: refused, each candidate logged. */
    memset(&c, 0, sizeof c);
    omv_rpc_port_info several[] = {port("/dev/ttyACM0", 0x37C5, 0x1204), port("/dev/ttyS0", 0, 0),
                                   port("/dev/ttyACM3", 0x2341, 0x045B)};
    assert_int_equal(omvrpc_serial_pick_openmv(several, 3, name, sizeof name, &log),
                     OMV_RPC_ERR_AMBIGUOUS);
    assert_non_null(strstr(c.text, "/dev/ttyACM0"));
    assert_non_null(strstr(c.text, "/dev/ttyACM3"));
    assert_null(strstr(c.text, "/dev/ttyS0"));
    /* Names other than "auto" pass through. */
    assert_int_equal(omvrpc_serial_resolve_port("/dev/ttyACM7", name, sizeof name, NULL),
                     OMV_RPC_OK);
    assert_string_equal(name, "/dev/ttyACM7");
}

static void test_list_ports(void **state)
{
    (void)state;
    omv_rpc_port_info *ports = NULL;
    size_t count = 99;
    omv_rpc_status st = omv_rpc_serial_list_ports(&ports, &count);
    /* OMV_RPC_ERR_UNSUPPORTED on a build without libserialport. */
    assert_true(st == OMV_RPC_OK || st == OMV_RPC_ERR_UNSUPPORTED);
    for (size_t i = 0; st == OMV_RPC_OK && i < count; i++) {
        assert_true(strlen(ports[i].name) > 0);
        assert_int_equal(ports[i].is_openmv,
                         omv_rpc_serial_is_openmv_usb_id(ports[i].usb_vid, ports[i].usb_pid));
    }
    omv_rpc_serial_free_ports(ports);
    assert_int_equal(omv_rpc_serial_list_ports(NULL, &count), OMV_RPC_ERR_INVALID_ARG);
}

/* ------------------------------------------------------ latency timer */

static void make_fake_sysfs(char *dir, size_t size, char *timer, size_t timer_size,
                            const char *value, mode_t mode)
{
    make_temp_dir(dir, size);
    const char *parts[] = {"/bus", "/bus/usb-serial", "/bus/usb-serial/devices",
                           "/bus/usb-serial/devices/ttyUSB0"};
    char path[256];
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s%s", dir, parts[i]);
        assert_int_equal(mkdir(path, 0755), 0);
    }
    snprintf(timer, timer_size, "%s/bus/usb-serial/devices/ttyUSB0/latency_timer", dir);
    write_file(timer, value, mode);
}

static void remove_fake_sysfs(const char *dir, const char *timer)
{
    const char *parts[] = {"/bus/usb-serial/devices/ttyUSB0", "/bus/usb-serial/devices",
                           "/bus/usb-serial", "/bus", ""};
    char path[256];
    unlink(timer);
    for (size_t i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "%s%s", dir, parts[i]);
        rmdir(path);
    }
}

static void test_latency_lowered(void **state)
{
    (void)state;
    char dir[64], timer[256], text[32];
    make_fake_sysfs(dir, sizeof dir, timer, sizeof timer, "16\n", 0644);
    captured c = {0};
    omv_rpc_log log = {capture, &c};
    uint32_t latency = 99;
    omvrpc_serial_latency_setup(dir, "ttyUSB0", &log, &latency);
    assert_int_equal(latency, 1);
    read_file(timer, text, sizeof text);
    assert_int_equal(atoi(text), 1);
    assert_non_null(strstr(c.text, "16 ms to 1 ms"));
    assert_int_equal(c.warnings, 0);
    /* Already 1: left alone, nothing said. */
    memset(&c, 0, sizeof c);
    omvrpc_serial_latency_setup(dir, "ttyUSB0", &log, &latency);
    assert_int_equal(latency, 1);
    assert_string_equal(c.text, "");
    /* A port without a timer (an ACM port), and odd names. */
    omvrpc_serial_latency_setup(dir, "ttyACM0", &log, &latency);
    assert_int_equal(latency, 0);
    omvrpc_serial_latency_setup(dir, "../x", &log, &latency);
    assert_int_equal(latency, 0);
    remove_fake_sysfs(dir, timer);
}

static const char *latency_root;
static omv_rpc_status latency_for_child(const char *tty, const omv_rpc_log *log)
{
    uint32_t latency = 0;
    omvrpc_serial_latency_setup(latency_root, tty, log, &latency);
    /* Report the timer in force as a status-like code for the parent. */
    return latency == 16 ? OMV_RPC_ERR_CLOSED : OMV_RPC_ERR_LINK;
}

static void test_latency_not_writable(void **state)
{
    (void)state;
    char dir[64], timer[256], text[32];
    make_fake_sysfs(dir, sizeof dir, timer, sizeof timer, "16\n", 0444);
    latency_root = dir;
    captured c;
    assert_int_equal(run_unprivileged(latency_for_child, "ttyUSB0", &c), OMV_RPC_ERR_CLOSED);
    assert_int_equal(c.warnings, 1);
    assert_non_null(
        strstr(c.text, "echo 1 | sudo tee /sys/bus/usb-serial/devices/ttyUSB0/latency_timer"));
    read_file(timer, text, sizeof text);
    assert_int_equal(atoi(text), 16);
    remove_fake_sysfs(dir, timer);
}

/* ------------------------------------------------------------- pacing */

static void test_wire_ms(void **state)
{
    (void)state;
    /* 9600 baud: 960 bytes a second. */
    assert_int_equal(omvrpc_serial_wire_ms(9600, 0, 960), 1001);
    assert_int_equal(omvrpc_serial_wire_ms(9600, 0, 1), 3); /* 1.04 ms up to 2, + 1 */
    assert_int_equal(omvrpc_serial_wire_ms(115200, 16, 0), 17);
    /* USB: 1 MB/s. */
    assert_int_equal(omvrpc_serial_wire_ms(0, 0, 1000000), 1001);
    assert_int_equal(omvrpc_serial_wire_ms(0, 1, 1), 3);
    assert_int_equal(omvrpc_serial_wire_ms(1, 0, (size_t)1 << 40), UINT32_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_such_port),    cmocka_unit_test(test_not_a_tty),
        cmocka_unit_test(test_directory),       cmocka_unit_test(test_busy),
        cmocka_unit_test(test_permission),      cmocka_unit_test(test_constructors),
        cmocka_unit_test(test_errno_mapping),   cmocka_unit_test(test_openmv_ids),
        cmocka_unit_test(test_auto_selection),  cmocka_unit_test(test_list_ports),
        cmocka_unit_test(test_latency_lowered), cmocka_unit_test(test_latency_not_writable),
        cmocka_unit_test(test_wire_ms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
