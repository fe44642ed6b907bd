/* omv-rpc ports: the FILTER match, the board names for USB IDs of boards
 * that run OpenMV's firmware, and the USB device release read from a fake
 * sysfs tree laid out as Linux does for a CDC-ACM port (ttyACM) and a
 * USB-serial adapter's port (ttyUSB). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "port_info.h"
#include "test_support.h"

static omv_rpc_port_info usb_port(const char *name, uint16_t vid, uint16_t pid)
{
    omv_rpc_port_info p;
    memset(&p, 0, sizeof(p));
    snprintf(p.name, sizeof(p.name), "%s", name);
    snprintf(p.description, sizeof(p.description), "OpenMV Virtual Comm Port in FS Mode");
    snprintf(p.manufacturer, sizeof(p.manufacturer), "OpenMV");
    snprintf(p.serial_number, sizeof(p.serial_number), "3A0017001851");
    p.is_usb = 1;
    p.usb_vid = vid;
    p.usb_pid = pid;
    p.is_openmv = omv_rpc_serial_is_openmv_usb_id(vid, pid);
    return p;
}

static void test_filter(void **state)
{
    (void)state;
    omv_rpc_port_info cam = usb_port("/dev/ttyACM0", 0x37C5, 0x1204);
    omv_rpc_port_info ttys;
    memset(&ttys, 0, sizeof(ttys));
    snprintf(ttys.name, sizeof(ttys.name), "/dev/ttyS0");
    snprintf(ttys.description, sizeof(ttys.description), "ttyS0");

    assert_true(cli_port_matches(&cam, NULL));
    assert_true(cli_port_matches(&ttys, NULL));
    assert_true(cli_port_matches(&cam, "openmv"));
    assert_true(cli_port_matches(&cam, "OPENMV"));
    assert_false(cli_port_matches(&ttys, "openmv"));
    assert_true(cli_port_matches(&cam, "acm"));       /* name */
    assert_true(cli_port_matches(&cam, "comm port")); /* description */
    assert_true(cli_port_matches(&cam, "1851"));      /* serial number */
    assert_true(cli_port_matches(&cam, "37c5:1204")); /* VID:PID */
    assert_true(cli_port_matches(&cam, "37C5"));
    assert_false(cli_port_matches(&cam, "ttyUSB"));
    assert_false(cli_port_matches(&ttys, "0000:0000")); /* not USB: no IDs to match */
    assert_true(cli_port_matches(&ttys, "S0"));

    /* An Arduino board running OpenMV's firmware is an OpenMV Cam by ID,
     * whatever its strings say. */
    omv_rpc_port_info nicla = usb_port("/dev/ttyACM1", 0x2341, 0x045F);
    snprintf(nicla.description, sizeof(nicla.description), "Nicla");
    snprintf(nicla.manufacturer, sizeof(nicla.manufacturer), "Arduino");
    assert_true(cli_port_matches(&nicla, "openmv"));
}

static void test_board(void **state)
{
    (void)state;
    omv_rpc_port_info p = usb_port("/dev/ttyACM0", 0x2341, 0x045B);
    assert_string_equal(cli_port_board(&p), "Arduino Portenta H7");
    p = usb_port("/dev/ttyACM0", 0x2E8A, 0x0005);
    assert_string_equal(cli_port_board(&p), "Raspberry Pi Pico");
    p = usb_port("/dev/ttyACM0", 0x37C5, 0x1204);
    assert_null(cli_port_board(&p));
    p.is_usb = 0;
    p.usb_vid = 0x2341;
    p.usb_pid = 0x045B;
    assert_null(cli_port_board(&p));
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void make_dirs(const char *path)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *s = buf + 1; *s != '\0'; s++) {
        if (*s == '/') {
            *s = '\0';
            mkdir(buf, 0755);
            *s = '/';
        }
    }
    mkdir(buf, 0755);
}

static void test_usb_release(void **state)
{
    (void)state;
    char root[] = "/tmp/omv-rpc-ports-XXXXXX";
    assert_non_null(mkdtemp(root));
    char path[PATH_MAX], target[PATH_MAX];

    /* ttyACM0: device -> the USB interface; bcdDevice one folder up. */
    snprintf(path, sizeof(path), "%s/devices/usb1/1-1/1-1:1.0", root);
    make_dirs(path);
    snprintf(path, sizeof(path), "%s/devices/usb1/1-1/bcdDevice", root);
    write_text(path, "0200\n");
    snprintf(path, sizeof(path), "%s/class/tty/ttyACM0", root);
    make_dirs(path);
    snprintf(target, sizeof(target), "%s/devices/usb1/1-1/1-1:1.0", root);
    snprintf(path, sizeof(path), "%s/class/tty/ttyACM0/device", root);
    assert_int_equal(symlink(target, path), 0);

    /* ttyUSB0: device -> a usb-serial port under the interface; two up. */
    snprintf(path, sizeof(path), "%s/devices/usb1/1-2/1-2:1.0/ttyUSB0", root);
    make_dirs(path);
    snprintf(path, sizeof(path), "%s/devices/usb1/1-2/bcdDevice", root);
    write_text(path, "1000\n");
    snprintf(path, sizeof(path), "%s/class/tty/ttyUSB0", root);
    make_dirs(path);
    snprintf(target, sizeof(target), "%s/devices/usb1/1-2/1-2:1.0/ttyUSB0", root);
    snprintf(path, sizeof(path), "%s/class/tty/ttyUSB0/device", root);
    assert_int_equal(symlink(target, path), 0);

    char release[16];
    omv_rpc_port_info acm = usb_port("/dev/ttyACM0", 0x37C5, 0x1204);
    omv_rpc_port_info adapter = usb_port("/dev/ttyUSB0", 0x0403, 0x6001);
    omv_rpc_port_info missing = usb_port("/dev/ttyACM7", 0x37C5, 0x1204);
#ifdef __linux__
    cli_port_usb_release(&acm, root, release, sizeof(release));
    assert_string_equal(release, "2.00");
    cli_port_usb_release(&adapter, root, release, sizeof(release));
    assert_string_equal(release, "10.00");
#endif
    cli_port_usb_release(&missing, root, release, sizeof(release));
    assert_string_equal(release, "");
    acm.is_usb = 0; /* not a USB port: nothing is looked up */
    cli_port_usb_release(&acm, root, release, sizeof(release));
    assert_string_equal(release, "");

    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filter),
        cmocka_unit_test(test_board),
        cmocka_unit_test(test_usb_release),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
